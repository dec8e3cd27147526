/**
 * The decoder of a recurrent encoder-decoder with attention: a cell loop over the target sequence that attends over
 * the encoder's outputs at every step (Bahdanau et al. 2015; Luong et al. 2015). Inputs `[targets, encoderOutputs]`
 * (`[batch, Tt, features]`, the embedded previous tokens under teacher forcing, and `[batch, Ts, encoderFeatures]`),
 * optional initial state (the encoder's final states). Per step `t`, with `s` the cell's state and `H` the encoder's
 * outputs:
 *
 *   luong (default, with input feeding):  h_t = cell([x_t; h̃_{t−1}], s_{t−1})
 *                                          c_t = attention(h_t, H)              (dot, general or concat scores)
 *                                          h̃_t = tanh(Wc·[c_t; h_t])            output h̃_t (`units`)
 *   bahdanau:                              c_t = attention(h_{t−1}, H)          (additive scores, `attentionUnits`)
 *                                          h_t = cell([x_t; c_t], s_{t−1})      output [h_t; c_t]
 *
 * The cell is any registered cell (`lstm` by default). Weights: the cell's (`kernel`, `recurrent_kernel`, `bias`), the
 * attention sublayer's (`attention/...`, a `luongAttention` or `bahdanauAttention` layer) and, for Luong, Wc
 * (`attention_projection/kernel`). `returnAttentionScores` adds the weights `[batch, Tt, Ts]` as a second output.
 * Masks: padded encoder steps get zero weight; at masked target steps the state is kept, the previous output repeated
 * (zeros before the first valid step) as the recurrent layers do, and the attention weights are zero.
 *
 * Decoding: in a pass that carries state (a stream, or the decoding module) the layer continues from its carried state
 * (the cell's states, then h̃ for Luong) and records it; there a carried state takes precedence over `initialState`,
 * which only starts the sequence, so a decoder model that takes the encoder's states as inputs can be run one token at
 * a time with the same inputs at every step.
 */
import {
  type AnyCellPlugin,
  type Backend,
  type CellDims,
  type CellRef,
  checkBoolean,
  checkOneOf,
  checkPositiveInteger,
  formatShape,
  initParams,
  invalidArgument,
  outputSizeOf,
  resolveCell,
  resolveCellOptions,
  SeqmodelError,
} from '@seqmodel/core';
import {
  type BuildEnv,
  type CallArgs,
  type CallContext,
  type Dense,
  dense,
  formatShapeSpec,
  Layer,
  type LayerArgs,
  type LayerWeight,
  type ShapeSpec,
  toSnakeCase,
} from '@seqmodel/layers';
import { type BahdanauAttention, bahdanauAttention } from '../layers/bahdanau-attention.js';
import { queryMaskThenNone } from '../layers/input-checks.js';
import { type LuongAttention, luongAttention } from '../layers/luong-attention.js';
import { callSublayer } from './transformer-block.js';

export interface AttentionDecoderArgs extends LayerArgs {
  /** The recurrent cell: a registered name or a plugin (default `lstm`). */
  readonly cell?: CellRef;
  /** Units of the cell. */
  readonly units: number;
  /** `luong` (default, with input feeding) or `bahdanau`. */
  readonly attention?: 'luong' | 'bahdanau';
  /** Luong's score (default `dot`, which needs `units` equal to the encoder's feature size). */
  readonly scoreMode?: 'dot' | 'general' | 'concat';
  /** Hidden size of Bahdanau's score and Luong's `concat` score (default `units`). */
  readonly attentionUnits?: number;
  /** Return the attention weights `[batch, Tt, Ts]` as a second output (default false). */
  readonly returnAttentionScores?: boolean;
  /** The cell's own options (`recurrentActivation`, `kernelInitializer`, ...). */
  readonly cellOptions?: Readonly<Record<string, unknown>>;
}

interface Built {
  readonly dims: CellDims;
  readonly params: Record<string, LayerWeight>;
  readonly attention: LuongAttention | BahdanauAttention;
  readonly projection: Dense | undefined;
  readonly encoderSize: number;
}

export class AttentionDecoder extends Layer {
  readonly className = 'AttentionDecoder';
  override readonly supportsMasking = true;
  readonly cell: AnyCellPlugin;
  readonly units: number;
  readonly attention: 'luong' | 'bahdanau';
  readonly scoreMode: 'dot' | 'general' | 'concat';
  readonly attentionUnits: number;
  readonly returnAttentionScores: boolean;
  readonly cellOptions: Readonly<Record<string, unknown>>;
  private built_: Built | undefined;

  constructor(args: AttentionDecoderArgs) {
    if (typeof args !== 'object' || args === null) {
      invalidArgument('attentionDecoder(options)', args, 'an object with units');
    }
    super(args);
    this.cell = resolveCell(args.cell ?? 'lstm', 'attentionDecoder cell');
    this.units = checkPositiveInteger('attentionDecoder units', args.units);
    this.attention = checkOneOf('attentionDecoder attention', args.attention ?? 'luong', [
      'luong',
      'bahdanau',
    ]);
    this.scoreMode = checkOneOf('attentionDecoder scoreMode', args.scoreMode ?? 'dot', [
      'dot',
      'general',
      'concat',
    ]);
    if (this.attention === 'bahdanau' && args.scoreMode !== undefined) {
      invalidArgument(
        'attentionDecoder scoreMode',
        args.scoreMode,
        'nothing for Bahdanau attention (additive scores)',
      );
    }
    this.attentionUnits = checkPositiveInteger(
      'attentionDecoder attentionUnits',
      args.attentionUnits ?? this.units,
    );
    this.returnAttentionScores = checkBoolean(
      'attentionDecoder returnAttentionScores',
      args.returnAttentionScores ?? false,
    );
    this.cellOptions = resolveCellOptions(this.cell, { ...(args.cellOptions ?? {}) });
    this.inputSpec = { rank: 3, meaning: '[batch, time, features] (the targets)' };
  }

  override get inputCount(): number {
    return 2;
  }

  override get sublayers(): readonly Layer[] {
    if (this.built_ === undefined) return [];
    return this.built_.projection === undefined
      ? [this.built_.attention]
      : [this.built_.attention, this.built_.projection];
  }

  /** Whether the attentional output is fed to the next step's input (Luong's input feeding). */
  private get feedsOutput(): boolean {
    return this.attention === 'luong';
  }

  /** The cell's state sizes, then (Luong) the size of h̃: what a carried state holds. */
  stateSizes(): number[] {
    const dims = this.built_?.dims ?? { inputSize: 1, units: this.units, options: this.cellOptions };
    return [...this.cell.state(dims).map((s) => s.size), ...(this.feedsOutput ? [this.units] : [])];
  }

  private outputSize(encoderSize: number): number {
    return this.attention === 'luong' ? this.units : this.units + encoderSize;
  }

  private checkShapes(shapes: readonly ShapeSpec[]): { target: number; encoder: number } {
    const [target, encoder] = shapes as [ShapeSpec, ShapeSpec];
    if (encoder.length !== 3 || encoder[2] === null || target[2] === null) {
      throw new SeqmodelError(
        `${this.describe()} inputs: expected [targets [batch, time, features], encoderOutputs [batch, time, features]] with known features, received shapes ${formatShapeSpec(target)} and ${formatShapeSpec(encoder)}`,
      );
    }
    if (target[0] !== null && encoder[0] !== null && target[0] !== encoder[0]) {
      throw new SeqmodelError(
        `${this.describe()} encoderOutputs: expected batch ${target[0]} (that of the targets ${formatShapeSpec(target)}), received shape ${formatShapeSpec(encoder)}`,
      );
    }
    return { target: target[2]!, encoder: encoder[2]! };
  }

  protected override onBuild(env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    const sizes = this.checkShapes(inputShapes);
    if (this.attention === 'luong' && this.scoreMode === 'dot' && sizes.encoder !== this.units) {
      throw new SeqmodelError(
        `${this.describe()} units: expected the encoder's feature size ${sizes.encoder} for Luong dot scores (scoreMode "general" or "concat" compare other sizes), received ${this.units}`,
      );
    }
    const feed = this.feedsOutput ? this.units : sizes.encoder;
    const dims: CellDims = { inputSize: sizes.target + feed, units: this.units, options: this.cellOptions };
    if (outputSizeOf(this.cell, dims) !== this.units) {
      throw new SeqmodelError(
        `${this.describe()} cell: expected a cell whose output is its first state (${this.cell.name} outputs ${outputSizeOf(this.cell, dims)} values for ${this.units} units)`,
      );
    }
    const values = initParams(
      this.cell,
      { inputSize: dims.inputSize, units: this.units, ...this.cellOptions },
      this.weightRng(env),
    );
    const params: Record<string, LayerWeight> = {};
    for (const spec of this.cell.params(dims)) {
      params[spec.name] = this.addWeight(
        env,
        { name: toSnakeCase(spec.name), key: spec.name, shape: spec.shape, initializer: spec.initializer },
        values[spec.name]!.values,
      );
    }
    const child = this.childEnv(env);
    const batch = inputShapes[0]![0]!;
    const encoderShape = inputShapes[1]!;
    let attention: LuongAttention | BahdanauAttention;
    let projection: Dense | undefined;
    if (this.attention === 'luong') {
      attention = luongAttention({
        name: 'attention',
        scoreMode: this.scoreMode,
        ...(this.scoreMode === 'concat' ? { units: this.attentionUnits } : {}),
        returnAttentionScores: true,
      });
      projection = dense({
        name: 'attention_projection',
        units: this.units,
        activation: 'tanh',
        useBias: false,
      });
      projection.buildIn(child, [[batch, sizes.encoder + this.units]]);
    } else {
      attention = bahdanauAttention({
        name: 'attention',
        units: this.attentionUnits,
        returnAttentionScores: true,
      });
    }
    attention.buildIn(child, [[batch, this.units], encoderShape]);
    this.built_ = { dims, params, attention, projection, encoderSize: sizes.encoder };
    this.inputSpec = {
      ...this.inputSpec,
      axes: [{ axis: 2, size: sizes.target, what: 'target feature size' }],
    };
  }

  computeOutputShape(
    inputShapes: readonly ShapeSpec[],
    initialStateShapes: readonly ShapeSpec[] = [],
  ): ShapeSpec[] {
    const sizes = this.checkShapes(inputShapes);
    const cellStates = this.stateSizes().length - (this.feedsOutput ? 1 : 0);
    if (initialStateShapes.length > 0 && initialStateShapes.length !== cellStates) {
      throw new SeqmodelError(
        `${this.describe()} initialState: expected ${cellStates} tensors (the ${this.cell.name} cell's states), received ${initialStateShapes.length}`,
      );
    }
    const [target, encoder] = inputShapes as [ShapeSpec, ShapeSpec];
    const output: ShapeSpec = [target[0]!, target[1]!, this.outputSize(sizes.encoder)];
    return this.returnAttentionScores ? [output, [target[0]!, target[1]!, encoder[1]!]] : [output];
  }

  override computeMask<T>(
    _ctx: CallContext<T>,
    _inputs: readonly T[],
    masks: readonly (T | undefined)[],
    outputCount: number,
  ): (T | undefined)[] {
    return queryMaskThenNone(masks, outputCount);
  }

  /** The state the loop starts from: carried (streaming), else the initial state (plus a zero h̃), else zeros. */
  private startState<T>(ctx: CallContext<T>, batch: number, initialState: readonly T[] | undefined): T[] {
    const b = ctx.backend;
    const sizes = this.stateSizes();
    const carried = ctx.recordAllStates ? ctx.carriedState(this) : undefined;
    const cellCount = sizes.length - (this.feedsOutput ? 1 : 0);
    let states: readonly T[];
    let argument: string;
    if (carried !== undefined) {
      [states, argument] = [carried, 'carried state'];
    } else if (initialState !== undefined && initialState.length > 0) {
      if (initialState.length !== cellCount) {
        throw new SeqmodelError(
          `${this.describe()} initialState: expected ${cellCount} tensors (the ${this.cell.name} cell's states), received ${initialState.length}`,
        );
      }
      states = this.feedsOutput ? [...initialState, b.fill([batch, this.units], 0)] : initialState;
      argument = 'initialState';
    } else {
      return sizes.map((size) => b.fill([batch, size], 0));
    }
    if (states.length !== sizes.length) {
      throw new SeqmodelError(
        `${this.describe()} ${argument}: expected ${sizes.length} tensors (the cell's states${this.feedsOutput ? ', then the attentional output' : ''}), received ${states.length}`,
      );
    }
    states.forEach((s, i) => {
      const shape = b.shape(s);
      if (shape.length !== 2 || shape[0] !== batch || shape[1] !== sizes[i]) {
        throw new SeqmodelError(
          `${this.describe()} ${argument}[${i}]: expected shape [${batch}, ${sizes[i]}] (batch of the inputs), received shape ${formatShape(shape)}`,
        );
      }
    });
    return [...states];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const [targets, encoded] = inputs as [T, T];
    this.checkShapes([b.shape(targets), b.shape(encoded)]);
    const { dims, params: weights, attention, projection } = this.built_!;
    const [batch, time] = b.shape(targets) as [number, number];
    const params: Record<string, T> = {};
    for (const [name, w] of Object.entries(weights)) params[name] = ctx.read(w);
    const prepared = this.cell.prepare?.(b, params, dims);
    const encoderMask = args.masks[1];
    const attend = (query: T): [T, T] => {
      const [context, scores] = attention.call(ctx, [query, encoded], { masks: [undefined, encoderMask] });
      return [context!, scores!];
    };
    const cellCount = this.stateSizes().length - (this.feedsOutput ? 1 : 0);
    let state = this.startState(ctx, batch, args.initialState);
    const xs = steps(b, targets);
    const masks =
      args.masks[0] === undefined ? undefined : steps(b, b.reshape(args.masks[0], [batch, time, 1]));
    let previous: T | undefined =
      masks === undefined ? undefined : b.fill([batch, this.outputSize(this.built_!.encoderSize)], 0);
    const outputs: T[] = [];
    const weightsPerStep: T[] = [];
    for (let t = 0; t < time; t++) {
      const cellState = state.slice(0, cellCount);
      let input: T;
      let context: T | undefined;
      let scores: T | undefined;
      if (this.feedsOutput) input = b.concat([xs[t]!, state[cellCount]!], 1);
      else {
        [context, scores] = attend(cellState[0]!);
        input = b.concat([xs[t]!, context], 1);
      }
      const projected = this.cell.projectInput ? this.cell.projectInput(b, input, params, dims) : input;
      const step = this.cell.step(b, { input: projected, state: cellState, params, dims, prepared });
      let output: T;
      let next: T[];
      if (this.feedsOutput) {
        [context, scores] = attend(step.output);
        output = callSublayer(ctx, projection!, b.concat([context, step.output], 1));
        next = [...step.state, output];
      } else {
        output = b.concat([step.output, context!], 1);
        next = [...step.state];
      }
      const m = masks?.[t];
      if (m !== undefined) {
        output = b.where(m, output, previous!);
        next = next.map((s, i) => b.where(m, s, state[i]!));
        scores = b.where(m, scores!, 0);
      }
      state = next;
      previous = output;
      outputs.push(output);
      weightsPerStep.push(scores!);
    }
    if (ctx.recordAllStates) ctx.recordState(this, state);
    const sequence = b.stack(outputs, 1);
    return this.returnAttentionScores ? [sequence, b.stack(weightsPerStep, 1)] : [sequence];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      cell: this.cell.name,
      units: this.units,
      attention: this.attention,
      ...(this.attention === 'luong' ? { scoreMode: this.scoreMode } : {}),
      attentionUnits: this.attentionUnits,
      returnAttentionScores: this.returnAttentionScores,
      cellOptions: { ...this.cellOptions },
    };
  }

  static fromConfig(config: Record<string, unknown>): AttentionDecoder {
    return new AttentionDecoder(config as unknown as AttentionDecoderArgs);
  }
}

/**
 * The steps of `x` `[batch, time, n]`, each `[batch, n]`. One step is a reshape: tfjs cannot differentiate an unstack
 * into a single tensor.
 */
function steps<T>(b: Backend<T>, x: T): T[] {
  const [batch, time, n] = b.shape(x) as [number, number, number];
  return time === 1 ? [b.reshape(x, [batch, n])] : b.unstack(x, 1);
}

/**
 * A recurrent decoder that attends over the encoder's outputs at every step (Luong with input feeding, or Bahdanau).
 *
 * @example
 * const [encoded, h, c] = lstm({ units: 64, returnSequences: true, returnState: true }).apply(sourceEmbedded);
 * const decoded = attentionDecoder({ units: 64, scoreMode: 'general' }).apply([targetEmbedded, encoded], {
 *   initialState: [h, c],
 * });
 */
export function attentionDecoder(args: AttentionDecoderArgs): AttentionDecoder {
  return new AttentionDecoder(args);
}
