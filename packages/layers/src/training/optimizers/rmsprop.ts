/**
 * RMSprop (Hinton's lecture 6e) with Keras 3's rule and defaults (learning rate 0.001, ρ 0.9, ε 1e-7, no momentum,
 * not centered): `v ← ρ·v + (1 − ρ)·g²`; centered also `ḡ ← ρ·ḡ + (1 − ρ)·g` and uses `v − ḡ²`;
 * `Δ = lr · g / √(v + ε)` (ε inside the root, as Keras 3); `w ← w − Δ`, or with momentum μ `m ← μ·m + Δ`,
 * `w ← w − m`.
 */
import {
  Optimizer,
  type OptimizerOptions,
  type SlotSpec,
  type UpdateArgs,
  type UpdateResult,
} from './optimizer.js';

export interface RmspropOptions extends OptimizerOptions {
  /** Default 0.001. */
  readonly learningRate?: OptimizerOptions['learningRate'];
  /** Decay of the moving average of squared gradients (default 0.9). */
  readonly rho?: number;
  /** Default 0. */
  readonly momentum?: number;
  readonly epsilon?: number;
  /** Normalise by the variance rather than the second moment (default false). */
  readonly centered?: boolean;
}

export class RMSprop extends Optimizer {
  readonly className = 'RMSprop';
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;

  constructor(options: RmspropOptions = {}) {
    super('rmsprop', 0.001, options, ['rho', 'momentum', 'epsilon', 'centered']);
    this.rho = this.numberOption('rho', options.rho, 0.9, 0, 1);
    this.momentum = this.numberOption('momentum', options.momentum, 0, 0, 1);
    this.epsilon = this.numberOption('epsilon', options.epsilon, 1e-7);
    this.centered = this.booleanOption('centered', options.centered);
  }

  protected slotSpecs(): readonly SlotSpec[] {
    return [
      { name: 'velocity', initialValue: 0 },
      ...(this.momentum > 0 ? [{ name: 'momentum', initialValue: 0 }] : []),
      ...(this.centered ? [{ name: 'averageGradient', initialValue: 0 }] : []),
    ];
  }

  protected update<T>({ backend, value, gradient, slots, learningRate }: UpdateArgs<T>): UpdateResult<T> {
    const rho = this.rho;
    const velocity = backend.add(
      backend.mul(slots.velocity!, rho),
      backend.mul(backend.mul(gradient, gradient), 1 - rho),
    );
    const out: Record<string, T> = { velocity };
    let denominator: T;
    if (this.centered) {
      const average = backend.add(backend.mul(slots.averageGradient!, rho), backend.mul(gradient, 1 - rho));
      out.averageGradient = average;
      denominator = backend.add(backend.sub(velocity, backend.mul(average, average)), this.epsilon);
    } else {
      denominator = backend.add(velocity, this.epsilon);
    }
    const increment = backend.div(backend.mul(gradient, learningRate), backend.sqrt(denominator));
    if (this.momentum > 0) {
      const m = backend.add(backend.mul(slots.momentum!, this.momentum), increment);
      out.momentum = m;
      return { value: backend.sub(value, m), slots: out };
    }
    return { value: backend.sub(value, increment), slots: out };
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      rho: this.rho,
      momentum: this.momentum,
      epsilon: this.epsilon,
      centered: this.centered,
    };
  }
}

/** RMSprop (`'rmsprop'`). */
export function rmsprop(options?: RmspropOptions): RMSprop {
  return new RMSprop(options);
}
