/**
 * Adadelta (Zeiler 2012) with Keras 3's rule and defaults (learning rate 0.001, ρ 0.95, ε 1e-7):
 * `a ← ρ · a + (1 − ρ) g²`, `Δ = g · √(d + ε) / √(a + ε)`, `d ← ρ · d + (1 − ρ) Δ²`, `w ← w − lr · Δ`, where `a`
 * accumulates squared gradients and `d` squared updates. The paper's rule has no learning rate: pass
 * `learningRate: 1` for it (PyTorch's default, whose rule is the same). tfjs' `tf.train.adadelta` differs: it divides by
 * `√(a + ε)` as `a` was before this step's gradient.
 */
import {
  Optimizer,
  type OptimizerOptions,
  type SlotSpec,
  type UpdateArgs,
  type UpdateResult,
} from './optimizer.js';

export interface AdadeltaOptions extends OptimizerOptions {
  /** Default 0.001 (Keras 3; 1 is the paper's rule). */
  readonly learningRate?: OptimizerOptions['learningRate'];
  /** Decay of both accumulators (default 0.95). */
  readonly rho?: number;
  readonly epsilon?: number;
}

export class Adadelta extends Optimizer {
  readonly className = 'Adadelta';
  readonly rho: number;
  readonly epsilon: number;

  constructor(options: AdadeltaOptions = {}) {
    super('adadelta', 0.001, options, ['rho', 'epsilon']);
    this.rho = this.numberOption('rho', options.rho, 0.95, 0, 1);
    this.epsilon = this.numberOption('epsilon', options.epsilon, 1e-7);
  }

  /**
   * The running means of squared gradients and of squared updates (Keras' `accumulated_grad` and
   * `accumulated_delta_var`).
   */
  protected slotSpecs(): readonly SlotSpec[] {
    return [
      { name: 'accumulatedGrad', initialValue: 0 },
      { name: 'accumulatedDeltaVar', initialValue: 0 },
    ];
  }

  protected update<T>({ backend, value, gradient, slots, learningRate }: UpdateArgs<T>): UpdateResult<T> {
    const rho = this.rho;
    const rms = (x: T) => backend.sqrt(backend.add(x, this.epsilon));
    const accumulatedGrad = backend.add(
      backend.mul(slots.accumulatedGrad!, rho),
      backend.mul(backend.mul(gradient, gradient), 1 - rho),
    );
    const delta = backend.div(backend.mul(rms(slots.accumulatedDeltaVar!), gradient), rms(accumulatedGrad));
    const accumulatedDeltaVar = backend.add(
      backend.mul(slots.accumulatedDeltaVar!, rho),
      backend.mul(backend.mul(delta, delta), 1 - rho),
    );
    return {
      value: backend.sub(value, backend.mul(delta, learningRate)),
      slots: { accumulatedGrad, accumulatedDeltaVar },
    };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rho: this.rho, epsilon: this.epsilon };
  }
}

/** Adadelta (`'adadelta'`). */
export function adadelta(options?: AdadeltaOptions): Adadelta {
  return new Adadelta(options);
}
