/**
 * A model's compile arguments (loss, metrics, loss weights) as JSON, so that `loadModel` can compile the model again
 * and training resumes where it stopped (Keras' `compile_config`). Built-in losses are saved with their config, names
 * as given; custom losses and metrics (functions, `customLoss`, `Metric` objects) are saved by name only, and loading
 * them needs the objects themselves (`loadModel(..., { compile: { loss, metrics } })`).
 */
import { SeqmodelError } from '@seqmodel/core';
import type { CompileArgs } from '../../training/compile.js';
import { CategoricalHinge, Hinge, SquaredHinge } from '../../training/losses/hinge.js';
import {
  BinaryCrossentropy,
  CategoricalCrossentropy,
  CustomLoss,
  type LossSpec,
  SparseCategoricalCrossentropy,
} from '../../training/losses/index.js';
import { Loss } from '../../training/losses/loss.js';
import { KLDivergence, Poisson } from '../../training/losses/probabilistic.js';
import {
  CosineSimilarity,
  Huber,
  LogCosh,
  MeanAbsoluteError,
  MeanAbsolutePercentageError,
  MeanSquaredError,
  MeanSquaredLogarithmicError,
} from '../../training/losses/regression.js';
import type { MetricSpec } from '../../training/metrics/index.js';
import type { DocumentChecker } from '../manifest-checks.js';

/** A loss as JSON: a name, a built-in loss with its config, or a custom loss known by name only. */
export type SerializedLoss =
  | string
  | { readonly className: string; readonly config: Record<string, unknown> }
  | { readonly custom: string };

/** A metric as JSON: a name, or a custom metric known by name only. */
export type SerializedMetric = string | { readonly custom: string };

/** Compile arguments as JSON (the optimizer is saved apart, with its state). */
export interface SerializedCompile {
  readonly loss: SerializedLoss | readonly SerializedLoss[] | Readonly<Record<string, SerializedLoss>>;
  readonly metrics?: readonly SerializedMetric[] | Readonly<Record<string, readonly SerializedMetric[]>>;
  readonly lossWeights?: readonly number[] | Readonly<Record<string, number>>;
}

type LossClass = new (config: Record<string, unknown>) => Loss;

const LOSSES: Readonly<Record<string, LossClass>> = {
  MeanSquaredError: MeanSquaredError as unknown as LossClass,
  MeanAbsoluteError: MeanAbsoluteError as unknown as LossClass,
  Huber: Huber as unknown as LossClass,
  MeanAbsolutePercentageError: MeanAbsolutePercentageError as unknown as LossClass,
  MeanSquaredLogarithmicError: MeanSquaredLogarithmicError as unknown as LossClass,
  LogCosh: LogCosh as unknown as LossClass,
  CosineSimilarity: CosineSimilarity as unknown as LossClass,
  KLDivergence: KLDivergence as unknown as LossClass,
  Poisson: Poisson as unknown as LossClass,
  Hinge: Hinge as unknown as LossClass,
  SquaredHinge: SquaredHinge as unknown as LossClass,
  CategoricalHinge: CategoricalHinge as unknown as LossClass,
  BinaryCrossentropy: BinaryCrossentropy as unknown as LossClass,
  CategoricalCrossentropy: CategoricalCrossentropy as unknown as LossClass,
  SparseCategoricalCrossentropy: SparseCategoricalCrossentropy as unknown as LossClass,
};

function serializeLoss(spec: LossSpec): SerializedLoss {
  if (typeof spec === 'string') return spec;
  if (spec instanceof Loss && !(spec instanceof CustomLoss) && Object.hasOwn(LOSSES, spec.className)) {
    return { className: spec.className, config: spec.getConfig() };
  }
  if (spec instanceof Loss) return { custom: spec.name };
  return { custom: (spec as { name?: string }).name || 'loss' };
}

function serializeMetric(spec: MetricSpec): SerializedMetric {
  if (typeof spec === 'string') return spec;
  return { custom: (spec as { name?: string }).name || 'metric' };
}

/** Maps an array, a record of values, or one value. */
function mapSpec<A, B>(
  spec: A | readonly A[] | Readonly<Record<string, A>>,
  one: (a: A) => B,
  isOne: (x: unknown) => boolean,
): B | B[] | Record<string, B> {
  if (Array.isArray(spec)) return spec.map(one);
  if (isOne(spec)) return one(spec as A);
  return Object.fromEntries(Object.entries(spec as Record<string, A>).map(([k, v]) => [k, one(v)]));
}

const isLossLeaf = (x: unknown) => typeof x !== 'object' || x === null || x instanceof Loss;

/** The JSON of compile arguments (the optimizer left out). */
export function serializeCompile(args: CompileArgs): SerializedCompile {
  const metrics = args.metrics;
  return {
    loss: mapSpec(args.loss as LossSpec, serializeLoss, isLossLeaf) as SerializedCompile['loss'],
    ...(metrics === undefined
      ? {}
      : {
          metrics: Array.isArray(metrics)
            ? metrics.map(serializeMetric)
            : Object.fromEntries(
                Object.entries(metrics as Record<string, readonly MetricSpec[]>).map(([k, v]) => [
                  k,
                  v.map(serializeMetric),
                ]),
              ),
        }),
    ...(args.lossWeights === undefined ? {} : { lossWeights: structuredClone(args.lossWeights) }),
  };
}

/** Checks the JSON of compile arguments (`field` is where it sits in the document). */
export function checkSerializedCompile(
  check: DocumentChecker,
  field: string,
  value: unknown,
): SerializedCompile {
  const doc = check.object(field, value, ['loss'], ['metrics', 'lossWeights']);
  const leafLoss = (f: string, v: unknown): void => {
    if (typeof v === 'string') {
      check.string(f, v);
      return;
    }
    const o = check.object(f, v, [], ['className', 'config', 'custom']);
    if (o.custom !== undefined) {
      check.object(f, v, ['custom']);
      check.string(`${f}.custom`, o.custom);
    } else {
      check.object(f, v, ['className', 'config']);
      check.oneOf(`${f}.className`, o.className, Object.keys(LOSSES));
      check.object(`${f}.config`, o.config, [], [], true);
    }
  };
  const perOutput = (
    f: string,
    v: unknown,
    leaf: (f: string, v: unknown) => void,
    isLeaf: (v: unknown) => boolean,
  ) => {
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) leaf(`${f}[${i}]`, x);
    } else if (isLeaf(v)) leaf(f, v);
    else for (const [k, x] of Object.entries(check.object(f, v, [], [], true))) leaf(`${f}.${k}`, x);
  };
  const isSerializedLossLeaf = (v: unknown) =>
    typeof v !== 'object' || v === null || 'className' in v || 'custom' in v;
  perOutput(`${field}.loss`, doc.loss, leafLoss, isSerializedLossLeaf);
  const leafMetric = (f: string, v: unknown): void => {
    if (typeof v === 'string') check.string(f, v);
    else check.string(`${f}.custom`, check.object(f, v, ['custom']).custom);
  };
  if (doc.metrics !== undefined) {
    if (Array.isArray(doc.metrics)) {
      for (const [i, m] of doc.metrics.entries()) leafMetric(`${field}.metrics[${i}]`, m);
    } else {
      for (const [k, list] of Object.entries(check.object(`${field}.metrics`, doc.metrics, [], [], true))) {
        for (const [i, m] of check.array(`${field}.metrics.${k}`, list).entries()) {
          leafMetric(`${field}.metrics.${k}[${i}]`, m);
        }
      }
    }
  }
  if (doc.lossWeights !== undefined) {
    const weights = doc.lossWeights;
    const entries = Array.isArray(weights)
      ? weights.map((w, i) => [`[${i}]`, w] as const)
      : Object.entries(check.object(`${field}.lossWeights`, weights, [], [], true)).map(
          ([k, w]) => [`.${k}`, w] as const,
        );
    for (const [k, w] of entries) check.number(`${field}.lossWeights${k}`, w);
  }
  return doc as unknown as SerializedCompile;
}

/**
 * Compile arguments (without the optimizer) from their JSON; `given` replaces parts of it (a user's custom loss, say).
 * A custom loss or metric the JSON knows only by name, and that `given` does not replace, is an error naming it.
 */
export function deserializeCompile(
  saved: SerializedCompile,
  given: Partial<CompileArgs>,
  what: string,
): Omit<CompileArgs, 'optimizer'> {
  const custom: string[] = [];
  const loss =
    given.loss ??
    (mapSpec(
      saved.loss as SerializedLoss,
      (s: SerializedLoss): LossSpec => {
        if (typeof s === 'string') return s;
        if ('custom' in s) {
          custom.push(`loss ${JSON.stringify(s.custom)}`);
          return s.custom;
        }
        return new LOSSES[s.className]!(s.config);
      },
      (x) => typeof x !== 'object' || x === null || 'className' in x || 'custom' in x,
    ) as CompileArgs['loss']);
  const metricOf = (s: SerializedMetric): MetricSpec => {
    if (typeof s === 'string') return s;
    custom.push(`metric ${JSON.stringify(s.custom)}`);
    return s.custom;
  };
  const metrics =
    given.metrics ??
    (saved.metrics === undefined
      ? undefined
      : Array.isArray(saved.metrics)
        ? saved.metrics.map(metricOf)
        : Object.fromEntries(
            Object.entries(saved.metrics as Record<string, readonly SerializedMetric[]>).map(([k, v]) => [
              k,
              v.map(metricOf),
            ]),
          ));
  if (custom.length > 0) {
    throw new SeqmodelError(
      `${what}: the model was compiled with custom ${custom.join(', ')}, saved by name only; pass them in options.compile ({ loss, metrics }), or compile: false to load the model uncompiled`,
    );
  }
  const lossWeights = given.lossWeights ?? saved.lossWeights;
  return {
    loss,
    ...(metrics === undefined ? {} : { metrics }),
    ...(lossWeights === undefined ? {} : { lossWeights }),
  };
}
