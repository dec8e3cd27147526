/**
 * Losses by name (Keras' names and aliases, in camelCase or snake_case) and custom losses from a function.
 */
import { type Backend, didYouMean, invalidArgument, SeqmodelError } from '@seqmodel/core';
import {
  BinaryCrossentropy,
  binaryCrossentropy,
  CategoricalCrossentropy,
  categoricalCrossentropy,
  SparseCategoricalCrossentropy,
  sparseCategoricalCrossentropy,
} from './crossentropy.js';
import { categoricalHinge, hinge, squaredHinge } from './hinge.js';
import { Loss, type LossOptions } from './loss.js';
import { klDivergence, poisson } from './probabilistic.js';
import {
  cosineSimilarity,
  huber,
  logCosh,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  meanSquaredLogarithmicError,
} from './regression.js';

export {
  BinaryCrossentropy,
  binaryCrossentropy,
  CategoricalCrossentropy,
  type CrossentropyOptions,
  categoricalCrossentropy,
  type SmoothedCrossentropyOptions,
  SparseCategoricalCrossentropy,
  sparseCategoricalCrossentropy,
} from './crossentropy.js';
export {
  CategoricalHinge,
  categoricalHinge,
  Hinge,
  hinge,
  SquaredHinge,
  squaredHinge,
} from './hinge.js';
export { EPSILON, Loss, type LossOptions, type LossWeighting, type Reduction } from './loss.js';
export { KLDivergence, klDivergence, Poisson, poisson } from './probabilistic.js';
export {
  CosineSimilarity,
  cosineSimilarity,
  Huber,
  type HuberOptions,
  huber,
  LogCosh,
  logCosh,
  MeanAbsoluteError,
  MeanAbsolutePercentageError,
  MeanSquaredError,
  MeanSquaredLogarithmicError,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  meanSquaredLogarithmicError,
} from './regression.js';

/** Per-sample loss values from labels and predictions (the last axis reduced), for `customLoss`. */
export type LossFunction = <T>(backend: Backend<T>, yTrue: T, yPred: T) => T;

/** A loss from a function returning per-sample values; weighting and reduction are the same as built-in losses'. */
export class CustomLoss extends Loss {
  readonly className = 'CustomLoss';

  constructor(
    name: string,
    private readonly fn: LossFunction,
    options: LossOptions = {},
  ) {
    super(name, options);
    if (typeof fn !== 'function') invalidArgument(`customLoss(${name}) fn`, fn, 'a function');
  }

  prepareLabels<T>(_backend: Backend<T>, yTrue: T): T {
    return yTrue;
  }

  values<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    const out = this.fn(backend, yTrue, yPred);
    if (!backend.isTensor(out)) invalidArgument(`${this.name} (custom loss) result`, out, 'a tensor');
    return out;
  }
}

/**
 * A loss from `fn(backend, yTrue, yPred)`, which returns per-sample values (one per sample or per step); masks,
 * sample weights and the reduction are applied to them as for built-in losses.
 */
export function customLoss(name: string, fn: LossFunction, options?: LossOptions): CustomLoss {
  return new CustomLoss(name, fn, options);
}

const FACTORIES: ReadonlyArray<{ readonly names: readonly string[]; readonly make: () => Loss }> = [
  { names: ['meanSquaredError', 'mse'], make: () => meanSquaredError() },
  { names: ['meanAbsoluteError', 'mae'], make: () => meanAbsoluteError() },
  { names: ['huber', 'huberLoss'], make: () => huber() },
  { names: ['meanAbsolutePercentageError', 'mape'], make: () => meanAbsolutePercentageError() },
  { names: ['meanSquaredLogarithmicError', 'msle'], make: () => meanSquaredLogarithmicError() },
  { names: ['logCosh'], make: () => logCosh() },
  { names: ['cosineSimilarity'], make: () => cosineSimilarity() },
  { names: ['klDivergence', 'kld', 'kullbackLeiblerDivergence'], make: () => klDivergence() },
  { names: ['poisson'], make: () => poisson() },
  { names: ['hinge'], make: () => hinge() },
  { names: ['squaredHinge'], make: () => squaredHinge() },
  { names: ['categoricalHinge'], make: () => categoricalHinge() },
  { names: ['binaryCrossentropy', 'bce'], make: () => binaryCrossentropy() },
  { names: ['categoricalCrossentropy', 'cce'], make: () => categoricalCrossentropy() },
  { names: ['sparseCategoricalCrossentropy', 'scce'], make: () => sparseCategoricalCrossentropy() },
];

/** `mean_squared_error`, `MeanSquaredError` and `meanSquaredError` all become `meansquarederror`. */
export function normalizeName(name: string): string {
  return name.replace(/_/g, '').toLowerCase();
}

/** Every loss name `getLoss` knows, canonical names first with their aliases. */
export function listLosses(): string[] {
  return FACTORIES.map((f) => f.names.join(' / '));
}

/** What `compile` accepts as a loss: a name, a `Loss`, or a function returning per-sample values. */
export type LossSpec = string | Loss | LossFunction;

/** A loss object for `spec` (a new one for names and functions). Unknown names are errors that list the known ones. */
export function getLoss(spec: LossSpec, argument = 'loss'): Loss {
  if (spec instanceof Loss) return spec;
  if (typeof spec === 'function') return customLoss(spec.name || 'loss', spec);
  if (typeof spec === 'string') {
    const key = normalizeName(spec);
    const found = FACTORIES.find((f) => f.names.some((n) => normalizeName(n) === key));
    if (found === undefined) {
      throw new SeqmodelError(
        `${argument}: unknown loss ${JSON.stringify(spec)}${didYouMean(
          spec,
          FACTORIES.flatMap((f) => f.names),
        )}; known losses: ${listLosses().join(', ')}`,
      );
    }
    return found.make();
  }
  return invalidArgument(argument, spec, 'a loss name, a Loss object or a function');
}

/** Whether `loss` is a crossentropy (for metrics that follow the loss's `fromLogits`). */
export function crossentropyOf(
  loss: Loss | undefined,
): BinaryCrossentropy | CategoricalCrossentropy | SparseCategoricalCrossentropy | undefined {
  return loss instanceof BinaryCrossentropy ||
    loss instanceof CategoricalCrossentropy ||
    loss instanceof SparseCategoricalCrossentropy
    ? loss
    : undefined;
}
