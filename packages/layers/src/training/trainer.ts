/**
 * The training loops behind a compiled model: `fit` (epochs of batches from in-memory data or a dataset, with
 * callbacks, validation and truncated BPTT), `evaluate`, `trainOnBatch` and `testOnBatch`. The model is known only as
 * a `TrainableModel`; the steps are in `steps.ts` and `tbptt.ts`, the losses, metrics and logs in `compile.ts`, the
 * data in `data/`. Dropout masks come from a seeded stream per step, and shuffling from a seeded permutation per
 * epoch, so the same seed on the same backend gives bit-identical weights.
 */
import {
  type Batch,
  checkBoolean,
  checkOptions,
  checkPositiveInteger,
  createRng,
  describeValue,
  invalidArgument,
  type Rng,
  SeqmodelError,
} from '@seqmodel/core';
import type { ApplyOptions } from '../engine/pass.js';
import { CallbackList, checkCallback, type Logs, type TrainingParams } from './callbacks/callback.js';
import { History } from './callbacks/history.js';
import { defaultStream, evaluationLine, ProgressBar } from './callbacks/progress-bar.js';
import { checkCount, checkVerboseLevel } from './checks.js';
import { type CompileArgs, Compiled, LossTracker, type StepLosses } from './compile.js';
import {
  ARGUMENT_LABELS,
  BATCH_LABELS,
  type InputValueChecks,
  releaseBatch,
  type StepBatch,
  type StepBatchOptions,
  type TensorsLike,
} from './data/batch.js';
import { checkClassWeight, classWeightedSampleWeight } from './data/class-weight.js';
import { batchFromDataset, type Dataset, DatasetReader, isDataset } from './data/dataset.js';
import { InMemoryData } from './data/in-memory.js';
import type { Optimizer } from './optimizers/optimizer.js';
import {
  type DataOptions,
  EVALUATE_DATASET_KEYS,
  EVALUATE_KEYS,
  type EvaluateDatasetOptions,
  type EvaluateOptions,
  FIT_DATASET_KEYS,
  FIT_KEYS,
  type FitDatasetOptions,
  type FitOptions,
  IN_MEMORY_FIT_KEYS,
  type OnBatchOptions,
  TEST_ON_BATCH_KEYS,
  TRAIN_ON_BATCH_KEYS,
  type ValidationData,
} from './options.js';
import { maskOptions, passInputs, type StepContext, testStep, trainStep } from './steps.js';
import { checkTbptt, trainStepTbptt } from './tbptt.js';
import type { TrainableModel } from './trainable.js';

export class Trainer<T> {
  private readonly compiled: Compiled<T>;
  private readonly steps: StepContext<T>;
  private fitCalls = 0;
  private batchSteps = 0;

  constructor(
    private readonly model: TrainableModel<T>,
    args: CompileArgs,
  ) {
    this.compiled = new Compiled(model, args);
    this.steps = { model, compiled: this.compiled };
  }

  /** The compiled optimizer. */
  get optimizer(): Optimizer {
    return this.compiled.optimizer;
  }

  /** One training step: one update, or one per chunk with tbptt. */
  private trainStep(batch: StepBatch<T>, rng: Rng, what: string, tbpttSteps?: number): StepLosses {
    return tbpttSteps === undefined
      ? trainStep(this.steps, batch, rng, what)
      : trainStepTbptt(this.steps, batch, rng, what, tbpttSteps);
  }

  private testStep(batch: StepBatch<T>, what: string): StepLosses {
    return testStep(this.steps, batch, what);
  }

  /** Keras' `train_on_batch`: one update on `x`, `y`; returns this batch's loss and metrics. */
  trainOnBatch(x: TensorsLike<T>, y: TensorsLike<T>, options: OnBatchOptions<T> = {}): Logs {
    const what = `${this.model.describe()} trainOnBatch`;
    checkOptions(`${what} options`, options, TRAIN_ON_BATCH_KEYS);
    const classWeight =
      options.classWeight === undefined
        ? undefined
        : checkClassWeight(`${what} classWeight`, options.classWeight);
    const data = this.inMemory(what, argumentBatch(x, y, options));
    try {
      this.resetMetricsIfReady();
      const seed = options.seed ?? `${this.model.seed}:trainOnBatch:${this.batchSteps++}`;
      if (classWeight !== undefined) this.weighClasses(data, classWeight, what);
      const [batch] = [...data.batches(data.size)];
      try {
        const losses = this.trainStep(batch!, createRng(seed), what);
        return this.compiled.logs(losses);
      } finally {
        releaseBatch(this.model.backend, batch!);
      }
    } finally {
      data.dispose();
    }
  }

  /**
   * For `model.inspect` with targets: `x`, `y` made into a batch (as `testOnBatch` does), handed to `use` as a pass's
   * inputs and mask options with the compiled total loss of that pass's outputs; the batch is freed afterwards.
   */
  withLossBatch<R>(
    x: TensorsLike<T>,
    y: TensorsLike<T>,
    options: DataOptions<T>,
    what: string,
    use: (
      inputs: T | T[],
      passOptions: Pick<ApplyOptions<T>, 'mask' | 'lengths'>,
      loss: (outputs: readonly T[], masks: readonly (T | undefined)[]) => T,
    ) => R,
  ): R {
    const data = this.inMemory(what, argumentBatch(x, y, options));
    try {
      const [batch] = [...data.batches(data.size)];
      try {
        this.model.buildFor(batch!.xs);
        this.compiled.setup();
        // Called inside the backend's valueAndGrads, whose scope frees the per-output losses.
        return use(
          passInputs(batch!),
          maskOptions(batch!),
          (outputs, masks) => this.compiled.lossesOf(outputs, masks, batch!, what).total,
        );
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
    checkOptions(`${what} options`, options, TEST_ON_BATCH_KEYS);
    const data = this.inMemory(what, argumentBatch(x, y, options));
    try {
      this.resetMetricsIfReady();
      const [batch] = [...data.batches(data.size)];
      try {
        return this.compiled.logs(this.testStep(batch!, what));
      } finally {
        releaseBatch(this.model.backend, batch!);
      }
    } finally {
      data.dispose();
    }
  }

  /** What a batch's host inputs are checked by: the model's layers (see `Layer.checkInputValues`). */
  private batchOptions(extra: StepBatchOptions = {}): StepBatchOptions {
    const model = this.model as TrainableModel<T> & Partial<InputValueChecks>;
    return typeof model.checkInputValues === 'function'
      ? { ...extra, checks: model as InputValueChecks }
      : extra;
  }

  /** In-memory data from a batch of the user's values (spelled as `fit`'s arguments unless `labels` says). */
  private inMemory(
    what: string,
    batch: Batch<unknown>,
    labels = ARGUMENT_LABELS,
    maskOverLengths = false,
  ): InMemoryData<T> {
    return InMemoryData.from(this.model.backend, what, this.counts(), batch, labels, {
      ...this.batchOptions({ maskOverLengths }),
    });
  }

  /** The output shape `classWeight` reads targets against (one output; the model built). */
  private classWeightOutput(what: string) {
    const outputs = this.model.outputs;
    if (outputs.length !== 1) {
      throw new SeqmodelError(
        `${what} classWeight: only for models with one output (this one has ${outputs.length}); give sampleWeight per output's targets instead`,
      );
    }
    return outputs[0]!.shape;
  }

  /** Multiplies in-memory data's sample weights by its targets' class weights (once, before the epochs). */
  private weighClasses(data: InMemoryData<T>, classWeight: ReadonlyMap<number, number>, what: string): void {
    this.model.buildFor(data.xs);
    const output = this.classWeightOutput(what);
    const backend = this.model.backend;
    data.replaceSampleWeight(
      classWeightedSampleWeight(backend, data.ys[0]!, data.sampleWeight, classWeight, output, what),
    );
  }

  /** A dataset batch with its sample weights multiplied by its targets' class weights (the tensor made is owned). */
  private weighBatchClasses(
    batch: StepBatch<T>,
    classWeight: ReadonlyMap<number, number>,
    what: string,
  ): StepBatch<T> {
    this.model.buildFor(batch.xs);
    const output = this.classWeightOutput(what);
    const backend = this.model.backend;
    const weights = classWeightedSampleWeight(
      backend,
      batch.ys[0]!,
      batch.sampleWeight,
      classWeight,
      output,
      what,
    );
    return { ...batch, sampleWeight: weights, owned: [...batch.owned, weights] };
  }

  private resetMetricsIfReady(): void {
    if (this.model.built) this.compiled.resetMetrics();
    else this.compiled.forgetSetup();
  }

  /** Builds the model if needed and resets the metrics (the model must be buildable from `xs`). */
  private prepare(xs: readonly T[]): void {
    this.model.buildFor(xs);
    this.compiled.resetMetrics();
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
    checkTargets(what, datasetMode, yOrOptions, 'fit(x, y, options)', 'fit(dataset, options)');
    const options = (datasetMode ? yOrOptions : maybeOptions) ?? {};
    if (datasetMode) {
      const inMemoryOnly = IN_MEMORY_FIT_KEYS.find(
        (k) => (options as Record<string, unknown>)[k] !== undefined,
      );
      if (inMemoryOnly !== undefined) {
        throw new SeqmodelError(
          `${what} ${inMemoryOnly}: only for in-memory data, fit(x, y, options), received ${describeValue((options as Record<string, unknown>)[inMemoryOnly])} with a dataset; a dataset brings its own batches, order, masks and weights${inMemoryOnly === 'validationSplit' ? ' (give a dataset validationData instead)' : ''}`,
        );
      }
    } else if ((options as { stepsPerEpoch?: unknown }).stepsPerEpoch !== undefined) {
      throw new SeqmodelError(
        `${what} stepsPerEpoch: only for datasets, received ${describeValue((options as { stepsPerEpoch?: unknown }).stepsPerEpoch)} with in-memory data, which is cut into batches of batchSize`,
      );
    }
    checkOptions(`${what} options`, options, datasetMode ? FIT_DATASET_KEYS : FIT_KEYS);
    const fitOptions = options as FitOptions<T> & FitDatasetOptions<T>;
    const classWeight =
      fitOptions.classWeight === undefined
        ? undefined
        : checkClassWeight(`${what} classWeight`, fitOptions.classWeight);
    const epochs = checkCount(`${what} epochs`, fitOptions.epochs ?? 1);
    const initialEpoch = checkCount(`${what} initialEpoch`, fitOptions.initialEpoch ?? 0);
    const verbose = checkVerboseLevel(`${what} verbose`, fitOptions.verbose, 'auto');
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
        reader = new DatasetReader(xOrDataset as Dataset<T>, `${what} dataset`);
        stepsPerEpoch =
          fitOptions.stepsPerEpoch === undefined
            ? undefined
            : checkPositiveInteger(`${what} stepsPerEpoch`, fitOptions.stepsPerEpoch);
      } else {
        batchSize = checkPositiveInteger(`${what} batchSize`, fitOptions.batchSize ?? 32);
        shuffle = checkBoolean(`${what} shuffle`, fitOptions.shuffle ?? true);
        const all = this.inMemory(what, argumentBatch(xOrDataset, yOrOptions, fitOptions));
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
            throw new SeqmodelError(
              `${what} validationSplit: expected no validationSplit with validationData, received both; give one of them`,
            );
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
        if (classWeight !== undefined) this.weighClasses(train, classWeight, what);
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
      list.setModel(this.model as TrainableModel<unknown>);

      this.model.stopTraining = false;
      const rootRng = createRng(seed);
      const losses = new LossTracker();
      let lastLogs: Logs = {};
      let trainBegun = false;
      // Callbacks get their params and onTrainBegin once the model is built (log names and weights are known).
      const beginTraining = async () => {
        if (trainBegun) return;
        trainBegun = true;
        const names = this.compiled.logNames();
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
        if (this.model.built) this.compiled.resetMetrics();
        if (trainBegun) await list.epochBegin(epoch, {});
        let batchIndex = 0;
        const runBatch = async (given: StepBatch<T>) => {
          // Weights made here are freed with the batch: the reader releases `given`, this releases the rest.
          const batch =
            classWeight === undefined || train !== undefined
              ? given
              : this.weighBatchClasses(given, classWeight, what);
          try {
            await runWeighted(batch);
          } finally {
            if (batch !== given) backend.dispose(batch.owned.filter((t) => !given.owned.includes(t)));
          }
        };
        const runWeighted = async (batch: StepBatch<T>) => {
          if (!trainBegun) {
            // A model built from its first batch: callbacks start now that logs and weights are known.
            this.model.buildFor(batch.xs);
            this.compiled.resetMetrics();
            await beginTraining();
            await list.epochBegin(epoch, {});
          }
          await list.batchBegin(batchIndex, { batch: batchIndex, size: batch.size });
          const rng = rootRng.fork('dropout').fork(`${epoch}:${batchIndex}`);
          const stepLosses = this.trainStep(batch, rng, what, tbpttSteps);
          losses.add(stepLosses, batch.size);
          await list.batchEnd(batchIndex, this.compiled.logs(losses.mean()));
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
              if (epoch === initialEpoch)
                throw new SeqmodelError(`${what} dataset: expected at least one batch, received none`);
              break;
            }
            this.model.stopTraining = true;
          }
        }
        if (!trainBegun) throw new SeqmodelError(`${what}: no batches to train on`);
        const epochLogs = this.compiled.logs(losses.mean());
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
    run: (batch: StepBatch<T>) => Promise<void>,
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
      const batch = batchFromDataset(
        backend,
        element,
        this.counts(),
        `${what} dataset batch ${done}`,
        this.batchOptions().checks,
      );
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
    if (Array.isArray(vd) && (vd.length === 2 || vd.length === 3) && !isDataset(vd)) {
      return this.inMemory(what, { inputs: vd[0], targets: vd[1], sampleWeights: vd[2] });
    }
    if (typeof vd === 'object' && vd !== null && !Array.isArray(vd) && !isDataset(vd)) {
      if ('inputs' in vd && 'targets' in vd) {
        // A batch from a data set carries a mask and the lengths it was made from: the mask is used.
        return this.inMemory(what, vd as Batch<unknown>, BATCH_LABELS, true);
      }
      if ('x' in vd && 'y' in vd) {
        checkOptions(what, vd, ['x', 'y', 'mask', 'lengths', 'sampleWeight']);
        const v = vd as { x: unknown; y: unknown } & DataOptions<T>;
        return this.inMemory(what, argumentBatch(v.x, v.y, v));
      }
    }
    if (isDataset(vd)) return vd as Dataset<T>;
    return invalidArgument(
      what,
      vd,
      '[x, y], [x, y, sampleWeight], { inputs, targets, mask?, lengths?, sampleWeights? } or a dataset',
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
    return this.compiled.logs(losses.mean());
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
      const batch = batchFromDataset(
        backend,
        element,
        this.counts(),
        `${what} batch ${done}`,
        this.batchOptions().checks,
      );
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
    if (done === 0) throw new SeqmodelError(`${what} dataset: expected at least one batch, received none`);
    return this.compiled.logs(losses.mean());
  }

  /** `evaluate(x, y, options)` or `evaluate(dataset, options)`: the loss and metrics, by name. */
  async evaluate(
    xOrDataset: TensorsLike<T> | Dataset<T>,
    yOrOptions?: TensorsLike<T> | EvaluateDatasetOptions,
    maybeOptions?: EvaluateOptions<T>,
  ): Promise<Logs> {
    const what = `${this.model.describe()} evaluate`;
    const datasetMode = isDataset(xOrDataset) && (yOrOptions === undefined || isOptionsObject(yOrOptions));
    checkTargets(what, datasetMode, yOrOptions, 'evaluate(x, y, options)', 'evaluate(dataset, options)');
    const given = (datasetMode ? yOrOptions : maybeOptions) as { verbose?: unknown } | undefined;
    const verbose = checkVerboseLevel(`${what} verbose`, given?.verbose, 0);
    const started = performance.now();
    const logs = await this.evaluateQuietly(what, datasetMode, xOrDataset, yOrOptions, maybeOptions);
    const stream = verbose === 0 ? undefined : defaultStream();
    stream?.write(`${evaluationLine(logs, (performance.now() - started) / 1000)}\n`);
    return logs;
  }

  private async evaluateQuietly(
    what: string,
    datasetMode: boolean,
    xOrDataset: TensorsLike<T> | Dataset<T>,
    yOrOptions?: TensorsLike<T> | EvaluateDatasetOptions,
    maybeOptions?: EvaluateOptions<T>,
  ): Promise<Logs> {
    if (datasetMode) {
      const options = checkOptions<EvaluateDatasetOptions>(
        `${what} options`,
        yOrOptions,
        EVALUATE_DATASET_KEYS,
      );
      const steps =
        options.steps === undefined ? undefined : checkPositiveInteger(`${what} steps`, options.steps);
      return this.evaluateReader(
        new DatasetReader(xOrDataset as Dataset<T>, `${what} dataset`),
        0,
        steps,
        what,
      );
    }
    const options = checkOptions<EvaluateOptions<T>>(`${what} options`, maybeOptions, EVALUATE_KEYS);
    const batchSize = checkPositiveInteger(`${what} batchSize`, options.batchSize ?? 32);
    const data = this.inMemory(what, argumentBatch(xOrDataset, yOrOptions, options));
    try {
      return this.evaluateData(data, batchSize, what);
    } finally {
      data.dispose();
    }
  }

  /** Frees the optimizer's slots. */
  dispose(): void {
    this.compiled.dispose();
  }
}

/** `fit(x, y, { mask, lengths, sampleWeight })`'s data as core's batch contract. */
function argumentBatch(x: unknown, y: unknown, options: DataOptions<unknown>): Batch<unknown> {
  return {
    inputs: x,
    targets: y,
    mask: options.mask,
    lengths: options.lengths,
    sampleWeights: options.sampleWeight,
  };
}

/**
 * Throws unless in-memory data comes with targets: a missing second argument, or options where the targets belong
 * (`fit(x, { epochs })`), names both ways to call.
 */
function checkTargets(
  what: string,
  datasetMode: boolean,
  y: unknown,
  withTargets: string,
  withDataset: string,
): void {
  if (datasetMode) return;
  if (y === undefined || isOptionsObject(y)) {
    throw new SeqmodelError(
      `${what} y: expected targets, received ${y === undefined ? 'none' : 'an options object'}; call ${withTargets}, or ${withDataset} with a dataset of { inputs, targets } batches`,
    );
  }
}

/** Options objects are plain objects that are not data: no tensors, host arrays or batch fields. */
export function isOptionsObject(value: unknown): boolean {
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
