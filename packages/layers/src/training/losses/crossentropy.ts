/**
 * Crossentropy losses, from probabilities or from logits (`fromLogits`), as Keras 3 computes them:
 * - from logits through log-softmax / softplus, which never take the logarithm of 0;
 * - from probabilities after clipping into [1e-7, 1 − 1e-7] (categorical ones first renormalise each row to sum 1).
 */
import {
  type Backend,
  checkBoolean,
  checkNumberInRange,
  formatShape,
  logSoftmax,
  mean,
  SeqmodelError,
  shapesEqual,
  softplus,
} from '@seqmodel/core';
import { EPSILON, Loss, type LossOptions, SameShapeLoss } from './loss.js';

export interface CrossentropyOptions extends LossOptions {
  /** Predictions are logits (unnormalised scores) rather than probabilities (default false). */
  readonly fromLogits?: boolean;
}

export interface SmoothedCrossentropyOptions extends CrossentropyOptions {
  /**
   * Label smoothing in [0, 1]: one-hot labels move towards uniform, `y·(1 − s) + s/classes` (categorical) or
   * `y·(1 − s) + s/2` (binary). Default 0.
   */
  readonly labelSmoothing?: number;
}

function checkFromLogits(name: string, value: unknown): boolean {
  return checkBoolean(`${name} fromLogits`, value ?? false);
}

/** log(p) of probabilities renormalised along the last axis and clipped into [ε, 1 − ε] (Keras 3). */
export function logProbabilities<T>(backend: Backend<T>, probabilities: T): T {
  const normalised = backend.div(probabilities, backend.sum(probabilities, -1, true));
  return backend.log(backend.clip(normalised, EPSILON, 1 - EPSILON));
}

/**
 * Binary crossentropy per entry, averaged over the last axis. From logits x and labels z:
 * softplus(x) − x·z (= max(x, 0) − x·z + log(1 + e^−|x|)); from probabilities p (clipped):
 * −(z·log p + (1 − z)·log(1 − p)).
 */
export class BinaryCrossentropy extends SameShapeLoss {
  readonly className = 'BinaryCrossentropy';
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;

  constructor(options: SmoothedCrossentropyOptions = {}) {
    super('binaryCrossentropy', options, ['fromLogits', 'labelSmoothing']);
    this.fromLogits = checkFromLogits(this.name, options.fromLogits);
    this.labelSmoothing = checkNumberInRange(
      `${this.name} labelSmoothing`,
      options.labelSmoothing ?? 0,
      0,
      1,
    );
  }

  values<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    const z =
      this.labelSmoothing > 0
        ? backend.add(backend.mul(yTrue, 1 - this.labelSmoothing), 0.5 * this.labelSmoothing)
        : yTrue;
    let perEntry: T;
    if (this.fromLogits) {
      perEntry = backend.sub(softplus(backend, yPred), backend.mul(yPred, z));
    } else {
      const p = backend.clip(yPred, EPSILON, 1 - EPSILON);
      const positive = backend.mul(z, backend.log(p));
      const negative = backend.mul(backend.sub(1, z), backend.log(backend.sub(1, p)));
      perEntry = backend.neg(backend.add(positive, negative));
    }
    return mean(backend, perEntry, -1);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing };
  }
}

/** −Σ y·log p over the last axis, with one-hot (or soft) labels of the predictions' shape. */
export class CategoricalCrossentropy extends Loss {
  readonly className = 'CategoricalCrossentropy';
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;

  constructor(options: SmoothedCrossentropyOptions = {}) {
    super('categoricalCrossentropy', options, ['fromLogits', 'labelSmoothing']);
    this.fromLogits = checkFromLogits(this.name, options.fromLogits);
    this.labelSmoothing = checkNumberInRange(
      `${this.name} labelSmoothing`,
      options.labelSmoothing ?? 0,
      0,
      1,
    );
  }

  prepareLabels<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    const pred = backend.shape(yPred);
    const labels = backend.shape(yTrue);
    if (!shapesEqual(labels, pred)) {
      const sparseHint =
        shapesEqual(labels, pred.slice(0, -1)) ||
        (labels.length === pred.length && labels[labels.length - 1] === 1)
          ? ' of one-hot rows (class ids need sparseCategoricalCrossentropy)'
          : ' of one-hot rows';
      throw new SeqmodelError(
        `${this.name}: labels shape ${formatShape(labels)} does not fit predictions ${formatShape(pred)}: expected ${formatShape(pred)}${sparseHint}`,
      );
    }
    return backend.dtype(yTrue) === 'float32' ? yTrue : backend.cast(yTrue, 'float32');
  }

  values<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    const shape = backend.shape(yPred);
    const classes = shape[shape.length - 1]!;
    const y =
      this.labelSmoothing > 0
        ? backend.add(backend.mul(yTrue, 1 - this.labelSmoothing), this.labelSmoothing / classes)
        : yTrue;
    const logP = this.fromLogits ? logSoftmax(backend, yPred) : logProbabilities(backend, yPred);
    return backend.neg(backend.sum(backend.mul(y, logP), -1));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing };
  }
}

/**
 * −log p[label] with integer class ids as labels: shape of the predictions without the last axis (or with a last
 * axis of 1), int32 or whole float32 values in [0, classes). The ids are read back to check them: an id out of
 * range is an error rather than a silent zero row.
 */
export class SparseCategoricalCrossentropy extends Loss {
  readonly className = 'SparseCategoricalCrossentropy';
  readonly fromLogits: boolean;

  constructor(options: CrossentropyOptions = {}) {
    super('sparseCategoricalCrossentropy', options, ['fromLogits']);
    this.fromLogits = checkFromLogits(this.name, options.fromLogits);
  }

  prepareLabels<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    return sparseLabels(backend, this.name, yTrue, yPred);
  }

  values<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    const shape = backend.shape(yPred);
    const oneHot = backend.oneHot(yTrue, shape[shape.length - 1]!);
    const logP = this.fromLogits ? logSoftmax(backend, yPred) : logProbabilities(backend, yPred);
    return backend.neg(backend.sum(backend.mul(oneHot, logP), -1));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), fromLogits: this.fromLogits };
  }
}

/**
 * Class-id labels for predictions `[..., classes]`: int32 of shape `[...]`, checked (shape, whole values, range).
 * `what` names the loss or metric in errors.
 */
export function sparseLabels<T>(
  backend: Backend<T>,
  what: string,
  yTrue: T,
  yPred: T,
  /** What takes one-hot labels instead, for the hint when they are given. */
  oneHotCounterpart = 'categoricalCrossentropy',
): T {
  const pred = backend.shape(yPred);
  const labels = backend.shape(yTrue);
  const classes = pred[pred.length - 1];
  const expected = pred.slice(0, -1);
  const fits =
    pred.length >= 2 &&
    (shapesEqual(labels, expected) ||
      (labels.length === pred.length &&
        labels[labels.length - 1] === 1 &&
        shapesEqual(labels.slice(0, -1), expected)));
  if (!fits) {
    const hint =
      shapesEqual(labels, pred) && pred.length >= 2 ? ` (one-hot labels need ${oneHotCounterpart})` : '';
    throw new SeqmodelError(
      `${what}: labels shape ${formatShape(labels)} does not fit predictions ${formatShape(pred)}: expected ${formatShape(expected)} of int class ids in [0, ${classes})${hint}`,
    );
  }
  const ids = backend.dataSync(yTrue);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (!Number.isInteger(id) || id < 0 || id >= classes!) {
      throw new SeqmodelError(
        `${what}: labels must be int class ids in [0, ${classes}) for predictions ${formatShape(pred)}, received ${id} at flat index ${i} of labels ${formatShape(labels)}`,
      );
    }
  }
  const reshaped = labels.length === expected.length ? yTrue : backend.reshape(yTrue, expected);
  return backend.dtype(reshaped) === 'int32' ? reshaped : backend.cast(reshaped, 'int32');
}

/** Binary crossentropy (`'binaryCrossentropy'`, `'bce'`). */
export function binaryCrossentropy(options?: SmoothedCrossentropyOptions): BinaryCrossentropy {
  return new BinaryCrossentropy(options);
}

/** Categorical crossentropy with one-hot labels (`'categoricalCrossentropy'`). */
export function categoricalCrossentropy(options?: SmoothedCrossentropyOptions): CategoricalCrossentropy {
  return new CategoricalCrossentropy(options);
}

/** Categorical crossentropy with class-id labels (`'sparseCategoricalCrossentropy'`). */
export function sparseCategoricalCrossentropy(options?: CrossentropyOptions): SparseCategoricalCrossentropy {
  return new SparseCategoricalCrossentropy(options);
}
