/**
 * `fit`'s `classWeight` (Keras' `class_weight`): a weight per class, turned into a weight per target and multiplied
 * into the sample weights. A target's class is its label (sparse labels, rounded as Keras does) or the index of its
 * largest entry (one-hot or probability targets, the model's output shape). As in Keras 2, every class found in the
 * targets needs a weight: a class left out is an error rather than a silent weight of 1. Computed on the host: the
 * targets are read once per `fit` for in-memory data, once per batch for datasets.
 */
import {
  type Backend,
  formatShape,
  invalidArgument,
  isPlainObject,
  SeqmodelError,
  unravelIndex,
} from '@seqmodel/core';
import type { ShapeSpec } from '../../engine/shape-spec.js';

/** Weights by class index: `{ 0: 1, 1: 5 }` or a `Map`. */
export type ClassWeight = Readonly<Record<number, number>> | ReadonlyMap<number, number>;

/** Checks `classWeight` and returns it as a map; keys are class indices (integers >= 0), values finite and >= 0. */
export function checkClassWeight(argument: string, value: unknown): Map<number, number> {
  const entries =
    value instanceof Map
      ? [...value.entries()]
      : isPlainObject(value)
        ? Object.entries(value)
        : invalidArgument(
            argument,
            value,
            'an object (or Map) of weights by class index, e.g. { 0: 1, 1: 5 }',
          );
  if (entries.length === 0) invalidArgument(argument, value, 'at least one class');
  const out = new Map<number, number>();
  for (const [key, weight] of entries) {
    const index = typeof key === 'number' ? key : /^\d+$/.test(key) ? Number(key) : Number.NaN;
    if (!Number.isSafeInteger(index) || index < 0) {
      invalidArgument(`${argument} key`, key, 'a class index (an integer >= 0)');
    }
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
      invalidArgument(`${argument}[${index}]`, weight, 'a finite number >= 0');
    }
    out.set(index, weight);
  }
  return out;
}

/**
 * The class of each target and the shape of the weights: one-hot / probability targets (the output's shape, last
 * axis > 1) take the index of their largest entry; sparse labels (the output's shape without its last axis, or with
 * a last axis of 1) are rounded.
 */
function classesOf(
  labels: ArrayLike<number>,
  shape: readonly number[],
  outputShape: ShapeSpec,
  argument: string,
): { classes: Int32Array; shape: number[] } {
  const last = shape[shape.length - 1] ?? 1;
  if (shape.length === outputShape.length && last > 1) {
    const rows = labels.length / last;
    const classes = new Int32Array(rows);
    for (let r = 0; r < rows; r++) {
      let best = 0;
      for (let k = 1; k < last; k++) if (labels[r * last + k]! > labels[r * last + best]!) best = k;
      classes[r] = best;
    }
    return { classes, shape: shape.slice(0, -1) };
  }
  if (shape.length === outputShape.length || shape.length === outputShape.length - 1) {
    const weightShape = shape.length === outputShape.length ? shape.slice(0, -1) : [...shape];
    return { classes: Int32Array.from(labels, (v) => Math.round(v)), shape: weightShape };
  }
  throw new SeqmodelError(
    `${argument}: targets of shape ${formatShape(shape)} do not fit the model output ${formatShape(outputShape.map((d) => d ?? -1))}: ` +
      'expected sparse labels (the output shape without its last axis) or one-hot targets (the output shape)',
  );
}

/**
 * A new float32 tensor of sample weights: each target's class weight, times `sampleWeight` when given (`[batch]` or
 * a leading part of the weights' shape, broadcast). `what` names the call in errors.
 */
export function classWeightedSampleWeight<T>(
  backend: Backend<T>,
  targets: T,
  sampleWeight: T | undefined,
  classWeight: ReadonlyMap<number, number>,
  outputShape: ShapeSpec,
  what: string,
): T {
  const argument = `${what} classWeight`;
  const { classes, shape } = classesOf(
    backend.dataSync(targets),
    backend.shape(targets),
    outputShape,
    argument,
  );
  const weights = new Float32Array(classes.length);
  for (let i = 0; i < classes.length; i++) {
    const w = classWeight.get(classes[i]!);
    if (w === undefined) {
      throw new SeqmodelError(
        `${argument}: expected a weight for every class of the targets, received none for class ${classes[i]} ` +
          `(target at index ${formatShape(unravelIndex(i, shape))}); classWeight gives classes ${[...classWeight.keys()].sort((a, b) => a - b).join(', ')}`,
      );
    }
    weights[i] = w;
  }
  if (sampleWeight !== undefined) {
    const sw = backend.dataSync(sampleWeight);
    const swShape = backend.shape(sampleWeight);
    if (swShape.length > shape.length || swShape.some((d, i) => d !== shape[i])) {
      throw new SeqmodelError(
        `${what} sampleWeight: shape ${formatShape(swShape)} does not combine with classWeight's per-target weights ${formatShape(shape)}: expected ${formatShape(shape)} or a leading part of it`,
      );
    }
    const repeat = weights.length / Math.max(sw.length, 1);
    for (let i = 0; i < weights.length; i++) weights[i] = weights[i]! * sw[Math.floor(i / repeat)]!;
  }
  return backend.tensor(weights, shape);
}
