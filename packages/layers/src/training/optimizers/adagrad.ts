/**
 * Adagrad (Duchi et al. 2011) with Keras 3's rule and defaults (learning rate 0.001, initial accumulator 0.1,
 * ε 1e-7): `a ← a + g²`, `w ← w − lr · g / √(a + ε)`.
 */
import {
  Optimizer,
  type OptimizerOptions,
  type SlotSpec,
  type UpdateArgs,
  type UpdateResult,
} from './optimizer.js';

export interface AdagradOptions extends OptimizerOptions {
  /** Default 0.001. */
  readonly learningRate?: OptimizerOptions['learningRate'];
  /** Starting value of the accumulators (default 0.1). */
  readonly initialAccumulatorValue?: number;
  readonly epsilon?: number;
}

export class Adagrad extends Optimizer {
  readonly className = 'Adagrad';
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;

  constructor(options: AdagradOptions = {}) {
    super('adagrad', 0.001, options, ['initialAccumulatorValue', 'epsilon']);
    this.initialAccumulatorValue = this.numberOption(
      'initialAccumulatorValue',
      options.initialAccumulatorValue,
      0.1,
    );
    this.epsilon = this.numberOption('epsilon', options.epsilon, 1e-7);
  }

  protected slotSpecs(): readonly SlotSpec[] {
    return [{ name: 'accumulator', initialValue: this.initialAccumulatorValue }];
  }

  protected update<T>({ backend, value, gradient, slots, learningRate }: UpdateArgs<T>): UpdateResult<T> {
    const accumulator = backend.add(slots.accumulator!, backend.mul(gradient, gradient));
    const step = backend.div(
      backend.mul(gradient, learningRate),
      backend.sqrt(backend.add(accumulator, this.epsilon)),
    );
    return { value: backend.sub(value, step), slots: { accumulator } };
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      initialAccumulatorValue: this.initialAccumulatorValue,
      epsilon: this.epsilon,
    };
  }
}

/** Adagrad (`'adagrad'`). */
export function adagrad(options?: AdagradOptions): Adagrad {
  return new Adagrad(options);
}
