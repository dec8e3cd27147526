/**
 * A training session: one task, one or more models of it on one backend, the shared stream of batches, and
 * everything the views read from the real tensors (states, gates, gradients through time, connectivity, attention,
 * generated text, forecasts). Written against `Backend<T>`, so the same code runs in the page's worker and in Node
 * tests; it only uses the packages' public APIs.
 */
import { type Backend, createRng } from '@seqmodel/core';
import {
  batches,
  type SequenceBatch,
  type SequenceData,
  selectExamples,
  sumOfSinesSeries,
} from '@seqmodel/datasets';
import type { Functional } from '@seqmodel/layers';
import type { PlaygroundConfig } from '../config.js';
import { type BuiltModel, buildModel, type ParamRow, paramTable } from '../model.js';
import type { TaskData } from '../tasks.js';
import type {
  Connectivity,
  Evaluation,
  ExampleView,
  Grid,
  Inside,
  LayerInside,
  StepPoint,
} from './protocol.js';

/** Examples the inside views show (the first ones of the test set). */
export const INSIDE_EXAMPLES = 4;

/** The batches of a run: the same for every model trained on it (the race), reproducible from the seed. */
export class BatchStream {
  private epoch = 0;
  private iterator: Iterator<SequenceBatch>;

  constructor(
    private readonly data: SequenceData,
    private readonly batchSize: number,
    private readonly seed: number,
  ) {
    this.iterator = this.epochBatches();
  }

  private epochBatches(): Iterator<SequenceBatch> {
    return batches(this.data, {
      batchSize: this.batchSize,
      shuffle: true,
      seed: this.seed,
      epoch: this.epoch,
      dropRemainder: true,
    });
  }

  next(): SequenceBatch {
    for (;;) {
      const step = this.iterator.next();
      if (!step.done) return step.value;
      this.epoch += 1;
      this.iterator = this.epochBatches();
    }
  }
}

/** A value of a flat array as a plain number (0 for out of range). */
function at(values: ArrayLike<number>, index: number): number {
  return values[index] ?? 0;
}

function grid<T>(backend: Backend<T>, t: T): Grid {
  return { data: Float32Array.from(backend.dataSync(t)), shape: backend.shape(t) };
}

/** One model of a session, with its curve. */
export class Trainee<T> {
  readonly points: StepPoint[] = [];
  private built: BuiltModel<T>;

  constructor(
    backend: Backend<T>,
    readonly config: PlaygroundConfig,
    readonly task: TaskData,
    readonly cell: string,
  ) {
    this.built = buildModel(backend, config, task, cell);
  }

  get model(): Functional<T> {
    return this.built.model;
  }

  get withAttention(): Functional<T> | undefined {
    return this.built.withAttention;
  }

  get step(): number {
    return this.points.length;
  }

  params(): ParamRow[] {
    return paramTable(this.model as Functional<unknown>);
  }

  /** One optimizer update on `batch`. */
  train(batch: SequenceBatch): StepPoint {
    const start = performance.now();
    const logs = this.model.trainOnBatch(
      batch.inputs,
      batch.targets!,
      batch.sampleWeights === undefined ? {} : { sampleWeight: batch.sampleWeights },
    );
    const ms = performance.now() - start;
    const point = {
      step: this.points.length + 1,
      loss: logs.loss!,
      metric: logs[this.task.head.metric]!,
      ms,
    };
    this.points.push(point);
    return point;
  }

  /** Rebuilds this model on `backend` with the same weights and optimizer state (training continues there). */
  moveTo<U>(backend: Backend<U>): Trainee<U> {
    const moved = new Trainee(backend, this.config, this.task, this.cell);
    moved.model.setWeights(this.model.getWeightData());
    const state = this.model.optimizer.getState(this.model.trainableWeights);
    moved.model.optimizer.setState(backend, moved.model.trainableWeights, state);
    moved.points.push(...this.points);
    return moved;
  }

  dispose(): void {
    this.built.model.dispose();
  }
}

/** Everything the playground does with one configuration. */
export class Session<T> {
  readonly trainees: Trainee<T>[];
  private stream: BatchStream;

  constructor(
    readonly backend: Backend<T>,
    readonly config: PlaygroundConfig,
    readonly task: TaskData,
    cells: readonly string[] = [config.cell],
  ) {
    this.stream = new BatchStream(task.train, config.batchSize, config.seed);
    this.trainees = [];
    try {
      for (const cell of cells) this.trainees.push(new Trainee(backend, config, task, cell));
    } catch (error) {
      for (const t of this.trainees) t.dispose();
      throw error;
    }
  }

  get main(): Trainee<T> {
    return this.trainees[0]!;
  }

  get step(): number {
    return this.main.step;
  }

  /** One step of every model on the same batch. */
  trainStep(): StepPoint[] {
    const batch = this.stream.next();
    return this.trainees.map((t) => t.train(batch));
  }

  /**
   * The session on another backend: models rebuilt there with their weights and optimizer state, the batch stream
   * where it was. This session is disposed.
   */
  moveTo<U>(backend: Backend<U>): Session<U> {
    const moved = Object.create(Session.prototype) as Session<U>;
    const trainees = this.trainees.map((t) => t.moveTo(backend));
    Object.assign(moved, { backend, config: this.config, task: this.task, trainees, stream: this.stream });
    this.dispose();
    return moved;
  }

  /** The data examples the views show, as plain arrays. */
  examples(count = INSIDE_EXAMPLES): ExampleView[] {
    const { test, symbols } = this.task;
    return Array.from({ length: Math.min(count, test.inputs.shape[0]!) }, (_, i) => {
      const one = selectExamples(test, [i]);
      const length = test.lengths === undefined ? test.inputs.shape[1]! : at(test.lengths, i);
      const inputs: Grid = { data: Float32Array.from(one.inputs.data), shape: one.inputs.shape.slice(1) };
      const targets: Grid | undefined =
        one.targets === undefined
          ? undefined
          : { data: Float32Array.from(one.targets.data), shape: one.targets.shape.slice(1) };
      const text = (g: Grid | undefined) =>
        symbols === undefined || g === undefined || g.shape.length !== 1
          ? undefined
          : Array.from(g.data, symbols);
      const inputText = text(inputs);
      const targetText = text(targets);
      return {
        inputs,
        length,
        ...(targets === undefined ? {} : { targets }),
        ...(inputText === undefined ? {} : { inputText }),
        ...(targetText === undefined ? {} : { targetText }),
      };
    });
  }

  private insideBatch(count = INSIDE_EXAMPLES): SequenceBatch {
    const n = Math.min(count, this.task.test.inputs.shape[0]!);
    return selectExamples(
      this.task.test,
      Array.from({ length: n }, (_, i) => i),
    );
  }

  /**
   * Sample weights that keep only the loss at each example's last valid step: the gradient through time of that one
   * loss shows how far back a signal reaches (with a loss at every step, each h_t would mostly see its own).
   */
  private lastStepWeights(
    batch: SequenceBatch,
  ): { data: Float32Array; shape: readonly number[] } | undefined {
    if (this.task.head.kind !== 'sequence') return batch.sampleWeights;
    const [n, time] = batch.inputs.shape as [number, number];
    const weights = new Float32Array(n * time);
    for (let i = 0; i < n; i++) {
      const last = batch.lengths === undefined ? time - 1 : at(batch.lengths, i) - 1;
      weights[i * time + last] = 1;
    }
    return { data: weights, shape: [n, time] };
  }

  /** States, gates and gradient norms through time of every recurrent layer, and attention weights. */
  inside(trainee: Trainee<T> = this.main): Inside {
    const backend = this.backend;
    const batch = this.insideBatch();
    const x = backend.tensor(
      batch.inputs.data,
      batch.inputs.shape,
      this.task.input.kind === 'ids' ? 'int32' : 'float32',
    );
    const y = backend.tensor(
      batch.targets!.data,
      batch.targets!.shape,
      batch.targets!.data instanceof Int32Array ? 'int32' : 'float32',
    );
    const weights = this.lastStepWeights(batch);
    const w = weights === undefined ? undefined : backend.tensor(weights.data, weights.shape);
    try {
      const look = trainee.model.inspect(x, { targets: y, ...(w === undefined ? {} : { sampleWeight: w }) });
      try {
        const layers: LayerInside[] = look.recurrent.map((r) => {
          const states: Record<string, Grid> = {};
          for (const [name, t] of Object.entries(r.states)) states[name] = grid(backend, t);
          const gates: Record<string, Grid> = {};
          for (const [name, t] of Object.entries(r.gates)) gates[name] = grid(backend, t);
          return {
            path: r.path,
            cell: r.cell,
            states,
            gates,
            gradientNorms: rowNorms(grid(backend, r.stateGradients!)),
          };
        });
        const attention =
          trainee.withAttention === undefined ? undefined : this.attention(trainee.withAttention, x);
        return {
          step: trainee.step,
          layers,
          outputs: grid(backend, look.outputs[0]!),
          ...(attention === undefined ? {} : { attention }),
        };
      } finally {
        look.dispose();
      }
    } finally {
      backend.dispose([x, y, ...(w === undefined ? [] : [w])]);
    }
  }

  private attention(model: Functional<T>, x: T): Grid {
    const [outputs, scores] = model.predict(x) as T[];
    try {
      return grid(this.backend, scores!);
    } finally {
      this.backend.dispose([outputs!, scores!]);
    }
  }

  /** Mean ‖∂L/∂h_t‖ over the inside examples of the top recurrent layer of each trainee (the race's plot). */
  gradientNorms(trainee: Trainee<T>): Float32Array {
    const inside = this.inside(trainee);
    const top = inside.layers[inside.layers.length - 1]!;
    const [n, time] = top.gradientNorms.shape as [number, number];
    const mean = new Float32Array(time);
    for (let i = 0; i < n; i++)
      for (let t = 0; t < time; t++) mean[t]! += top.gradientNorms.data[i * time + t]! / n;
    return mean;
  }

  /**
   * Distill's connectivity: ‖∂y/∂x_s‖ for output unit `unit` of example `example` at step `step` (the last output for
   * one-output-per-sequence tasks), over every input step s, where x is the first recurrent layer's input.
   */
  connectivity(example: number, step: number, unit: number): Connectivity {
    const backend = this.backend;
    const one = selectExamples(this.task.test, [example]);
    const x = backend.tensor(
      one.inputs.data,
      one.inputs.shape,
      this.task.input.kind === 'ids' ? 'int32' : 'float32',
    );
    const sequence = this.task.head.kind === 'sequence';
    const objective = (outputs: readonly T[]) =>
      backend.sum(
        sequence
          ? backend.slice(outputs[0]!, [0, step, unit], [1, 1, 1])
          : backend.slice(outputs[0]!, [0, unit], [1, 1]),
      );
    try {
      const look = this.main.model.inspect(x, { objective });
      try {
        const first = look.recurrent[0]!;
        const norms = rowNorms(grid(backend, first.inputGradients!));
        return { example, step: sequence ? step : this.task.steps - 1, unit, values: norms.data };
      } finally {
        look.dispose();
      }
    } finally {
      backend.dispose(x);
    }
  }

  /** Loss and metric on the test set; for the memory probe, accuracy at each lag. */
  evaluate(trainee: Trainee<T> = this.main): Evaluation {
    const { test, head, lags } = this.task;
    const backend = this.backend;
    const logs = trainee.model.testOnBatch(
      test.inputs,
      test.targets!,
      test.sampleWeights === undefined ? {} : { sampleWeight: test.sampleWeights },
    );
    const evaluation: Evaluation = { step: trainee.step, loss: logs.loss!, metric: logs[head.metric]! };
    if (lags === undefined) return evaluation;
    const x = backend.tensor(test.inputs.data, test.inputs.shape);
    const predicted = trainee.model.predict(x) as T;
    try {
      const p = backend.dataSync(predicted);
      const targets = test.targets!.data;
      const weights = test.sampleWeights!.data;
      const k = lags.length;
      const perLag = lags.map((_, j) => {
        let right = 0;
        let count = 0;
        for (let i = 0; i < weights.length; i++) {
          if (weights[i] === 0) continue;
          count += 1;
          if (at(p, i * k + j) > 0.5 === at(targets, i * k + j) > 0.5) right += 1;
        }
        return count === 0 ? 0 : right / count;
      });
      return { ...evaluation, perLag };
    } finally {
      backend.dispose([x, predicted]);
    }
  }

  /**
   * Text: `length` characters sampled after `prompt` with `temperature` (0: the most likely each time), each from
   * the model's distribution for the next character given the last window of text. Seeded by the run's seed.
   */
  generate(prompt: string, length: number, temperature: number): string {
    const tokenizer = this.task.tokenizer;
    if (tokenizer === undefined) throw new Error('generate: the task has no text');
    const backend = this.backend;
    const rng = createRng(`${this.config.seed}:generate:${prompt}:${temperature}`);
    const ids = Array.from(tokenizer.encode(prompt));
    const window = this.task.steps;
    let out = '';
    for (let i = 0; i < length; i++) {
      const context = ids.slice(-window);
      const x = backend.tensor(Int32Array.from(context), [1, context.length], 'int32');
      const probs = this.main.model.predict(x) as T;
      const all = backend.dataSync(probs);
      backend.dispose([x, probs]);
      const vocabulary = this.task.head.units;
      // Special tokens (padding, unknown, ...) never occur in the text: they are not characters to write.
      const last = Float32Array.from(
        all.subarray((context.length - 1) * vocabulary, context.length * vocabulary),
        (p, id) => (tokenizer.vocabulary.isSpecial(id) ? 0 : p),
      );
      const next = sample(last, temperature, rng.next());
      ids.push(next);
      out += tokenizer.decode([next]);
    }
    return out;
  }

  /**
   * Sine: a fresh noisy sine wave (period and phase from the run's seed and `example`), `steps` observed values, and
   * `horizon` predictions each fed back as the next input; with the noiseless continuation to compare.
   */
  forecast(
    example: number,
    horizon: number,
  ): { context: Float32Array; predicted: Float32Array; truth: Float32Array } {
    const steps = this.task.steps;
    const rng = createRng(`${this.config.seed}:forecast:${example}`);
    const components = [{ period: rng.uniform(10, 40), phase: rng.uniform(0, 2 * Math.PI) }];
    const noisy = sumOfSinesSeries({
      length: steps,
      components,
      noiseStd: 0.1,
      seed: `${this.config.seed}:${example}`,
    });
    const truth = sumOfSinesSeries({ length: steps + horizon, components }).slice(steps);
    const series = Array.from(noisy);
    const backend = this.backend;
    for (let h = 0; h < horizon; h++) {
      const x = backend.tensor(Float32Array.from(series.slice(-steps)), [1, steps, 1]);
      const y = this.main.model.predict(x) as T;
      series.push(backend.dataSync(y)[0]!);
      backend.dispose([x, y]);
    }
    return { context: noisy, predicted: Float32Array.from(series.slice(steps)), truth };
  }

  dispose(): void {
    for (const t of this.trainees) t.dispose();
  }
}

/** `[n, time, size]` → `[n, time]` L2 norms over the last axis. */
export function rowNorms(g: Grid): Grid {
  const [n, time, size] = g.shape as [number, number, number];
  const out = new Float32Array(n * time);
  for (let r = 0; r < n * time; r++) {
    let s = 0;
    for (let j = 0; j < size; j++) s += g.data[r * size + j]! ** 2;
    out[r] = Math.sqrt(s);
  }
  return { data: out, shape: [n, time] };
}

/** An index drawn from probabilities `p` sharpened by `temperature` (0: argmax), with `u` uniform in [0, 1). */
export function sample(p: ArrayLike<number>, temperature: number, u: number): number {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (at(p, i) > at(p, best)) best = i;
  if (temperature <= 0) return best;
  const logits = Array.from(p, (v) => Math.log(Math.max(v, 1e-12)) / temperature);
  const top = Math.max(...logits);
  const weights = logits.map((l) => Math.exp(l - top));
  const total = weights.reduce((a, b) => a + b, 0);
  let r = u * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i]!;
    if (r < 0) return i;
  }
  return weights.length - 1;
}
