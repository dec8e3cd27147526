/**
 * Keras `Bidirectional`: runs a recurrent layer forwards and a copy of it backwards over the same input and merges
 * their outputs (`concat` by default, `sum`, `mul`, `ave`, or `null` for both outputs). As in Keras and tfjs-layers,
 * the backward layer's output sequence is reversed back into input order before merging, so step `t` of the merged
 * output sees the whole sequence.
 *
 * With a mask, the backward layer runs `goBackwards` over the masked sequence: masked steps keep the state, so each
 * sequence's valid part is read from its last valid step to its first, exactly as if only the valid part had been
 * reversed (the final state and every valid step's output are equal; tests check it). At masked steps the outputs
 * follow the inner layers' `zeroOutputForMask` (default: repeat, as tfjs-layers; Keras 3 forces zeros there when
 * returning sequences).
 *
 * Weights: the forward layer's, then the backward layer's (`bidirectional/forward_lstm/kernel`, ...). With
 * `returnState`, the outputs are `[merged, ...forward states, ...backward states]`, and `initialState` takes the
 * forward states then the backward ones.
 */
import { invalidArgument, SeqmodelError } from '@seqmodel/core';
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
import type { ShapeSpec } from '../engine/shape-spec.js';
import { reverseTime } from '../engine/tensor-utils.js';
import {
  type RecurrentLayer,
  type RecurrentResult,
  type RecurrentRunOptions,
  RNN,
  recurrentOutputMasks,
  runOptionsOf,
} from './rnn.js';

/** How the two directions are combined; `null` returns both. */
export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave' | null;

const mergeModes: readonly (MergeMode | undefined)[] = ['concat', 'sum', 'mul', 'ave', null];

export interface BidirectionalArgs extends LayerArgs {
  /** Default `concat`. */
  readonly mergeMode?: MergeMode;
  /**
   * A separate layer for the backward direction (default: a copy of the forward layer's config with `goBackwards`
   * flipped). It must return sequences and states like the forward layer and run the other way.
   */
  readonly backwardLayer?: RNN;
}

function stripPrefix(name: string, prefix: string): string {
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

export class Bidirectional extends Layer implements RecurrentLayer {
  readonly className = 'Bidirectional';
  override readonly supportsMasking = true;
  readonly forwardLayer: RNN;
  readonly backwardLayer: RNN;
  readonly mergeMode: MergeMode;
  private readonly customBackward: boolean;

  constructor(layer: RNN, args: BidirectionalArgs = {}) {
    if (!(layer instanceof RNN))
      invalidArgument('bidirectional(layer)', layer, 'a recurrent layer (rnn, lstm, gru, ...)');
    checkLayerOptions('bidirectional', args, ['mergeMode', 'backwardLayer']);
    super(args);
    const mode = args.mergeMode === undefined ? 'concat' : args.mergeMode;
    if (!mergeModes.includes(mode)) {
      invalidArgument('bidirectional mergeMode', args.mergeMode, '"concat", "sum", "mul", "ave" or null');
    }
    this.mergeMode = mode;
    this.forwardLayer = layer;
    this.customBackward = args.backwardLayer !== undefined;
    const backward = args.backwardLayer ?? layer.cloneWith({ goBackwards: !layer.goBackwards });
    if (!(backward instanceof RNN)) {
      invalidArgument('bidirectional backwardLayer', backward, 'a recurrent layer (rnn, lstm, gru, ...)');
    }
    for (const key of ['returnSequences', 'returnState', 'stateful'] as const) {
      if (backward[key] !== layer[key]) {
        throw new SeqmodelError(
          `bidirectional backwardLayer: ${key} is ${backward[key]} but the forward layer's is ${layer[key]}; they must match`,
        );
      }
    }
    if (backward.goBackwards === layer.goBackwards) {
      throw new SeqmodelError(
        'bidirectional backwardLayer: its goBackwards must differ from the forward layer',
      );
    }
    this.backwardLayer = backward;
    if (layer === backward)
      throw new SeqmodelError('bidirectional: the backward layer must be a different layer');
    layer.rename(`forward_${stripPrefix(layer.name, 'forward_')}`);
    backward.rename(`backward_${stripPrefix(backward.name, 'backward_')}`);
    this.inputSpec = { rank: 3, meaning: '[batch, time, features]' };
  }

  override get sublayers(): readonly Layer[] {
    return [this.forwardLayer, this.backwardLayer];
  }

  get returnSequences(): boolean {
    return this.forwardLayer.returnSequences;
  }

  get returnState(): boolean {
    return this.forwardLayer.returnState;
  }

  get stateful(): boolean {
    return this.forwardLayer.stateful;
  }

  get readsBackwards(): boolean {
    return true;
  }

  stateSizes(inputSize?: number): number[] {
    return [...this.forwardLayer.stateSizes(inputSize), ...this.backwardLayer.stateSizes(inputSize)];
  }

  outputSize(inputSize?: number): number {
    const f = this.forwardLayer.outputSize(inputSize);
    return this.mergeMode === 'concat' ? f + this.backwardLayer.outputSize(inputSize) : f;
  }

  protected override onBuild(env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    const child = this.childEnv(env);
    this.forwardLayer.buildIn(child, inputShapes);
    this.backwardLayer.buildIn(child, inputShapes);
    const f = this.forwardLayer.outputSize();
    const b = this.backwardLayer.outputSize();
    if (this.mergeMode !== 'concat' && this.mergeMode !== null && f !== b) {
      throw new SeqmodelError(
        `${this.describe()}: mergeMode ${this.mergeMode} needs equal output sizes, forward ${f} and backward ${b}`,
      );
    }
  }

  private splitInitialState<S>(states: readonly S[] | undefined): [S[] | undefined, S[] | undefined] {
    if (states === undefined || states.length === 0) return [undefined, undefined];
    const nf = this.forwardLayer.stateSizes().length;
    const nb = this.backwardLayer.stateSizes().length;
    if (states.length !== nf + nb) {
      throw new SeqmodelError(
        `${this.describe()} initialState: expected ${nf + nb} tensors (${nf} forward then ${nb} backward), received ${states.length}`,
      );
    }
    return [states.slice(0, nf), states.slice(nf)];
  }

  computeOutputShape(
    inputShapes: readonly ShapeSpec[],
    initialStateShapes: readonly ShapeSpec[] = [],
  ): ShapeSpec[] {
    const [initF, initB] = this.splitInitialState(initialStateShapes);
    const [yf, ...sf] = this.forwardLayer.computeOutputShape(inputShapes, initF);
    const [yb, ...sb] = this.backwardLayer.computeOutputShape(inputShapes, initB);
    let outputs: ShapeSpec[];
    if (this.mergeMode === null) outputs = [yf!, yb!];
    else if (this.mergeMode === 'concat') {
      const f = yf![yf!.length - 1]!;
      const b = yb![yb!.length - 1]!;
      outputs = [[...yf!.slice(0, -1), f === null || b === null ? null : f + b]];
    } else outputs = [yf!];
    return [...outputs, ...sf, ...sb];
  }

  /** Both directions; the backward output is in input order when returning sequences. */
  private runBoth<T>(ctx: CallContext<T>, x: T, options: RecurrentRunOptions<T>) {
    const [initF, initB] = this.splitInitialState(options.initialState);
    const f = this.forwardLayer.run(ctx, x, {
      mask: options.mask,
      initialState: initF,
      returnSequences: options.returnSequences,
    });
    const b = this.backwardLayer.run(ctx, x, {
      mask: options.mask,
      initialState: initB,
      returnSequences: options.returnSequences,
    });
    const backwardOutput = options.returnSequences ? reverseTime(ctx.backend, b.output) : b.output;
    return { forward: f.output, backward: backwardOutput, states: [...f.states, ...b.states] };
  }

  private merge<T>(ctx: CallContext<T>, forward: T, backward: T): T {
    const b = ctx.backend;
    switch (this.mergeMode) {
      case 'concat':
        return b.concat([forward, backward], -1);
      case 'sum':
        return b.add(forward, backward);
      case 'mul':
        return b.mul(forward, backward);
      case 'ave':
        return b.mul(b.add(forward, backward), 0.5);
      default:
        throw new SeqmodelError(`${this.describe()}: no merge for mergeMode null`);
    }
  }

  run<T>(ctx: CallContext<T>, x: T, options: RecurrentRunOptions<T>): RecurrentResult<T> {
    if (this.mergeMode === null) {
      throw new SeqmodelError(`${this.describe()}: mergeMode null has two outputs; it cannot be stacked`);
    }
    const { forward, backward, states } = this.runBoth(ctx, x, options);
    return { output: this.merge(ctx, forward, backward), states };
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], args: CallArgs<T>): T[] {
    const { forward, backward, states } = this.runBoth(ctx, inputs[0]!, runOptionsOf(this, args));
    const outputs = this.mergeMode === null ? [forward, backward] : [this.merge(ctx, forward, backward)];
    return this.returnState ? [...outputs, ...states] : outputs;
  }

  override computeMask<T>(
    _ctx: CallContext<T>,
    _inputs: readonly T[],
    masks: readonly (T | undefined)[],
    outputCount: number,
  ): (T | undefined)[] {
    return recurrentOutputMasks(this.returnSequences, masks, outputCount, this.mergeMode === null ? 2 : 1);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      layer: this.forwardLayer.serialize(),
      mergeMode: this.mergeMode,
      ...(this.customBackward ? { backwardLayer: this.backwardLayer.serialize() } : {}),
    };
  }

  static fromConfig(config: Record<string, unknown>, context: FromConfigContext): Bidirectional {
    const { layer, backwardLayer, ...rest } = config;
    const forward = context.deserializeLayer(layer as SerializedLayer);
    const backward =
      backwardLayer === undefined ? undefined : context.deserializeLayer(backwardLayer as SerializedLayer);
    return new Bidirectional(forward as RNN, {
      ...(rest as LayerArgs & { mergeMode?: MergeMode }),
      ...(backward === undefined ? {} : { backwardLayer: backward as RNN }),
    });
  }
}

/**
 * Runs a recurrent layer in both directions.
 *
 * @example
 * bidirectional(lstm({ units: 32, returnSequences: true }), { mergeMode: 'concat' });
 */
export function bidirectional(layer: RNN, args: BidirectionalArgs = {}): Bidirectional {
  return new Bidirectional(layer, args);
}
