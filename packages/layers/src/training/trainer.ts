/**
 * Training a model: what `model.compile` sets up and `fit`, `evaluate`, `trainOnBatch` and `testOnBatch` run.
 *
 * A training step is one `backend.valueAndGrads` over `model.applyWithMasks(x, { training: true, weights, rng })`
 * and the compiled losses (each output's mask excludes its masked steps), followed by the optimizer's update. Dropout
 * masks come from a seeded stream per step, and shuffling from a seeded permutation per epoch, so the same seed on
 * the same backend gives bit-identical weights.
 */
import {
  type Backend,
  checkBoolean,
  checkPositiveInteger,
  createRng,
  invalidArgument,
  type Rng,
  SeqmodelError,
} from '@seqmodel/core';
import { LayerNode } from '../engine/symbolic.js';
import type { ApplyOptions, Model } from '../models/model.js';
import {
  type CallbackLike,
  CallbackList,
  checkCallback,
  type Logs,
  type TrainingParams,
} from './callbacks/callback.js';
import { History } from './callbacks/history.js';
import { ProgressBar } from './callbacks/progress-bar.js';
import {
  type Batch,
  batchFromDataset,
  type Dataset,
  DatasetReader,
  InMemoryData,
  isDataset,
  type LengthsLike,
  releaseBatch,
  type TensorLike,
  type TensorsLike,
} from './data.js';
import { getLoss, type LossSpec } from './losses/index.js';
import type { Loss, LossWeighting } from './losses/loss.js';
import { getMetric, type MetricSpec } from './metrics/index.js';
import type { Metric } from './metrics/metric.js';
import { getOptimizer, type Optimizer, type OptimizerVariable } from './optimizers/index.js';
import {
  type Carry,
  checkTbptt,
  chunkOf,
  detachCarry,
  disposeCarry,
  sequenceLength,
  type TbpttOptions,
} from './tbptt.js';

/** What `model.compile` takes. */
export interface CompileArgs {
  /** An optimizer, or its name with Keras' defaults (`'adam'`, `'sgd'`, `'rmsprop'`, `'adagrad'`, `'adamw'`). */
  readonly optimizer: string | Optimizer;
  /** One loss for every output, one per output, or one per output name. */
  readonly loss: LossSpec | readonly LossSpec[] | Readonly<Record<string, LossSpec>>;
  /** Metrics for every output (names, `Metric`s or functions), or per output name. */
  readonly metrics?: readonly MetricSpec[] | Readonly<Record<string, readonly MetricSpec[]>>;
  /** Weights of the outputs' losses in the total (default 1 each), in output order or by output name. */
  readonly lossWeights?: readonly number[] | Readonly<Record<string, number>>;
}

/** Masks, lengths and sample weights for in-memory data. */
export interface DataOptions<T> {
  /** `[n, time]` mask of the (first) input, or one per input. */
  readonly mask?: TensorLike<T> | readonly (TensorLike<T> | undefined)[];
  /** Valid lengths of the (first) input's sequences, or one array per input. */
  readonly lengths?: LengthsLike<T> | readonly (LengthsLike<T> | undefined)[];
  /** `[n]` per sample or `[n, time]` per step; a weight of 0 leaves that target out. */
  readonly sampleWeight?: TensorLike<T>;
}

/** Validation data: `[x, y]`, `[x, y, sampleWeight]`, an object, or a dataset. */
export type ValidationData<T> =
  | readonly [TensorsLike<T>, TensorsLike<T>]
  | readonly [TensorsLike<T>, TensorsLike<T>, TensorLike<T>]
  | ({ readonly x: TensorsLike<T>; readonly y: TensorsLike<T> } & DataOptions<T>)
  | Dataset<T>;

/** Options shared by `fit` over arrays and over datasets. */
export interface FitBaseOptions<T> {
  /** Epochs to train until (default 1); with `initialEpoch`, the index of the last epoch plus one. */
  readonly epochs?: number;
  /** The epoch to start from (default 0), to resume a run. */
  readonly initialEpoch?: number;
  readonly callbacks?: readonly CallbackLike[];
  /**
   * `'auto'` (default) and 1: a progress bar on `process.stdout` (quiet when it is not a terminal); 2: one line per
   * epoch; 0: nothing.
   */
  readonly verbose?: 0 | 1 | 2 | 'auto';
  /** Seed of the shuffle and the dropout masks (default: derived from the model's seed and the number of fit calls). */
  readonly seed?: number | string;
  readonly validationData?: ValidationData<T>;
  /** Batch size for in-memory validation data (default `batchSize`). */
  readonly validationBatchSize?: number;
  /** Batches to read from a validation dataset (default: all of it). */
  readonly validationSteps?: number;
  /** Validate every this many epochs (default 1). */
  readonly validationFreq?: number;
  /** Truncated backpropagation through time: cut each batch into chunks of `steps` time steps (see `tbptt.ts`). */
  readonly tbptt?: TbpttOptions;
}

/** `fit(x, y, options)`. */
export interface FitOptions<T> extends FitBaseOptions<T>, DataOptions<T> {
  /** Rows per batch (default 32). */
  readonly batchSize?: number;
  /** Shuffle the rows every epoch (default true), with `seed`. */
  readonly shuffle?: boolean;
  /** The last fraction of the rows (before shuffling) is held out for validation, as Keras. */
  readonly validationSplit?: number;
}

/** `fit(dataset, options)`. */
export interface FitDatasetOptions<T> extends FitBaseOptions<T> {
  /**
   * Batches per epoch. Without it an epoch is one pass over the dataset. With it, epochs draw that many batches in
   * turn from one pass, starting a new pass when one ends (a one-shot iterator that runs out ends training).
   */
  readonly stepsPerEpoch?: number;
}

/** `evaluate(x, y, options)`. */
export interface EvaluateOptions<T> extends DataOptions<T> {
  /** Rows per batch (default 32). */
  readonly batchSize?: number;
}

/** `evaluate(dataset, options)`. */
export interface EvaluateDatasetOptions {
  /** Batches to read (default: the whole dataset). */
  readonly steps?: number;
}

/** `trainOnBatch` / `testOnBatch` options. */
export interface OnBatchOptions<T> extends DataOptions<T> {
  /** Seed of the dropout masks (trainOnBatch; default: a stream from the model's seed, one step after another). */
  readonly seed?: number | string;
}

/** How each output is trained. */
interface OutputSetup {
  readonly names: readonly string[];
  readonly losses: readonly Loss[];
  readonly weights: readonly number[];
  readonly metrics: readonly (readonly Metric[])[];
  /** Outputs with a time axis (rank 3 or more), for truncated BPTT. */
  readonly sequence: readonly boolean[];
}

/** Loss values of one step, read back. */
interface StepLosses {
  readonly total: number;
  readonly perOutput: readonly number[];
}

/** What a training step's forward pass keeps out of the gradient tape for the update and the metrics. */
interface KeptPass<T> {
  readonly outputs: T[];
  readonly masks: (T | undefined)[];
  readonly perOutput: T[];
}

/** Running means of the losses over an epoch, weighted by batch size (Keras 3). */
class LossTracker {
  private total = 0;
  private perOutput: number[] = [];
  private count = 0;

  add(losses: StepLosses, weight: number): void {
    this.total += losses.total * weight;
    losses.perOutput.forEach((v, i) => {
      this.perOutput[i] = (this.perOutput[i] ?? 0) + v * weight;
    });
    this.count += weight;
  }

  mean(): StepLosses {
    const c = this.count === 0 ? 1 : this.count;
    return { total: this.total / c, perOutput: this.perOutput.map((v) => v / c) };
  }

  reset(): void {
    this.total = 0;
    this.perOutput = [];
    this.count = 0;
  }
}

/** Checks an integer >= 0 (epochs); counts that must be positive use core's `checkPositiveInteger`. */
function checkCount(argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    invalidArgument(argument, value, 'an integer >= 0');
  }
  return value;
}

export class Trainer<T> {
  readonly optimizer: Optimizer;
  private readonly lossSpec: CompileArgs['loss'];
  private readonly metricSpec: CompileArgs['metrics'];
  private readonly lossWeightSpec: CompileArgs['lossWeights'];
  private setupCache: OutputSetup | undefined;
  private fitCalls = 0;
  private batchSteps = 0;

  constructor(
    private readonly model: Model<T>,
    args: CompileArgs,
  ) {
    const what = `${model.describe()} compile`;
    if (typeof args !== 'object' || args === null)
      invalidArgument(`${what}(args)`, args, 'an object { optimizer, loss, metrics? }');
    if (args.optimizer === undefined)
      throw new SeqmodelError(`${what}: give an optimizer (a name such as 'adam', or an optimizer object)`);
    if (args.loss === undefined)
      throw new SeqmodelError(`${what}: give a loss (a name such as 'mse', or a loss object)`);
    this.optimizer = getOptimizer(args.optimizer, `${what} optimizer`);
    this.lossSpec = args.loss;
    this.metricSpec = args.metrics;
    this.lossWeightSpec = args.lossWeights;
    // Names are checked now, so that a typo fails at compile rather than at the first batch.
    for (const [key, spec] of this.lossEntries()) getLoss(spec, `${what} loss${key}`);
    for (const [key, specs] of this.metricEntries()) {
      specs.forEach((spec, i) => {
        getMetric(spec, {}, `${what} metrics${key}[${i}]`);
      });
    }
    if (model.built) this.setup();
  }

  private lossEntries(): [string, LossSpec][] {
    const spec = this.lossSpec;
    if (Array.isArray(spec)) return spec.map((s, i) => [`[${i}]`, s]);
    if (typeof spec === 'object' && spec !== null && !('compute' in spec)) {
      return Object.entries(spec as Record<string, LossSpec>).map(([k, s]) => [`.${k}`, s]);
    }
    return [['', spec as LossSpec]];
  }

  private metricEntries(): [string, readonly MetricSpec[]][] {
    const spec = this.metricSpec;
    if (spec === undefined) return [];
    if (Array.isArray(spec)) return [['', spec]];
    if (typeof spec !== 'object' || spec === null) {
      invalidArgument(
        `${this.model.describe()} compile metrics`,
        spec,
        'an array of metrics, or arrays by output name',
      );
    }
    return Object.entries(spec as Record<string, readonly MetricSpec[]>).map(([k, s]) => {
      if (!Array.isArray(s))
        invalidArgument(`${this.model.describe()} compile metrics.${k}`, s, 'an array of metrics');
      return [`.${k}`, s];
    });
  }

  /** Output names: the layers that make them (`dense`, `decoder`, ...), with `_<i>` added where one repeats. */
  private outputNames(): string[] {
    const base = this.model.outputs.map((o) =>
      o.source instanceof LayerNode ? o.source.layer.name : 'output',
    );
    return base.map((name, i) => (base.indexOf(name) === base.lastIndexOf(name) ? name : `${name}_${i}`));
  }

  /** Resolves losses, weights and metrics per output (once the model is built). */
  private setup(): OutputSetup {
    if (this.setupCache !== undefined) return this.setupCache;
    const what = `${this.model.describe()} compile`;
    const names = this.outputNames();
    const count = names.length;
    const perOutput = <V>(spec: unknown, argument: string, isSingle: (v: unknown) => boolean): V[] => {
      if (isSingle(spec)) return names.map(() => spec as V);
      if (Array.isArray(spec)) {
        if (spec.length !== count) {
          throw new SeqmodelError(
            `${what} ${argument}: the model has ${count} output${count === 1 ? '' : 's'} (${names.join(', ')}), received ${spec.length} values`,
          );
        }
        return [...spec] as V[];
      }
      const record = spec as Record<string, V>;
      const unknown = Object.keys(record).filter((k) => !names.includes(k));
      if (unknown.length > 0) {
        throw new SeqmodelError(
          `${what} ${argument}: unknown outputs ${unknown.join(', ')}; the outputs are ${names.join(', ')}`,
        );
      }
      return names.map((n) => record[n] as V);
    };
    const lossSpecs = perOutput<LossSpec | undefined>(
      this.lossSpec,
      'loss',
      (v) =>
        typeof v === 'string' ||
        typeof v === 'function' ||
        (typeof v === 'object' && v !== null && 'compute' in v),
    );
    const losses = lossSpecs.map((spec, i) => {
      if (spec === undefined) throw new SeqmodelError(`${what} loss: no loss for output ${names[i]}`);
      // A Loss object shared by several outputs is fine: losses keep no state.
      return getLoss(spec, `${what} loss${count > 1 ? `.${names[i]}` : ''}`);
    });
    const weights =
      this.lossWeightSpec === undefined
        ? names.map(() => 1)
        : perOutput<number | undefined>(this.lossWeightSpec, 'lossWeights', () => false).map((w, i) => {
            const v = w ?? 1;
            if (typeof v !== 'number' || !Number.isFinite(v))
              invalidArgument(`${what} lossWeights.${names[i]}`, w, 'a finite number');
            return v;
          });
    const metricSpecs: (readonly MetricSpec[])[] =
      this.metricSpec === undefined
        ? names.map(() => [])
        : Array.isArray(this.metricSpec)
          ? names.map(() => this.metricSpec as readonly MetricSpec[])
          : perOutput<readonly MetricSpec[] | undefined>(this.metricSpec, 'metrics', () => false).map(
              (m) => m ?? [],
            );
    const seen = new Set<Metric>();
    const metrics = metricSpecs.map((specs, i) =>
      specs.map((spec, k) => {
        const metric = getMetric(spec, { loss: losses[i]! }, `${what} metrics[${k}]`);
        if (seen.has(metric)) {
          throw new SeqmodelError(
            `${what} metrics: the metric object ${metric.name} would be shared by several outputs; give metrics per output name ({ ${names.join(': [...], ')}: [...] }) or by name`,
          );
        }
        seen.add(metric);
        return metric;
      }),
    );
    const sequence = this.model.outputs.map((o) => o.shape.length >= 3);
    this.setupCache = { names, losses, weights, metrics, sequence };
    return this.setupCache;
  }

  /** Log names in order: `loss`, per-output losses (several outputs), then metrics. */
  logNames(): string[] {
    const s = this.setup();
    const several = s.names.length > 1;
    return [
      'loss',
      ...(several ? s.names.map((n) => `${n}_loss`) : []),
      ...s.metrics.flatMap((list, i) => list.map((m) => (several ? `${s.names[i]}_${m.name}` : m.name))),
    ];
  }

  private resetMetrics(): void {
    for (const list of this.setup().metrics) for (const m of list) m.resetState();
  }

  private logs(losses: StepLosses, prefix = ''): Logs {
    const s = this.setup();
    const several = s.names.length > 1;
    const out: Logs = { [`${prefix}loss`]: losses.total };
    if (several) {
      s.names.forEach((n, i) => {
        out[`${prefix}${n}_loss`] = losses.perOutput[i] ?? 0;
      });
    }
    s.metrics.forEach((list, i) => {
      for (const m of list) out[`${prefix}${several ? `${s.names[i]}_` : ''}${m.name}`] = m.result();
    });
    return out;
  }

  private applyOptions(batch: Batch<T>): Pick<ApplyOptions<T>, 'mask' | 'lengths'> {
    const single = batch.xs.length === 1;
    const out: { mask?: ApplyOptions<T>['mask']; lengths?: ApplyOptions<T>['lengths'] } = {};
    if (batch.masks.some((m) => m !== undefined)) out.mask = single ? batch.masks[0] : batch.masks;
    if (batch.lengths.some((l) => l !== undefined)) out.lengths = single ? batch.lengths[0] : batch.lengths;
    return out;
  }

  private inputs(batch: Batch<T>): T | T[] {
    return batch.xs.length === 1 ? batch.xs[0]! : batch.xs;
  }

  /**
   * The weighted total loss and each output's loss (scalars) for outputs `counted` (all by default), inside the
   * caller's tidy. Label errors name the model and, with several outputs, the output.
   */
  private lossesOf(
    outputs: readonly T[],
    masks: readonly (T | undefined)[],
    batch: Batch<T>,
    what: string,
    counted?: readonly boolean[],
  ): { total: T; perOutput: T[] } {
    const backend = this.model.backend;
    const s = this.setup();
    if (batch.ys.length !== outputs.length) {
      throw new SeqmodelError(
        `${what} y: the model has ${outputs.length} output${outputs.length === 1 ? '' : 's'} (${s.names.join(', ')}), received ${batch.ys.length} target tensor${batch.ys.length === 1 ? '' : 's'}`,
      );
    }
    const perOutput: T[] = [];
    let total: T | undefined;
    outputs.forEach((output, i) => {
      if (counted !== undefined && !counted[i]) {
        perOutput.push(backend.fill([], 0));
        return;
      }
      const loss = this.compareOutput(what, i, masks, batch, (weighting) =>
        s.losses[i]!.compute(backend, batch.ys[i]!, output, weighting),
      );
      if (backend.shape(loss).length !== 0) {
        throw new SeqmodelError(
          `${what}: the loss ${s.losses[i]!.name} must reduce to a scalar for training; reduction 'none' cannot be trained on`,
        );
      }
      perOutput.push(loss);
      const weighted = s.weights[i] === 1 ? loss : backend.mul(loss, s.weights[i]!);
      total = total === undefined ? weighted : backend.add(total, weighted);
    });
    return { total: total ?? backend.fill([], 0), perOutput };
  }

  private updateMetrics(
    outputs: readonly T[],
    masks: readonly (T | undefined)[],
    batch: Batch<T>,
    what: string,
    counted?: readonly boolean[],
  ): void {
    const backend = this.model.backend;
    const s = this.setup();
    s.metrics.forEach((list, i) => {
      if (counted !== undefined && !counted[i]) return;
      for (const metric of list) {
        this.compareOutput(what, i, masks, batch, (weighting) =>
          metric.updateState(backend, batch.ys[i]!, outputs[i]!, weighting),
        );
      }
    });
  }

  /**
   * Calls `compare` (a loss's `compute` or a metric's `updateState` on output `i`) with that output's mask and the
   * batch's sample weights; a `SeqmodelError` from it is rethrown under `what` and, with several outputs, the
   * output's name.
   */
  private compareOutput<R>(
    what: string,
    i: number,
    masks: readonly (T | undefined)[],
    batch: Batch<T>,
    compare: (weighting: LossWeighting<T>) => R,
  ): R {
    try {
      return compare({ mask: masks[i], sampleWeight: batch.sampleWeight });
    } catch (error) {
      if (!(error instanceof SeqmodelError)) throw error;
      const names = this.setup().names;
      throw new SeqmodelError(`${what}${names.length > 1 ? ` (output ${names[i]})` : ''}: ${error.message}`);
    }
  }

  private readLosses(total: T, perOutput: readonly T[]): StepLosses {
    const backend = this.model.backend;
    return {
      total: backend.dataSync(total)[0]!,
      perOutput: this.setup().names.length > 1 ? perOutput.map((l) => backend.dataSync(l)[0]!) : [],
    };
  }

  private requireGradients(what: string): NonNullable<Backend<T>['valueAndGrads']> {
    const backend = this.model.backend;
    if (typeof backend.valueAndGrads !== 'function') {
      throw new SeqmodelError(
        `${what}: backend ${backend.name} cannot compute gradients (it has no valueAndGrads; the float64 reference is forward-only); train on a backend such as @seqmodel/backend-cpu`,
      );
    }
    return backend.valueAndGrads.bind(backend);
  }

  /** One training step on a batch (one update, or one per chunk with tbptt); updates the metrics. */
  private trainStep(batch: Batch<T>, rng: Rng, what: string, tbpttSteps?: number): StepLosses {
    const backend = this.model.backend;
    const valueAndGrads = this.requireGradients(what);
    this.model.buildFor(batch.xs);
    this.setup();
    const variables = this.model.trainableWeights;
    if (variables.length === 0) throw new SeqmodelError(`${what}: the model has no trainable weights`);
    if (tbpttSteps !== undefined) return this.trainStepTbptt(batch, rng, what, tbpttSteps);
    let kept: KeptPass<T> | undefined;
    const { value, grads } = valueAndGrads(
      (...weights: T[]) => {
        const { outputs, masks } = this.model.applyWithMasks(this.inputs(batch), {
          training: true,
          weights,
          rng,
          ...this.applyOptions(batch),
        });
        const { total, perOutput } = this.lossesOf(outputs, masks, batch, what);
        kept = {
          outputs: outputs.map((o) => backend.keep(o)),
          masks: masks.map((m) => (m === undefined ? undefined : backend.keep(m))),
          perOutput: perOutput.map((l) => backend.keep(l)),
        };
        return total;
      },
      variables.map((v) => v.read<T>()),
    );
    return this.applyStep(batch, what, value, grads, variables, kept);
  }

  /**
   * The end of a training step (or of a tbptt chunk): applies `grads` to `variables`, reads the losses and updates
   * the metrics of outputs `counted` (all by default) from the forward pass's `kept` tensors, then frees the loss,
   * the gradients and those tensors.
   */
  private applyStep(
    batch: Batch<T>,
    what: string,
    value: T,
    grads: T[],
    variables: readonly OptimizerVariable[],
    kept: KeptPass<T> | undefined,
    counted?: readonly boolean[],
  ): StepLosses {
    const backend = this.model.backend;
    try {
      this.optimizer.applyGradients(backend, grads, variables);
      const losses = this.readLosses(value, kept!.perOutput);
      this.updateMetrics(kept!.outputs, kept!.masks, batch, what, counted);
      return losses;
    } finally {
      backend.dispose([value, ...grads]);
      if (kept !== undefined) {
        backend.dispose([
          ...kept.outputs,
          ...kept.perOutput,
          ...kept.masks.filter((m): m is T => m !== undefined),
        ]);
      }
    }
  }

  private trainStepTbptt(batch: Batch<T>, rng: Rng, what: string, steps: number): StepLosses {
    const backend = this.model.backend;
    const valueAndGrads = this.requireGradients(what);
    const s = this.setup();
    const time = sequenceLength(backend, batch, what);
    const variables = this.model.trainableWeights;
    let carry: Carry<T> = { states: new Map(), outputs: new Map() };
    // The batch's losses: the chunks' losses weighted by their time steps.
    const chunkLosses = new LossTracker();
    try {
      for (let start = 0; start < time; start += steps) {
        const size = Math.min(steps, time - start);
        const last = start + size >= time;
        const counted = s.sequence.map((sequence) => sequence || last);
        const chunk = chunkOf(backend, batch, start, size, s.sequence, what);
        try {
          const options = { training: true, rng, ...this.applyOptions(chunk) };
          const streaming = { carried: carry.states, carriedOutputs: carry.outputs };
          if (!counted.some(Boolean)) {
            // Only per-sequence targets, and this is not the last chunk: run forwards to carry the states on.
            const pass = this.model.runPass(this.inputs(chunk), options, streaming);
            backend.dispose([...pass.outputs, ...pass.masks.filter((m): m is T => m !== undefined)]);
            carry = detachCarry(backend, { states: pass.states, outputs: pass.lastOutputs }, carry);
            continue;
          }
          let kept: (KeptPass<T> & { carry: Carry<T> }) | undefined;
          const { value, grads } = valueAndGrads(
            (...weights: T[]) => {
              const pass = this.model.runPass(this.inputs(chunk), { ...options, weights }, streaming);
              const { total, perOutput } = this.lossesOf(pass.outputs, pass.masks, chunk, what, counted);
              const keepAll = <V extends T | undefined>(list: V[]) =>
                list.map((t) => (t === undefined ? t : backend.keep(t as T)));
              const states = new Map<object, T[]>();
              for (const [key, list] of pass.states) states.set(key, keepAll(list) as T[]);
              const outputs = new Map<object, T>();
              for (const [key, output] of pass.lastOutputs) outputs.set(key, backend.keep(output));
              kept = {
                outputs: keepAll(pass.outputs) as T[],
                masks: keepAll(pass.masks),
                perOutput: keepAll(perOutput) as T[],
                carry: { states, outputs },
              };
              return total;
            },
            variables.map((v) => v.read<T>()),
          );
          try {
            chunkLosses.add(this.applyStep(chunk, what, value, grads, variables, kept, counted), size);
          } finally {
            if (kept !== undefined) carry = detachCarry(backend, kept.carry, carry);
          }
        } finally {
          releaseBatch(backend, chunk);
        }
      }
    } finally {
      disposeCarry(backend, carry);
    }
    return chunkLosses.mean();
  }

  /** Loss and metrics of a batch without training (dropout off). */
  private testStep(batch: Batch<T>, what: string): StepLosses {
    const backend = this.model.backend;
    this.model.buildFor(batch.xs);
    this.setup();
    const { outputs, masks } = this.model.applyWithMasks(this.inputs(batch), {
      training: false,
      ...this.applyOptions(batch),
    });
    try {
      const losses = backend.tidy(() => {
        const { total, perOutput } = this.lossesOf(outputs, masks, batch, what);
        return this.readLosses(total, perOutput);
      });
      this.updateMetrics(outputs, masks, batch, what);
      return losses;
    } finally {
      backend.dispose([...outputs, ...masks.filter((m): m is T => m !== undefined)]);
    }
  }

  /** Keras' `train_on_batch`: one update on `x`, `y`; returns this batch's loss and metrics. */
  trainOnBatch(x: TensorsLike<T>, y: TensorsLike<T>, options: OnBatchOptions<T> = {}): Logs {
    const what = `${this.model.describe()} trainOnBatch`;
    const data = InMemoryData.from(this.model.backend, what, this.counts(), { x, y, ...options });
    try {
      this.resetMetricsIfReady();
      const seed = options.seed ?? `${this.model.seed}:trainOnBatch:${this.batchSteps++}`;
      const [batch] = [...data.batches(data.size)];
      try {
        const losses = this.trainStep(batch!, createRng(seed), what);
        return this.logs(losses);
      } finally {
        releaseBatch(this.model.backend, batch!);
      }
    } finally {
      data.dispose();
    }
  }

  /** Keras' `test_on_batch`: this batch's loss and metrics, without training. */
  testOnBatch(x: TensorsLike<T>, y: TensorsLike<T>, options: DataOptions<T> = {}): Logs {
    const what = `${this.model.describe()} testOnBatch`;
    const data = InMemoryData.from(this.model.backend, what, this.counts(), { x, y, ...options });
    try {
      this.resetMetricsIfReady();
      const [batch] = [...data.batches(data.size)];
      try {
        return this.logs(this.testStep(batch!, what));
      } finally {
        releaseBatch(this.model.backend, batch!);
      }
    } finally {
      data.dispose();
    }
  }

  private resetMetricsIfReady(): void {
    if (this.model.built) this.resetMetrics();
    else this.setupCache = undefined;
  }

  /** Builds the model if needed and resets the metrics (the model must be buildable from `xs`). */
  private prepare(xs: readonly T[]): void {
    this.model.buildFor(xs);
    this.resetMetrics();
  }

  /** Numbers of inputs and outputs (a Sequential model not built yet has one of each). */
  private counts(): { inputs: number; outputs: number } {
    return this.model.built
      ? { inputs: this.model.inputs.length, outputs: this.model.outputs.length }
      : { inputs: 1, outputs: 1 };
  }

  /** `fit(x, y, options)` or `fit(dataset, options)`. */
  async fit(
    xOrDataset: TensorsLike<T> | Dataset<T>,
    yOrOptions?: TensorsLike<T> | FitDatasetOptions<T>,
    maybeOptions?: FitOptions<T>,
  ): Promise<History> {
    const what = `${this.model.describe()} fit`;
    const datasetMode = isDataset(xOrDataset) && (yOrOptions === undefined || isOptionsObject(yOrOptions));
    if (!datasetMode && yOrOptions === undefined) {
      throw new SeqmodelError(
        `${what}: give targets y (fit(x, y, options)) or a dataset of { x, y } batches (fit(dataset, options))`,
      );
    }
    const options = (datasetMode ? yOrOptions : maybeOptions) ?? {};
    if (typeof options !== 'object' || options === null)
      invalidArgument(`${what} options`, options, 'an object');
    const fitOptions = options as FitOptions<T> & FitDatasetOptions<T>;
    const epochs = checkCount(`${what} epochs`, fitOptions.epochs ?? 1);
    const initialEpoch = checkCount(`${what} initialEpoch`, fitOptions.initialEpoch ?? 0);
    const verbose = fitOptions.verbose ?? 'auto';
    if (![0, 1, 2, 'auto'].includes(verbose))
      invalidArgument(`${what} verbose`, verbose, "0, 1, 2 or 'auto'");
    const seed = fitOptions.seed ?? `${this.model.seed}:fit:${this.fitCalls}`;
    this.fitCalls += 1;
    if (typeof seed !== 'string' && !Number.isSafeInteger(seed))
      invalidArgument(`${what} seed`, seed, 'a safe integer or a string');
    const tbpttSteps =
      fitOptions.tbptt === undefined ? undefined : checkTbptt(this.model, fitOptions.tbptt, what);
    const validationFreq = checkPositiveInteger(`${what} validationFreq`, fitOptions.validationFreq ?? 1);
    const validationSteps =
      fitOptions.validationSteps === undefined
        ? undefined
        : checkPositiveInteger(`${what} validationSteps`, fitOptions.validationSteps);
    const userCallbacks = (fitOptions.callbacks ?? []).map((c, i) =>
      checkCallback(`${what} callbacks[${i}]`, c),
    );
    const backend = this.model.backend;

    // Data.
    let train: InMemoryData<T> | undefined;
    let reader: DatasetReader<T> | undefined;
    let validation: InMemoryData<T> | undefined;
    let validationReader: Dataset<T> | undefined;
    const toDispose: InMemoryData<T>[] = [];
    let batchSize: number | undefined;
    let shuffle = false;
    let stepsPerEpoch: number | undefined;
    try {
      if (datasetMode) {
        const dsOptions = fitOptions as FitDatasetOptions<T> & {
          batchSize?: unknown;
          validationSplit?: unknown;
        };
        if (dsOptions.validationSplit !== undefined) {
          throw new SeqmodelError(
            `${what} validationSplit: only for in-memory data (x, y); give a dataset validationData instead`,
          );
        }
        if (dsOptions.batchSize !== undefined) {
          throw new SeqmodelError(
            `${what} batchSize: a dataset brings its own batches; set the batch size where the dataset is made`,
          );
        }
        reader = new DatasetReader(xOrDataset as Dataset<T>, `${what} dataset`);
        stepsPerEpoch =
          fitOptions.stepsPerEpoch === undefined
            ? undefined
            : checkPositiveInteger(`${what} stepsPerEpoch`, fitOptions.stepsPerEpoch);
      } else {
        batchSize = checkPositiveInteger(`${what} batchSize`, fitOptions.batchSize ?? 32);
        shuffle = checkBoolean(`${what} shuffle`, fitOptions.shuffle ?? true);
        if ((fitOptions as { stepsPerEpoch?: unknown }).stepsPerEpoch !== undefined) {
          throw new SeqmodelError(
            `${what} stepsPerEpoch: only for datasets; in-memory data is cut into batches of batchSize`,
          );
        }
        const all = InMemoryData.from(backend, what, this.counts(), {
          x: xOrDataset,
          y: yOrOptions,
          mask: fitOptions.mask,
          lengths: fitOptions.lengths,
          sampleWeight: fitOptions.sampleWeight,
        });
        const split = fitOptions.validationSplit;
        if (split !== undefined && split !== 0) {
          if (typeof split !== 'number' || !(split > 0 && split < 1)) {
            all.dispose();
            invalidArgument(
              `${what} validationSplit`,
              split,
              'a number in (0, 1): the fraction of samples held out',
            );
          }
          if (fitOptions.validationData !== undefined) {
            all.dispose();
            throw new SeqmodelError(`${what}: give validationData or validationSplit, not both`);
          }
          try {
            const parts = all.split(split, what);
            train = parts.train;
            validation = parts.validation;
          } finally {
            all.dispose();
          }
        } else {
          train = all;
        }
        toDispose.push(train);
        if (validation !== undefined) toDispose.push(validation);
      }
      const vd = fitOptions.validationData;
      if (vd !== undefined) {
        const parsed = this.parseValidation(vd, `${what} validationData`);
        if (parsed instanceof InMemoryData) {
          validation = parsed;
          toDispose.push(parsed);
        } else {
          validationReader = parsed;
        }
      }
      const validationBatchSize =
        fitOptions.validationBatchSize === undefined
          ? (batchSize ?? 32)
          : checkPositiveInteger(`${what} validationBatchSize`, fitOptions.validationBatchSize);
      const doValidation = validation !== undefined || validationReader !== undefined;

      // Build before the callbacks run, so that they can read weights.
      if (train !== undefined) this.prepare(train.xs);
      const steps = train !== undefined ? train.numBatches(batchSize!) : stepsPerEpoch;
      const callbacks = [...userCallbacks];
      const verboseLevel = verbose === 'auto' ? 1 : verbose;
      if (verboseLevel > 0 && !callbacks.some((c) => c instanceof ProgressBar)) {
        callbacks.push(new ProgressBar({ mode: verboseLevel === 2 ? 'epoch' : 'bar' }));
      }
      const history = new History();
      callbacks.push(history);
      const list = new CallbackList(callbacks);
      list.setModel(this.model as Model<unknown>);

      this.model.stopTraining = false;
      const rootRng = createRng(seed);
      const losses = new LossTracker();
      let lastLogs: Logs = {};
      let trainBegun = false;
      // Callbacks get their params and onTrainBegin once the model is built (log names and weights are known).
      const beginTraining = async () => {
        if (trainBegun) return;
        trainBegun = true;
        const names = this.logNames();
        list.setParams({
          epochs,
          initialEpoch,
          steps,
          batchSize,
          samples: train?.size,
          verbose: verboseLevel as 0 | 1 | 2,
          doValidation,
          metrics: doValidation ? [...names, ...names.map((n) => `val_${n}`)] : names,
        } satisfies TrainingParams);
        await list.trainBegin({});
      };
      if (this.model.built) await beginTraining();
      for (let epoch = initialEpoch; epoch < epochs && !this.model.stopTraining; epoch++) {
        losses.reset();
        if (this.model.built) this.resetMetrics();
        if (trainBegun) await list.epochBegin(epoch, {});
        let batchIndex = 0;
        const runBatch = async (batch: Batch<T>) => {
          if (!trainBegun) {
            // A model built from its first batch: callbacks start now that logs and weights are known.
            this.model.buildFor(batch.xs);
            this.resetMetrics();
            await beginTraining();
            await list.epochBegin(epoch, {});
          }
          await list.batchBegin(batchIndex, { batch: batchIndex, size: batch.size });
          const rng = rootRng.fork('dropout').fork(`${epoch}:${batchIndex}`);
          const stepLosses = this.trainStep(batch, rng, what, tbpttSteps);
          losses.add(stepLosses, batch.size);
          await list.batchEnd(batchIndex, this.logs(losses.mean()));
          batchIndex += 1;
        };
        if (train !== undefined) {
          const order = shuffle ? shuffledOrder(train.size, rootRng.fork('shuffle').fork(epoch)) : undefined;
          for (const batch of train.batches(batchSize!, order)) {
            try {
              await runBatch(batch);
            } finally {
              releaseBatch(backend, batch);
            }
            if (this.model.stopTraining) break;
          }
        } else {
          const ran = await this.readEpoch(reader!, epoch, stepsPerEpoch, what, runBatch);
          if (!ran) {
            // The dataset ran out (a one-shot iterator read to its end): stop, as Keras does.
            if (batchIndex === 0) {
              if (epoch === initialEpoch) throw new SeqmodelError(`${what}: the dataset yielded no batches`);
              break;
            }
            this.model.stopTraining = true;
          }
        }
        if (!trainBegun) throw new SeqmodelError(`${what}: no batches to train on`);
        const epochLogs = this.logs(losses.mean());
        if (doValidation && (epoch - initialEpoch + 1) % validationFreq === 0) {
          const val =
            validation !== undefined
              ? this.evaluateData(validation, validationBatchSize, `${what} validation`)
              : await this.evaluateReader(
                  new DatasetReader(validationReader!, `${what} validationData`),
                  epoch,
                  validationSteps,
                  `${what} validation`,
                );
          for (const [k, v] of Object.entries(val)) epochLogs[`val_${k}`] = v;
        }
        await list.epochEnd(epoch, epochLogs);
        lastLogs = epochLogs;
      }
      if (trainBegun) await list.trainEnd(lastLogs);
      return history;
    } finally {
      for (const d of toDispose) d.dispose();
    }
  }

  /**
   * One epoch of dataset batches through `run`. Returns false when the dataset ran out before `steps` batches and no
   * new pass could be started.
   */
  private async readEpoch(
    reader: DatasetReader<T>,
    epoch: number,
    steps: number | undefined,
    what: string,
    run: (batch: Batch<T>) => Promise<void>,
  ): Promise<boolean> {
    const backend = this.model.backend;
    // Without stepsPerEpoch an epoch is a pass; with it, a pass goes on across epochs.
    if (steps === undefined || !reader.active) {
      if (!reader.canRestart) return false;
      reader.restart(epoch);
    }
    let done = 0;
    while (steps === undefined || done < steps) {
      let element = await reader.next();
      if (element === undefined && steps !== undefined && reader.canRestart) {
        reader.restart(epoch);
        element = await reader.next();
      }
      if (element === undefined) return steps === undefined && done > 0;
      const batch = batchFromDataset(backend, element, this.counts(), `${what} dataset batch ${done}`);
      try {
        await run(batch);
      } finally {
        releaseBatch(backend, batch);
      }
      done += 1;
      if (this.model.stopTraining) return true;
    }
    return true;
  }

  private parseValidation(vd: ValidationData<T>, what: string): InMemoryData<T> | Dataset<T> {
    const backend = this.model.backend;
    if (Array.isArray(vd) && (vd.length === 2 || vd.length === 3) && !isDataset(vd)) {
      return InMemoryData.from(backend, what, this.counts(), {
        x: vd[0],
        y: vd[1],
        ...(vd.length === 3 ? { sampleWeight: vd[2] } : {}),
      });
    }
    if (
      typeof vd === 'object' &&
      vd !== null &&
      !Array.isArray(vd) &&
      'x' in vd &&
      'y' in vd &&
      !isDataset(vd)
    ) {
      const v = vd as { x: unknown; y: unknown } & DataOptions<T>;
      return InMemoryData.from(backend, what, this.counts(), v);
    }
    if (isDataset(vd)) return vd as Dataset<T>;
    return invalidArgument(
      what,
      vd,
      '[x, y], [x, y, sampleWeight], { x, y, mask?, lengths?, sampleWeight? } or a dataset',
    );
  }

  private evaluateData(data: InMemoryData<T>, batchSize: number, what: string): Logs {
    this.prepare(data.xs);
    const losses = new LossTracker();
    for (const batch of data.batches(batchSize)) {
      try {
        losses.add(this.testStep(batch, what), batch.size);
      } finally {
        releaseBatch(this.model.backend, batch);
      }
    }
    return this.logs(losses.mean());
  }

  private async evaluateReader(
    reader: DatasetReader<T>,
    epoch: number,
    steps: number | undefined,
    what: string,
  ): Promise<Logs> {
    const backend = this.model.backend;
    const losses = new LossTracker();
    reader.restart(epoch);
    let done = 0;
    let reset = false;
    while (steps === undefined || done < steps) {
      const element = await reader.next();
      if (element === undefined) break;
      const batch = batchFromDataset(backend, element, this.counts(), `${what} batch ${done}`);
      try {
        if (!reset) {
          this.prepare(batch.xs);
          reset = true;
        }
        losses.add(this.testStep(batch, what), batch.size);
      } finally {
        releaseBatch(backend, batch);
      }
      done += 1;
    }
    if (done === 0) throw new SeqmodelError(`${what}: the dataset yielded no batches`);
    return this.logs(losses.mean());
  }

  /** `evaluate(x, y, options)` or `evaluate(dataset, options)`: the loss and metrics, by name. */
  async evaluate(
    xOrDataset: TensorsLike<T> | Dataset<T>,
    yOrOptions?: TensorsLike<T> | EvaluateDatasetOptions,
    maybeOptions?: EvaluateOptions<T>,
  ): Promise<Logs> {
    const what = `${this.model.describe()} evaluate`;
    const datasetMode = isDataset(xOrDataset) && (yOrOptions === undefined || isOptionsObject(yOrOptions));
    if (datasetMode) {
      const options = (yOrOptions ?? {}) as EvaluateDatasetOptions;
      const steps =
        options.steps === undefined ? undefined : checkPositiveInteger(`${what} steps`, options.steps);
      return this.evaluateReader(
        new DatasetReader(xOrDataset as Dataset<T>, `${what} dataset`),
        0,
        steps,
        what,
      );
    }
    if (yOrOptions === undefined) {
      throw new SeqmodelError(
        `${what}: give targets y (evaluate(x, y, options)) or a dataset of { x, y } batches`,
      );
    }
    const options = maybeOptions ?? {};
    const batchSize = checkPositiveInteger(`${what} batchSize`, options.batchSize ?? 32);
    const data = InMemoryData.from(this.model.backend, what, this.counts(), {
      x: xOrDataset,
      y: yOrOptions,
      mask: options.mask,
      lengths: options.lengths,
      sampleWeight: options.sampleWeight,
    });
    try {
      return this.evaluateData(data, batchSize, what);
    } finally {
      data.dispose();
    }
  }

  /** Frees the optimizer's slots. */
  dispose(): void {
    this.optimizer.dispose();
  }
}

/** Options objects are plain objects that are not data: no tensors, host arrays or batch fields. */
function isOptionsObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  if ('data' in value && 'shape' in value) return false;
  if (Symbol.iterator in value || Symbol.asyncIterator in value) return false;
  return Object.getPrototypeOf(value) === Object.prototype;
}

/** `[0, n)` shuffled by `rng` (Fisher–Yates). */
function shuffledOrder(n: number, rng: Rng): Int32Array {
  const order = Array.from({ length: n }, (_, i) => i);
  rng.shuffle(order);
  return Int32Array.from(order);
}
