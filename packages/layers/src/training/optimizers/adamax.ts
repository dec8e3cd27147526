/**
 * Adamax (Kingma & Ba 2015, section 7.1: Adam with the infinity norm) with Keras 3's rule and defaults (learning rate
 * 0.001, β₁ 0.9, β₂ 0.999, ε 1e-7): `m ← m + (g − m)(1 − β₁)`, `u ← max(β₂ · u, |g|)`,
 * `w ← w − lr · m / ((1 − β₁ᵗ)(u + ε))`. tfjs' `tf.train.adamax` applies the same rule.
 */
import {
  Optimizer,
  type OptimizerOptions,
  type SlotSpec,
  type UpdateArgs,
  type UpdateResult,
} from './optimizer.js';

export interface AdamaxOptions extends OptimizerOptions {
  /** Default 0.001. */
  readonly learningRate?: OptimizerOptions['learningRate'];
  /** Decay of the first moment (default 0.9). */
  readonly beta1?: number;
  /** Decay of the infinity norm (default 0.999). */
  readonly beta2?: number;
  readonly epsilon?: number;
}

export class Adamax extends Optimizer {
  readonly className = 'Adamax';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor(options: AdamaxOptions = {}) {
    super('adamax', 0.001, options, ['beta1', 'beta2', 'epsilon']);
    this.beta1 = this.numberOption('beta1', options.beta1, 0.9, 0, 1);
    this.beta2 = this.numberOption('beta2', options.beta2, 0.999, 0, 1);
    this.epsilon = this.numberOption('epsilon', options.epsilon, 1e-7);
  }

  /** `m`, the first moment, and `u`, the exponentially weighted infinity norm (Keras' `momentum` and `norm`). */
  protected slotSpecs(): readonly SlotSpec[] {
    return [
      { name: 'm', initialValue: 0 },
      { name: 'u', initialValue: 0 },
    ];
  }

  protected update<T>({
    backend,
    value,
    gradient,
    slots,
    learningRate,
    step,
  }: UpdateArgs<T>): UpdateResult<T> {
    const m = backend.add(slots.m!, backend.mul(backend.sub(gradient, slots.m!), 1 - this.beta1));
    const u = backend.maximum(backend.mul(slots.u!, this.beta2), backend.abs(gradient));
    const scale = learningRate / (1 - this.beta1 ** step);
    const next = backend.sub(value, backend.div(backend.mul(m, scale), backend.add(u, this.epsilon)));
    return { value: next, slots: { m, u } };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

/** Adamax (`'adamax'`). */
export function adamax(options?: AdamaxOptions): Adamax {
  return new Adamax(options);
}
