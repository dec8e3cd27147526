/**
 * Metrics by name (Keras' names and aliases) and custom metrics from a function. A name given as a string is also
 * the metric's name in logs (`metrics: ['mae']` logs `mae` and `val_mae`), as in Keras 3.
 */
import { type Backend, didYouMean, invalidArgument, SeqmodelError } from '@seqmodel/core';
import { BinaryCrossentropy } from '../losses/crossentropy.js';
import { crossentropyOf, normalizeName } from '../losses/index.js';
import type { Loss } from '../losses/loss.js';
import { Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy } from './accuracy.js';
import { AUC } from './auc.js';
import { MeanMetric, Metric } from './metric.js';
import { Perplexity } from './perplexity.js';
import { Precision, Recall } from './precision-recall.js';
import { MeanAbsoluteErrorMetric, MeanSquaredErrorMetric, RootMeanSquaredErrorMetric } from './regression.js';
import { SparseTopKCategoricalAccuracy, TopKCategoricalAccuracy } from './top-k.js';

export {
  Accuracy,
  accuracy,
  accuracyKind,
  BinaryAccuracy,
  type BinaryAccuracyOptions,
  binaryAccuracy,
  CategoricalAccuracy,
  categoricalAccuracy,
  SparseCategoricalAccuracy,
  sparseCategoricalAccuracy,
} from './accuracy.js';
export { AUC, type AucCurve, type AucOptions, type AucSummation, auc } from './auc.js';
export { MeanMetric, Metric } from './metric.js';
export { Perplexity, type PerplexityOptions, perplexity } from './perplexity.js';
export {
  Precision,
  type PrecisionRecallOptions,
  precision,
  Recall,
  recall,
} from './precision-recall.js';
export {
  MeanAbsoluteErrorMetric,
  MeanSquaredErrorMetric,
  meanAbsoluteError,
  meanSquaredError,
  RootMeanSquaredErrorMetric,
  rootMeanSquaredError,
} from './regression.js';
export {
  SparseTopKCategoricalAccuracy,
  sparseTopKCategoricalAccuracy,
  type TopKAccuracyOptions,
  TopKCategoricalAccuracy,
  topKCategoricalAccuracy,
} from './top-k.js';

/** Per-sample metric values from labels and predictions (the last axis reduced), for `customMetric`. */
export type MetricFunction = <T>(backend: Backend<T>, yTrue: T, yPred: T) => T;

class FunctionMetric extends MeanMetric {
  constructor(
    name: string,
    private readonly fn: MetricFunction,
  ) {
    super(name);
    if (typeof fn !== 'function') invalidArgument(`customMetric(${name}) fn`, fn, 'a function');
  }

  protected values<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    const out = this.fn(backend, yTrue, yPred);
    if (!backend.isTensor(out)) invalidArgument(`${this.name} (custom metric) result`, out, 'a tensor');
    return out;
  }
}

/** A mean metric from `fn(backend, yTrue, yPred)` returning per-sample values; masks and weights apply. */
export function customMetric(name: string, fn: MetricFunction): MeanMetric {
  return new FunctionMetric(name, fn);
}

/** What the compiled loss tells a metric given by name: logits or probabilities. */
interface MetricContext {
  readonly loss?: Loss;
}

/**
 * Whether the compiled loss is a from-logits binary crossentropy: the predictions are then logits, so metrics given by
 * name threshold them at 0 (σ(0) = 0.5) or apply the sigmoid, where Keras' would read them as probabilities.
 */
function binaryLogits(c: MetricContext): boolean {
  return c.loss instanceof BinaryCrossentropy && c.loss.fromLogits;
}

const FACTORIES: ReadonlyArray<{
  readonly names: readonly string[];
  readonly make: (name: string, context: MetricContext) => Metric;
}> = [
  {
    names: ['accuracy', 'acc'],
    // Keras thresholds binary accuracy at 0.5 even for logits; with a from-logits loss 0 is the right threshold.
    make: (name, c) => new Accuracy({ name, threshold: binaryLogits(c) ? 0 : 0.5 }),
  },
  {
    names: ['binaryAccuracy'],
    make: (name, c) => new BinaryAccuracy({ name, threshold: binaryLogits(c) ? 0 : 0.5 }),
  },
  { names: ['categoricalAccuracy'], make: (name) => new CategoricalAccuracy({ name }) },
  { names: ['sparseCategoricalAccuracy'], make: (name) => new SparseCategoricalAccuracy({ name }) },
  { names: ['topKCategoricalAccuracy'], make: (name) => new TopKCategoricalAccuracy({ name }) },
  { names: ['sparseTopKCategoricalAccuracy'], make: (name) => new SparseTopKCategoricalAccuracy({ name }) },
  { names: ['meanSquaredError', 'mse'], make: (name) => new MeanSquaredErrorMetric({ name }) },
  { names: ['meanAbsoluteError', 'mae'], make: (name) => new MeanAbsoluteErrorMetric({ name }) },
  { names: ['rootMeanSquaredError', 'rmse'], make: (name) => new RootMeanSquaredErrorMetric({ name }) },
  { names: ['precision'], make: (name, c) => new Precision({ name, thresholds: binaryLogits(c) ? 0 : 0.5 }) },
  { names: ['recall'], make: (name, c) => new Recall({ name, thresholds: binaryLogits(c) ? 0 : 0.5 }) },
  { names: ['auc'], make: (name, c) => new AUC({ name, fromLogits: binaryLogits(c) }) },
  {
    names: ['perplexity'],
    make: (name, c) => new Perplexity({ name, fromLogits: crossentropyOf(c.loss)?.fromLogits ?? false }),
  },
];

/** Every metric name `getMetric` knows, with aliases. */
export function listMetrics(): string[] {
  return FACTORIES.map((f) => f.names.join(' / '));
}

/** What `compile` accepts as a metric: a name, a `Metric`, or a function returning per-sample values. */
export type MetricSpec = string | Metric | MetricFunction;

/**
 * A metric for `spec`. Names make new metrics named as given; `accuracy`, `binaryAccuracy` and `perplexity` follow
 * the compiled loss's `fromLogits`. Unknown names are errors that list the known ones.
 */
export function getMetric(spec: MetricSpec, context: MetricContext = {}, argument = 'metrics'): Metric {
  if (spec instanceof Metric) return spec;
  if (typeof spec === 'function') return customMetric(spec.name || 'metric', spec);
  if (typeof spec === 'string') {
    const key = normalizeName(spec);
    const found = FACTORIES.find((f) => f.names.some((n) => normalizeName(n) === key));
    if (found === undefined) {
      throw new SeqmodelError(
        `${argument}: unknown metric ${JSON.stringify(spec)}${didYouMean(
          spec,
          FACTORIES.flatMap((f) => f.names),
        )}; known metrics: ${listMetrics().join(', ')}`,
      );
    }
    return found.make(spec, context);
  }
  return invalidArgument(argument, spec, 'a metric name, a Metric object or a function');
}
