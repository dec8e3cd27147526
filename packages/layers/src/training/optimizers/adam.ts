/**
 * Adam (Kingma & Ba 2015) with Keras 3's rule and defaults (learning rate 0.001, β₁ 0.9, β₂ 0.999, ε 1e-7):
 * `m ← m + (g − m)(1 − β₁)`, `v ← v + (g² − v)(1 − β₂)`, `α = lr · √(1 − β₂ᵗ) / (1 − β₁ᵗ)`,
 * `w ← w − α · m / (√v + ε)` (ε outside the bias correction, as Keras and the paper's "epsilon hat"). With
 * `amsgrad`, `v̂ ← max(v̂, v)` replaces v in the last step.
 */
import {
  Optimizer,
  type OptimizerOptions,
  type SlotSpec,
  type UpdateArgs,
  type UpdateResult,
} from './optimizer.js';

export interface AdamOptions extends OptimizerOptions {
  /** Default 0.001. */
  readonly learningRate?: OptimizerOptions['learningRate'];
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
  readonly amsgrad?: boolean;
}

export class Adam extends Optimizer {
  readonly className: string = 'Adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly amsgrad: boolean;

  constructor(options: AdamOptions = {}, defaultName = 'adam') {
    super(defaultName, 0.001, options, ['beta1', 'beta2', 'epsilon', 'amsgrad']);
    this.beta1 = this.numberOption('beta1', options.beta1, 0.9, 0, 1);
    this.beta2 = this.numberOption('beta2', options.beta2, 0.999, 0, 1);
    this.epsilon = this.numberOption('epsilon', options.epsilon, 1e-7);
    this.amsgrad = this.booleanOption('amsgrad', options.amsgrad);
  }

  protected slotSpecs(): readonly SlotSpec[] {
    const moments = [
      { name: 'm', initialValue: 0 },
      { name: 'v', initialValue: 0 },
    ];
    return this.amsgrad ? [...moments, { name: 'vHat', initialValue: 0 }] : moments;
  }

  protected update<T>({
    backend,
    value,
    gradient,
    slots,
    learningRate,
    step,
  }: UpdateArgs<T>): UpdateResult<T> {
    const alpha = (learningRate * Math.sqrt(1 - this.beta2 ** step)) / (1 - this.beta1 ** step);
    const m = backend.add(slots.m!, backend.mul(backend.sub(gradient, slots.m!), 1 - this.beta1));
    const v = backend.add(
      slots.v!,
      backend.mul(backend.sub(backend.mul(gradient, gradient), slots.v!), 1 - this.beta2),
    );
    const vHat = this.amsgrad ? backend.maximum(slots.vHat!, v) : undefined;
    const denominator = backend.add(backend.sqrt(vHat ?? v), this.epsilon);
    const next = backend.sub(value, backend.div(backend.mul(m, alpha), denominator));
    return { value: next, slots: vHat === undefined ? { m, v } : { m, v, vHat } };
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      amsgrad: this.amsgrad,
    };
  }
}

/** Adam (`'adam'`). */
export function adam(options?: AdamOptions): Adam {
  return new Adam(options);
}
