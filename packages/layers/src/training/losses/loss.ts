/**
 * The loss base class: a loss turns labels and predictions into per-sample values (one per sample, or per time step
 * for sequence outputs: the last axis is reduced), weights them by sample weights and the predictions' mask, and
 * reduces them to the scalar that training minimises. Written against core's `Ops`, so every loss runs on every
 * backend and is differentiable wherever the backend is.
 *
 * Reductions follow Keras 3: `sumOverBatchSize` (default) divides the weighted sum by the number of values, or, when
 * a mask is given, by the number of unmasked values (masked steps are left out of the mean); `sum`; `none` (the
 * weighted values); `meanWithSampleWeight` divides by the sum of the weights.
 */
import {
  type Backend,
  checkOneOf,
  checkOptions,
  formatShape,
  invalidArgument,
  SeqmodelError,
  shapesEqual,
  sizeOfShape,
} from '@seqmodel/core';

/** How weighted per-sample values become the loss. */
export type Reduction = 'sumOverBatchSize' | 'sum' | 'none' | 'meanWithSampleWeight';

const REDUCTIONS: readonly Reduction[] = ['sumOverBatchSize', 'sum', 'none', 'meanWithSampleWeight'];
/** Keras' spellings, accepted too. */
const KERAS_REDUCTIONS: Readonly<Record<string, Reduction>> = {
  sum_over_batch_size: 'sumOverBatchSize',
  mean: 'sumOverBatchSize',
  mean_with_sample_weight: 'meanWithSampleWeight',
};

/** Keras' fuzz factor: probabilities are clipped into [EPSILON, 1 - EPSILON] before their logarithm. */
export const EPSILON = 1e-7;

export interface LossOptions {
  /** Default `sumOverBatchSize` (Keras' `sum_over_batch_size`). */
  readonly reduction?: Reduction;
  /** Name in logs and errors (default the loss's own, `meanSquaredError`, ...). */
  readonly name?: string;
}

/** What weights a loss: the predictions' mask and sample weights. */
export interface LossWeighting<T> {
  /** `[batch, time]`, 1 for valid steps and 0 for masked ones (from `model.applyWithMasks`). */
  readonly mask?: T | undefined;
  /** `[batch]` (one weight per sample) or `[batch, time]` (per step), or the shape of the per-sample values. */
  readonly sampleWeight?: T | undefined;
}

export function checkReduction(argument: string, value: unknown): Reduction {
  if (typeof value === 'string' && value in KERAS_REDUCTIONS) return KERAS_REDUCTIONS[value]!;
  return checkOneOf(argument, value, REDUCTIONS);
}

export abstract class Loss {
  /** Keras' class name (`MeanSquaredError`, `SparseCategoricalCrossentropy`, ...). */
  abstract readonly className: string;
  readonly name: string;
  readonly reduction: Reduction;

  /** @param own - the subclass's option keys besides `name` and `reduction`, for the unknown-key check. */
  constructor(defaultName: string, options: LossOptions = {}, own: readonly string[] = []) {
    if (typeof options !== 'object' || options === null)
      invalidArgument(`${defaultName}(options)`, options, 'an object');
    checkOptions(`${defaultName} options`, options, ['name', 'reduction', ...own]);
    this.name = options.name ?? defaultName;
    if (typeof this.name !== 'string' || this.name.length === 0)
      invalidArgument(`${defaultName} name`, options.name, 'a non-empty string');
    this.reduction = checkReduction(`${this.name} reduction`, options.reduction ?? 'sumOverBatchSize');
  }

  /**
   * Checks that `yTrue` fits `yPred` and returns the labels in the form `values` expects (a new tensor or `yTrue`
   * itself). Throws a `SeqmodelError` naming the loss and both shapes.
   */
  abstract prepareLabels<T>(backend: Backend<T>, yTrue: T, yPred: T): T;

  /** Per-sample values (the predictions' shape without the last axis) for labels from `prepareLabels`. */
  abstract values<T>(backend: Backend<T>, yTrue: T, yPred: T): T;

  /**
   * The loss: labels checked, per-sample values weighted and reduced. Returns a scalar (or the weighted values for
   * `reduction: 'none'`); intermediates are freed.
   */
  compute<T>(backend: Backend<T>, yTrue: T, yPred: T, weighting: LossWeighting<T> = {}): T {
    if (!backend.isTensor(yPred)) invalidArgument(`${this.name} predictions`, yPred, 'a tensor');
    if (!backend.isTensor(yTrue)) invalidArgument(`${this.name} labels`, yTrue, 'a tensor');
    return backend.tidy(() => {
      const labels = this.prepareLabels(backend, yTrue, yPred);
      const values = this.values(backend, labels, yPred);
      return reduceWeighted(backend, this.name, values, weighting, this.reduction);
    });
  }

  /** Config for messages and serialization. */
  getConfig(): Record<string, unknown> {
    return { name: this.name, reduction: this.reduction };
  }
}

/**
 * The combined weight of each per-sample value (`sampleWeight` times `mask`, broadcast to `valuesShape`), or
 * undefined when there is neither. Shapes that do not fit are errors naming `what`.
 */
export function combinedWeights<T>(
  backend: Backend<T>,
  what: string,
  valuesShape: readonly number[],
  weighting: LossWeighting<T>,
): { weights: T | undefined; mask: T | undefined } {
  const mask =
    weighting.mask === undefined
      ? undefined
      : fitWeight(backend, `${what} mask`, weighting.mask, valuesShape);
  const sample =
    weighting.sampleWeight === undefined
      ? undefined
      : fitWeight(backend, `${what} sampleWeight`, weighting.sampleWeight, valuesShape);
  if (mask === undefined) return { weights: sample, mask };
  return { weights: sample === undefined ? mask : backend.mul(sample, mask), mask };
}

/**
 * `weight` in a shape that broadcasts against per-sample values of `valuesShape`: equal shapes, a leading prefix
 * (`[batch]` against `[batch, time]` becomes `[batch, 1]`), or the values' shape with a trailing 1.
 */
function fitWeight<T>(backend: Backend<T>, argument: string, weight: T, valuesShape: readonly number[]): T {
  if (!backend.isTensor(weight)) invalidArgument(argument, weight, 'a tensor');
  const shape = backend.shape(weight);
  const w = backend.dtype(weight) === 'float32' ? weight : backend.cast(weight, 'float32');
  if (shapesEqual(shape, valuesShape)) return w;
  if (shape.length === valuesShape.length + 1 && shape[shape.length - 1] === 1) {
    if (shapesEqual(shape.slice(0, -1), valuesShape)) return backend.reshape(w, valuesShape);
  }
  if (shape.length < valuesShape.length && shapesEqual(shape, valuesShape.slice(0, shape.length))) {
    return backend.reshape(w, [...shape, ...valuesShape.slice(shape.length).map(() => 1)]);
  }
  // A mask reaches the loss from the input's mask or lengths: they need outputs that keep the time axis.
  const origin = argument.endsWith(' mask')
    ? " (the output mask comes from the input's mask or lengths, which apply to a time axis the output keeps)"
    : '';
  throw new SeqmodelError(
    `${argument}: shape ${formatShape(shape)} does not fit the per-sample loss values ${formatShape(valuesShape)}: ` +
      `expected ${formatShape(valuesShape)} or a leading part of it such as ${formatShape(valuesShape.slice(0, 1))}${origin}`,
  );
}

/** Weights and reduces per-sample values as `reduction` says (see the module comment). */
export function reduceWeighted<T>(
  backend: Backend<T>,
  what: string,
  values: T,
  weighting: LossWeighting<T>,
  reduction: Reduction,
): T {
  const shape = backend.shape(values);
  const { weights, mask } = combinedWeights(backend, what, shape, weighting);
  const weighted = weights === undefined ? values : backend.mul(values, weights);
  switch (reduction) {
    case 'none':
      return weighted;
    case 'sum':
      return backend.sum(weighted);
    case 'sumOverBatchSize': {
      const total = backend.sum(weighted);
      // With a mask, Keras divides by the number of valid values (plus 1e-7); here exactly by it, and 0 / 0 = 0.
      if (mask !== undefined) return backend.div(total, backend.maximum(backend.sum(mask), EPSILON));
      return backend.div(total, Math.max(sizeOfShape(shape), 1));
    }
    case 'meanWithSampleWeight': {
      const total = backend.sum(weighted);
      if (weights !== undefined) return backend.div(total, backend.maximum(backend.sum(weights), EPSILON));
      return backend.div(total, Math.max(sizeOfShape(shape), 1));
    }
  }
}

/** A loss that compares labels and predictions entry by entry: its labels are checked by `sameShapeLabels`. */
export abstract class SameShapeLoss extends Loss {
  prepareLabels<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    return sameShapeLabels(backend, this.name, yTrue, yPred);
  }
}

/**
 * Labels for losses that compare labels and predictions entry by entry: the predictions' shape, or (for predictions
 * whose last axis is 1) the shape without that axis, which is expanded. Anything else is an error that names the
 * loss and both shapes; tensors would otherwise broadcast silently (`[32]` against `[32, 1]` gives `[32, 32]`).
 */
export function sameShapeLabels<T>(backend: Backend<T>, lossName: string, yTrue: T, yPred: T): T {
  const pred = backend.shape(yPred);
  const labels = backend.shape(yTrue);
  const y = backend.dtype(yTrue) === 'float32' ? yTrue : backend.cast(yTrue, 'float32');
  if (shapesEqual(labels, pred)) return y;
  if (pred.length >= 1 && pred[pred.length - 1] === 1 && shapesEqual(labels, pred.slice(0, -1))) {
    return backend.reshape(y, pred);
  }
  throw new SeqmodelError(
    `${lossName}: labels shape ${formatShape(labels)} does not fit predictions ${formatShape(pred)}: expected ${formatShape(pred)}`,
  );
}
