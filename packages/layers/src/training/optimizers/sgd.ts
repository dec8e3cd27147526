/**
 * Stochastic gradient descent with optional momentum and Nesterov momentum, Keras 3's rule:
 * - without momentum: `w ← w − lr · g`;
 * - with momentum μ: `m ← μ · m − lr · g`, then `w ← w + m`, or with Nesterov `w ← w + μ · m − lr · g`.
 */
import {
  Optimizer,
  type OptimizerOptions,
  type SlotSpec,
  type UpdateArgs,
  type UpdateResult,
} from './optimizer.js';

export interface SgdOptions extends OptimizerOptions {
  /** Default 0.01. */
  readonly learningRate?: OptimizerOptions['learningRate'];
  /** Momentum μ in [0, 1) (default 0). */
  readonly momentum?: number;
  /** Nesterov momentum (default false). */
  readonly nesterov?: boolean;
}

export class SGD extends Optimizer {
  readonly className = 'SGD';
  readonly momentum: number;
  readonly nesterov: boolean;

  constructor(options: SgdOptions = {}) {
    super('sgd', 0.01, options, ['momentum', 'nesterov']);
    this.momentum = this.numberOption('momentum', options.momentum, 0, 0, 1);
    this.nesterov = this.booleanOption('nesterov', options.nesterov);
  }

  protected slotSpecs(): readonly SlotSpec[] {
    return this.momentum > 0 ? [{ name: 'momentum', initialValue: 0 }] : [];
  }

  protected update<T>({ backend, value, gradient, slots, learningRate }: UpdateArgs<T>): UpdateResult<T> {
    const step = backend.mul(gradient, -learningRate);
    if (this.momentum === 0) return { value: backend.add(value, step), slots: {} };
    const m = backend.add(step, backend.mul(slots.momentum!, this.momentum));
    const next = this.nesterov
      ? backend.add(value, backend.add(step, backend.mul(m, this.momentum)))
      : backend.add(value, m);
    return { value: next, slots: { momentum: m } };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), momentum: this.momentum, nesterov: this.nesterov };
  }
}

/** SGD (`'sgd'`): learning rate 0.01, no momentum by default. */
export function sgd(options?: SgdOptions): SGD {
  return new SGD(options);
}
