/**
 * `Stacked`: several recurrent layers, each reading the previous one's output sequence, as one layer (PyTorch's
 * `num_layers`, or a stack of Keras RNNs with `returnSequences`). Options:
 * - `dropout` between layers: in training, applied to every layer's output but the last, each entry independently
 *   (PyTorch semantics), from the pass's seeded stream;
 * - `residual`: every layer after the first adds its input to its output (sizes must match). With
 *   `returnSequences: false`, the last layer's final output gets the input of the last valid step added;
 * - `returnState`: outputs `[output, ...states of layer 0, ...states of layer 1, ...]`; `initialState` takes the same
 *   order. Each layer's states are listed in `stateSizes()`.
 *
 * Inner layers may be any recurrent layer (`rnn`, `lstm`, `gru`, `bidirectional` with a merge mode). The stack decides
 * their outputs: the middle ones always return sequences, the last returns sequences when the stack does (default:
 * as the last layer was configured); inner `returnState` must stay off. Masks reach every layer.
 */
import {
  type CellRef,
  checkBoolean,
  checkPositiveInteger,
  invalidArgument,
  resolveCell,
  SeqmodelError,
} from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import {
  type BuildEnv,
  type CallArgs,
  checkLayerOptions,
  type FromConfigContext,
  Layer,
  type LayerArgs,
  type SerializedLayer,
} from '../engine/layer.js';
import { NameScope } from '../engine/naming.js';
import type { ShapeSpec } from '../engine/shape-spec.js';
import { checkDropoutRate, dropoutMask, lastValidStep } from '../engine/tensor-utils.js';
import {
  GRU,
  isRecurrentLayer,
  LSTM,
  type RecurrentArgs,
  type RecurrentLayer,
  type RecurrentResult,
  type RecurrentRunOptions,
  RNN,
  type RnnArgs,
  recurrentKeys,
  recurrentOutputMasks,
  runOptionsOf,
  SimpleRNN,
} from './rnn.js';

export interface StackedArgs extends LayerArgs {
  /** Dropout between layers, in training (default 0). */
  readonly dropout?: number;
  /** Add each layer's input to its output, from the second layer on (default false). */
  readonly residual?: boolean;
  /** Return the last layer's output at every step (default: the last layer's `returnSequences`). */
  readonly returnSequences?: boolean;
  /** Also return every layer's final states (default false). */
  readonly returnState?: boolean;
}

/**
 * `numLayers` copies of one recurrent layer: the cell and its options, `units`, and the recurrent options of
 * `RecurrentArgs` except `dropout`, which here means dropout between layers (as PyTorch's `num_layers` / `dropout`).
 */
export type StackedSpec = StackedArgs &
  Omit<RecurrentArgs, 'dropout' | 'returnSequences' | 'returnState' | 'name' | 'trainable'> & {
    readonly cell: CellRef;
    readonly numLayers: number;
  } & Readonly<Record<string, unknown>>;

type InnerLayer = Layer & RecurrentLayer;

const stackedKeys: readonly string[] = ['dropout', 'residual', 'returnSequences', 'returnState'];

function layersFromSpec(spec: StackedSpec): InnerLayer[] {
  const {
    numLayers,
    dropout: _dropout,
    residual: _residual,
    returnSequences: _returnSequences,
    returnState: _returnState,
    name: _name,
    trainable: _trainable,
    inputShape: _inputShape,
    batchSize: _batchSize,
    batchInputShape: _batchInputShape,
    ...layerArgs
  } = spec;
  checkPositiveInteger('stacked numLayers', numLayers);
  const make = (): InnerLayer => {
    const args = { ...layerArgs } as RnnArgs;
    if (args.cell === 'lstm') return new LSTM(args);
    if (args.cell === 'gru') return new GRU(args);
    if (args.cell === 'simpleRNN') return new SimpleRNN(args);
    return new RNN(args);
  };
  return Array.from({ length: numLayers }, make);
}

export class Stacked extends Layer implements RecurrentLayer {
  readonly className = 'Stacked';
  override readonly supportsMasking = true;
  readonly layers: readonly InnerLayer[];
  readonly dropout: number;
  readonly residual: boolean;
  readonly returnSequences: boolean;
  readonly returnState: boolean;

  constructor(layers: readonly Layer[] | StackedSpec, args: StackedArgs = {}) {
    const fromSpec = !Array.isArray(layers);
    if (fromSpec && (typeof layers !== 'object' || layers === null)) {
      invalidArgument(
        'stacked(layers)',
        layers,
        'an array of recurrent layers or a spec { cell, units, numLayers }',
      );
    }
    checkLayerOptions('stacked', args, stackedKeys);
    if (fromSpec) {
      const cell = resolveCell((layers as StackedSpec).cell, 'stacked cell');
      checkLayerOptions(
        'stacked',
        layers,
        [...stackedKeys, 'numLayers', 'cell', ...recurrentKeys.filter((k) => !stackedKeys.includes(k))],
        { known: Object.keys(cell.defaultOptions), label: `options of the cell ${cell.name}` },
      );
    }
    const options: StackedArgs = fromSpec ? { ...(layers as StackedSpec), ...args } : args;
    super(options);
    const list = fromSpec ? layersFromSpec(layers as StackedSpec) : [...(layers as readonly Layer[])];
    if (list.length === 0) invalidArgument('stacked(layers)', layers, 'at least one recurrent layer');
    list.forEach((layer, i) => {
      if (!isRecurrentLayer(layer)) {
        invalidArgument(`stacked layers[${i}]`, layer, 'a recurrent layer (rnn, lstm, gru, bidirectional)');
      }
      if (layer.returnState) {
        throw new SeqmodelError(
          `stacked layers[${i}] ${layer.describe()}: returnState must be off inside a stack; set returnState on the stack`,
        );
      }
      if (layer instanceof Layer && (layer as { mergeMode?: unknown }).mergeMode === null) {
        throw new SeqmodelError(
          `stacked layers[${i}] ${layer.describe()}: a Bidirectional layer in a stack needs a mergeMode`,
        );
      }
    });
    if (new Set(list).size !== list.length) throw new SeqmodelError('stacked: the same layer appears twice');
    this.layers = list as InnerLayer[];
    this.dropout = checkDropoutRate('stacked dropout', options.dropout ?? 0);
    this.residual = checkBoolean('stacked residual', options.residual ?? false);
    this.returnSequences = checkBoolean(
      'stacked returnSequences',
      options.returnSequences ?? this.layers[this.layers.length - 1]!.returnSequences,
    );
    this.returnState = checkBoolean('stacked returnState', options.returnState ?? false);
    const scope = new NameScope();
    for (const layer of this.layers) if (layer.hasName) scope.reserve(layer.name, 'stacked');
    for (const layer of this.layers) if (!layer.hasName) layer.assignName(scope.unique(layer.defaultName()));
    this.inputSpec = { rank: 3, meaning: '[batch, time, features]' };
  }

  override get sublayers(): readonly Layer[] {
    return this.layers;
  }

  get readsBackwards(): boolean {
    return this.layers.some((l) => l.readsBackwards);
  }

  get stateful(): boolean {
    return this.layers.some((l) => (l as { stateful?: boolean }).stateful === true);
  }

  /** Input size of each layer, from the stack's input size. */
  private inputSizes(inputSize: number): number[] {
    const sizes = [inputSize];
    for (const layer of this.layers.slice(0, -1)) sizes.push(layer.outputSize(sizes[sizes.length - 1]!));
    return sizes;
  }

  /** State sizes of every layer, flattened in layer order. */
  stateSizes(inputSize = this.builtInputSize()): number[] {
    const sizes = this.inputSizes(inputSize);
    return this.layers.flatMap((l, i) => l.stateSizes(sizes[i]!));
  }

  /** State sizes grouped per layer. */
  stateSizesPerLayer(inputSize = this.builtInputSize()): number[][] {
    const sizes = this.inputSizes(inputSize);
    return this.layers.map((l, i) => l.stateSizes(sizes[i]!));
  }

  outputSize(inputSize = this.builtInputSize()): number {
    const sizes = this.inputSizes(inputSize);
    return this.layers[this.layers.length - 1]!.outputSize(sizes[sizes.length - 1]!);
  }

  private builtInputSize(): number {
    return (this.buildShapes?.[0]?.[2] as number | undefined) ?? 1;
  }

  protected override onBuild(env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    const [batch, time, features] = inputShapes[0]! as [number | null, number | null, number | null];
    if (features === null) {
      throw new SeqmodelError(`${this.describe()}: the feature size of the input must be known to build`);
    }
    const child = this.childEnv(env);
    const sizes = this.inputSizes(features);
    this.layers.forEach((layer, i) => {
      layer.buildIn(child, [[batch, time, sizes[i]!]]);
      if (this.residual && i > 0) {
        const out = layer.outputSize(sizes[i]!);
        if (out !== sizes[i]) {
          throw new SeqmodelError(
            `${this.describe()} residual: layer ${i} ${layer.describe()} has input size ${sizes[i]} and output size ${out}; a residual connection needs them equal`,
          );
        }
      }
    });
  }

  private splitInitialState<S>(states: readonly S[] | undefined, inputSize: number): (S[] | undefined)[] {
    if (states === undefined || states.length === 0) return this.layers.map(() => undefined);
    const counts = this.stateSizesPerLayer(inputSize).map((sizes) => sizes.length);
    const total = counts.reduce((a, b) => a + b, 0);
    if (states.length !== total) {
      throw new SeqmodelError(
        `${this.describe()} initialState: expected ${total} tensors (${counts.join(' + ')} for the layers in order), received ${states.length}`,
      );
    }
    let offset = 0;
    return counts.map((n) => {
      const part = states.slice(offset, offset + n);
      offset += n;
      return part;
    });
  }

  computeOutputShape(
    inputShapes: readonly ShapeSpec[],
    initialStateShapes: readonly ShapeSpec[] = [],
  ): ShapeSpec[] {
    const [batch, time, features] = inputShapes[0]! as [number | null, number | null, number | null];
    const inputSize = features ?? 1;
    const sizes = this.inputSizes(inputSize);
    const init = this.splitInitialState(initialStateShapes, inputSize);
    this.layers.forEach((layer, i) => {
      layer.computeOutputShape([[batch, time, sizes[i]!]], init[i]);
    });
    const size = this.outputSize(inputSize);
    const output: ShapeSpec = this.returnSequences ? [batch, time, size] : [batch, size];
    return this.returnState ? [output, ...this.stateSizes(inputSize).map((s) => [batch, s])] : [output];
  }

  run<T>(ctx: CallContext<T>, x: T, options: RecurrentRunOptions<T>): RecurrentResult<T> {
    const b = ctx.backend;
    this.checkInputShape('inputs', b.shape(x));
    const init = this.splitInitialState(options.initialState, b.shape(x)[2]!);
    const rng = ctx.training && this.dropout > 0 ? ctx.rngFor(this.path) : undefined;
    const states: T[] = [];
    let h = x;
    this.layers.forEach((layer, i) => {
      const last = i === this.layers.length - 1;
      const result = layer.run(ctx, h, {
        mask: options.mask,
        initialState: init[i],
        returnSequences: last ? options.returnSequences : true,
      });
      let y = result.output;
      if (this.residual && i > 0) {
        y = b.add(y, last && !options.returnSequences ? lastValidStep(b, h, options.mask) : h);
      }
      if (!last && rng !== undefined) y = b.mul(y, dropoutMask(b, rng.fork(i), b.shape(y), this.dropout));
      states.push(...result.states);
      h = y;
    });
    return { output: h, states };
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], args: CallArgs<T>): T[] {
    const { output, states } = this.run(ctx, inputs[0]!, runOptionsOf(this, args));
    return this.returnState ? [output, ...states] : [output];
  }

  override computeMask<T>(
    _ctx: CallContext<T>,
    _inputs: readonly T[],
    masks: readonly (T | undefined)[],
    outputCount: number,
  ): (T | undefined)[] {
    return recurrentOutputMasks(this.returnSequences, masks, outputCount);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      layers: this.layers.map((l) => l.serialize()),
      dropout: this.dropout,
      residual: this.residual,
      returnSequences: this.returnSequences,
      returnState: this.returnState,
    };
  }

  static fromConfig(config: Record<string, unknown>, context: FromConfigContext): Stacked {
    const { layers, ...rest } = config;
    if (!Array.isArray(layers))
      invalidArgument('Stacked config.layers', layers, 'an array of serialized layers');
    return new Stacked(
      layers.map((l) => context.deserializeLayer(l as SerializedLayer)),
      rest as StackedArgs,
    );
  }
}

/**
 * Several recurrent layers as one.
 *
 * @example
 * stacked([lstm({ units: 64 }), lstm({ units: 64 })], { dropout: 0.2, residual: true, returnState: true });
 * stacked({ cell: 'gru', units: 32, numLayers: 3, dropout: 0.1 });
 */
export function stacked(layers: readonly Layer[] | StackedSpec, args: StackedArgs = {}): Stacked {
  return new Stacked(layers, args);
}
