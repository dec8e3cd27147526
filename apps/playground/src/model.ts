/**
 * The model on screen, built with `@seqmodel/layers` (and `@seqmodel/attention` when attention is on): an embedding
 * for token ids, `depth` recurrent layers over the chosen cell (each optionally bidirectional), optionally
 * multi-head attention over their outputs, and a dense output fitted to the task. `modelCode` writes the same
 * construction as JavaScript for "Copy as code"; a test runs that code and compares its losses with this model's.
 */
import { multiHeadAttention } from '@seqmodel/attention';
import { type Backend, explainParamCount } from '@seqmodel/core';
import {
  adadelta,
  adagrad,
  adam,
  adamax,
  adamW,
  bidirectional,
  dense,
  embedding,
  type Functional,
  flatten,
  model as functionalModel,
  input,
  isRecurrentLayer,
  type Layer,
  nadam,
  type Optimizer,
  RNN,
  repeatVector,
  rmsprop,
  rnn,
  type SymbolicTensor,
  sgd,
} from '@seqmodel/layers';
import type { PlaygroundConfig } from './config.js';
import type { TaskData } from './tasks.js';

export interface BuiltModel<T> {
  /** The compiled model that trains. */
  readonly model: Functional<T>;
  /** With attention: the same layers, also returning the attention weights `[batch, heads, Tq, Tk]`. */
  readonly withAttention?: Functional<T>;
}

/** The optimizer of `config` (Keras' defaults besides the learning rate and clipping). */
export function makeOptimizer(config: PlaygroundConfig): Optimizer {
  const options = {
    learningRate: config.learningRate,
    ...(config.clip > 0 ? { clipnorm: config.clip } : {}),
  };
  switch (config.optimizer) {
    case 'adam':
      return adam(options);
    case 'rmsprop':
      return rmsprop(options);
    case 'sgd':
      return sgd(options);
    case 'adagrad':
      return adagrad(options);
    case 'adamw':
      return adamW(options);
    case 'adadelta':
      return adadelta(options);
    case 'adamax':
      return adamax(options);
    case 'nadam':
      return nadam(options);
  }
}

const ATTENTION_HEADS = 2;

function keyDim(units: number): number {
  return Math.max(4, Math.ceil(units / ATTENTION_HEADS));
}

/** Whether the top recurrent layer returns its final states (many-to-one with attention: the query). */
function topReturnsState(config: PlaygroundConfig, task: TaskData): boolean {
  return config.attention && task.head.kind === 'last';
}

/** Builds and compiles the model of `config` for `task` on `backend`, with `cell` in place of `config.cell`. */
export function buildModel<T>(
  backend: Backend<T>,
  config: PlaygroundConfig,
  task: TaskData,
  cell: string = config.cell,
): BuiltModel<T> {
  const ids = task.input.kind === 'ids';
  const inputs = input({
    shape: task.input.kind === 'ids' ? [null] : [null, task.input.features],
    dtype: ids ? 'int32' : 'float32',
  });
  let h: SymbolicTensor =
    task.input.kind === 'ids'
      ? (embedding({
          inputDim: task.input.vocabulary,
          outputDim: task.input.embedding,
          maskZero: task.input.maskZero,
        }).apply(inputs) as SymbolicTensor)
      : inputs;
  let query: SymbolicTensor | undefined;
  for (let i = 0; i < config.depth; i++) {
    const top = i === config.depth - 1;
    const returnState = top && topReturnsState(config, task);
    const returnSequences = !top || task.head.kind === 'sequence' || config.attention;
    const recurrent = rnn({ cell, units: config.units, returnSequences, returnState });
    const layer = config.bidirectional ? bidirectional(recurrent) : recurrent;
    const out = layer.apply(h);
    if (returnState) {
      // [sequence, h, ...]: the forward direction's final h asks the attention what to look at.
      [h, query] = out as [SymbolicTensor, SymbolicTensor];
    } else {
      h = out as SymbolicTensor;
    }
  }
  let scores: SymbolicTensor | undefined;
  if (config.attention) {
    const attention = multiHeadAttention({
      numHeads: ATTENTION_HEADS,
      keyDim: keyDim(config.units),
      useCausalMask: task.head.kind === 'sequence',
      returnAttentionScores: true,
    });
    if (task.head.kind === 'sequence') {
      [h, scores] = attention.apply([h, h]) as [SymbolicTensor, SymbolicTensor];
    } else {
      const q = repeatVector({ n: 1 }).apply(query!) as SymbolicTensor;
      [h, scores] = attention.apply([q, h]) as [SymbolicTensor, SymbolicTensor];
      h = flatten().apply(h) as SymbolicTensor;
    }
  }
  const outputs = dense({ units: task.head.units, activation: task.head.activation }).apply(
    h,
  ) as SymbolicTensor;
  const model = functionalModel<T>({ inputs, outputs, backend, seed: config.seed });
  model.compile({ optimizer: makeOptimizer(config), loss: task.head.loss, metrics: [task.head.metric] });
  if (scores === undefined) return { model };
  return { model, withAttention: functionalModel<T>({ inputs, outputs: [outputs, scores], backend }) };
}

/** One row of the parameter table. */
export interface ParamRow {
  readonly layer: string;
  readonly kind: string;
  readonly count: number;
  /** The count as arithmetic, e.g. `(1*16)*4 + (16*16)*4 + 16*4 = 1152` (the lecture's W·|gates| + U·|gates| + b·|gates|). */
  readonly formula: string;
}

function product(shape: readonly number[]): string {
  return shape.length === 0 ? '1' : shape.join('·');
}

/** The parameters of every layer of a built model, with their formulas. */
export function paramTable(model: Functional<unknown>): ParamRow[] {
  return model.layers
    .filter((layer) => layer.weights.length > 0)
    .map((layer) => {
      const count = layer.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
      return { layer: layer.name, kind: layer.className, count, formula: layerFormula(layer, count) };
    });
}

function layerFormula(layer: Layer, count: number): string {
  const recurrent = recurrentParts(layer);
  if (recurrent !== undefined) {
    const [first] = recurrent;
    const inputSize = first!.weights[0]!.shape[0]!;
    const { formula } = explainParamCount(first!.cell, {
      inputSize,
      units: first!.units,
      ...first!.cellOptions,
    });
    const body = formula.slice(0, formula.lastIndexOf(' = '));
    return recurrent.length === 1 ? `${body} = ${count}` : `${recurrent.length} × (${body}) = ${count}`;
  }
  return `${layer.weights.map((w) => product(w.shape)).join(' + ')} = ${count}`;
}

/** The RNN layers a layer consists of (itself, or a Bidirectional's two), or undefined for other layers. */
function recurrentParts(layer: Layer): RNN[] | undefined {
  if (layer instanceof RNN) return [layer];
  if (!isRecurrentLayer(layer)) return undefined;
  const inner = (layer as unknown as { forwardLayer?: unknown; backwardLayer?: unknown }).forwardLayer;
  const back = (layer as unknown as { backwardLayer?: unknown }).backwardLayer;
  return inner instanceof RNN && back instanceof RNN ? [inner, back] : undefined;
}

/** `modelCode`'s JavaScript for the optimizer. */
function optimizerCode(config: PlaygroundConfig): string {
  const name = config.optimizer === 'adamw' ? 'adamW' : config.optimizer;
  const clip = config.clip > 0 ? `, clipnorm: ${config.clip}` : '';
  return `${name}({ learningRate: ${config.learningRate}${clip} })`;
}

/** The JavaScript that builds and compiles the same model as `buildModel` (as `model`, on `backend`). */
export function modelCode(
  config: PlaygroundConfig,
  task: TaskData,
): { imports: Map<string, string[]>; lines: string } {
  const layers = new Set([
    'dense',
    'input',
    'model',
    'rnn',
    config.optimizer === 'adamw' ? 'adamW' : config.optimizer,
  ]);
  const attentionImports: string[] = [];
  const lines: string[] = [];
  const ids = task.input.kind === 'ids';
  lines.push(
    ids
      ? "const inputs = input({ shape: [null], dtype: 'int32' }); // token ids"
      : `const inputs = input({ shape: [null, ${(task.input as { features: number }).features}] }); // [time, features]`,
  );
  let h = 'inputs';
  if (task.input.kind === 'ids') {
    layers.add('embedding');
    lines.push(
      `const embedded = embedding({ inputDim: ${task.input.vocabulary}, outputDim: ${task.input.embedding}${task.input.maskZero ? ', maskZero: true' : ''} }).apply(inputs);`,
    );
    h = 'embedded';
  }
  for (let i = 0; i < config.depth; i++) {
    const top = i === config.depth - 1;
    const returnState = top && topReturnsState(config, task);
    const returnSequences = !top || task.head.kind === 'sequence' || config.attention;
    const options = [
      `cell: '${config.cell}'`,
      `units: ${config.units}`,
      ...(returnSequences ? ['returnSequences: true'] : []),
      ...(returnState ? ['returnState: true'] : []),
    ].join(', ');
    let layer = `rnn({ ${options} })`;
    if (config.bidirectional) {
      layers.add('bidirectional');
      layer = `bidirectional(${layer})`;
    }
    const name = `h${i + 1}`;
    lines.push(
      returnState
        ? `const [${name}, query] = ${layer}.apply(${h}); // the final h asks the attention what to look at`
        : `const ${name} = ${layer}.apply(${h});`,
    );
    h = name;
  }
  if (config.attention) {
    attentionImports.push('multiHeadAttention');
    const options = `numHeads: ${ATTENTION_HEADS}, keyDim: ${keyDim(config.units)}${task.head.kind === 'sequence' ? ', useCausalMask: true' : ''}`;
    if (task.head.kind === 'sequence') {
      lines.push(`const attended = multiHeadAttention({ ${options} }).apply([${h}, ${h}]);`);
      h = 'attended';
    } else {
      layers.add('repeatVector');
      layers.add('flatten');
      lines.push(
        `const attended = multiHeadAttention({ ${options} }).apply([repeatVector({ n: 1 }).apply(query), ${h}]);`,
        'const pooled = flatten().apply(attended);',
      );
      h = 'pooled';
    }
  }
  lines.push(
    `const outputs = dense({ units: ${task.head.units}, activation: '${task.head.activation}' }).apply(${h});`,
    `const model = modelOf({ inputs, outputs, backend, seed: ${config.seed} });`,
    `model.compile({ optimizer: ${optimizerCode(config)}, loss: '${task.head.loss}', metrics: ['${task.head.metric}'] });`,
  );
  const imports = new Map<string, string[]>([['@seqmodel/layers', [...layers].sort()]]);
  if (attentionImports.length > 0) imports.set('@seqmodel/attention', attentionImports);
  return { imports, lines: lines.join('\n') };
}
