/**
 * What `model.compile` configures (Keras' `compile` with its `CompileLoss` and `CompileMetrics`): the optimizer, and
 * per model output a loss, a loss weight and metrics. Names are checked at compile; the per-output setup is resolved
 * once the model is built (its outputs are known then). A step hands its outputs here for the weighted total loss
 * and the metric updates; the logs (`loss`, `<output>_loss`, metrics) are read from here.
 */
import { checkOptions, invalidArgument, SeqmodelError } from '@seqmodel/core';
import { LayerNode } from '../engine/layer.js';
import type { Logs } from './callbacks/callback.js';
import type { StepBatch } from './data/batch.js';
import { getLoss, type LossSpec } from './losses/index.js';
import type { Loss, LossWeighting } from './losses/loss.js';
import { getMetric, type MetricSpec } from './metrics/index.js';
import type { Metric } from './metrics/metric.js';
import { getOptimizer, type Optimizer, type OptimizerConfig } from './optimizers/index.js';
import type { TrainableModel } from './trainable.js';

/** What `model.compile` takes. */
export interface CompileArgs {
  /**
   * An optimizer, its name with Keras' defaults (`'adam'`, `'sgd'`, `'rmsprop'`, `'adagrad'`, `'adamw'`, `'adadelta'`, `'adamax'`, `'nadam'`), or its
   * config `{ className, config }`.
   */
  readonly optimizer: string | Optimizer | OptimizerConfig;
  /** One loss for every output, one per output, or one per output name. */
  readonly loss: LossSpec | readonly LossSpec[] | Readonly<Record<string, LossSpec>>;
  /** Metrics for every output (names, `Metric`s or functions), or per output name. */
  readonly metrics?: readonly MetricSpec[] | Readonly<Record<string, readonly MetricSpec[]>>;
  /** Weights of the outputs' losses in the total (default 1 each), in output order or by output name. */
  readonly lossWeights?: readonly number[] | Readonly<Record<string, number>>;
}

/** How each output is trained. */
export interface OutputSetup {
  readonly names: readonly string[];
  readonly losses: readonly Loss[];
  readonly weights: readonly number[];
  readonly metrics: readonly (readonly Metric[])[];
  /** Outputs with a time axis (rank 3 or more), for truncated BPTT. */
  readonly sequence: readonly boolean[];
}

/** Loss values of one step, read back. */
export interface StepLosses {
  readonly total: number;
  readonly perOutput: readonly number[];
}

/** Running means of the losses over an epoch, weighted by batch size (Keras 3). */
export class LossTracker {
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

/** The compiled optimizer, losses and metrics of a model. */
export class Compiled<T> {
  readonly optimizer: Optimizer;
  private readonly lossSpec: CompileArgs['loss'];
  private readonly metricSpec: CompileArgs['metrics'];
  private readonly lossWeightSpec: CompileArgs['lossWeights'];
  private setupCache: OutputSetup | undefined;

  constructor(
    private readonly model: TrainableModel<T>,
    args: CompileArgs,
  ) {
    const what = `${model.describe()} compile`;
    if (typeof args !== 'object' || args === null)
      invalidArgument(`${what}(args)`, args, 'an object { optimizer, loss, metrics? }');
    checkOptions(`${what} args`, args, ['optimizer', 'loss', 'metrics', 'lossWeights']);
    if (args.optimizer === undefined)
      invalidArgument(
        `${what} optimizer`,
        args.optimizer,
        "an optimizer: a name such as 'adam', { className, config } or an Optimizer",
      );
    if (args.loss === undefined)
      invalidArgument(`${what} loss`, args.loss, "a loss: a name such as 'mse', a Loss object or a function");
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
  setup(): OutputSetup {
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

  resetMetrics(): void {
    for (const list of this.setup().metrics) for (const m of list) m.resetState();
  }

  logs(losses: StepLosses, prefix = ''): Logs {
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

  /** Forgets the per-output setup, to resolve it again once the model is built. */
  forgetSetup(): void {
    this.setupCache = undefined;
  }

  /**
   * The weighted total loss and each output's loss (scalars) for outputs `counted` (all by default), inside the
   * caller's tidy. Label errors name the model and, with several outputs, the output.
   */
  lossesOf(
    outputs: readonly T[],
    masks: readonly (T | undefined)[],
    batch: StepBatch<T>,
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

  updateMetrics(
    outputs: readonly T[],
    masks: readonly (T | undefined)[],
    batch: StepBatch<T>,
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
    batch: StepBatch<T>,
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

  readLosses(total: T, perOutput: readonly T[]): StepLosses {
    const backend = this.model.backend;
    return {
      total: backend.dataSync(total)[0]!,
      perOutput: this.setup().names.length > 1 ? perOutput.map((l) => backend.dataSync(l)[0]!) : [],
    };
  }

  /** Frees the optimizer's slots. */
  dispose(): void {
    this.optimizer.dispose();
  }
}
