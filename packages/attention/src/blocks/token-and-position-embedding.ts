/**
 * keras-hub's `TokenAndPositionEmbedding`: token ids `[batch, time]` to `token_embedding[id] + position[t]`
 * (`[batch, time, embeddingDim]`), the input of a transformer. Positions are learned (`position_embedding/embeddings`
 * `[sequenceLength, embeddingDim]`, keras-hub's) or sinusoidal (`positionEncoding: 'sine'`, no weights, any length).
 * With `maskZero`, id 0 is padding and the output carries the mask `id != 0`.
 *
 * In a pass that carries state (a stream, or the decoding module) the layer counts the steps it has embedded, so that a
 * call with the next token embeds it at its position in the sequence, not at position 0. The count is its state
 * (`[batch, 1]`, every row the same).
 */
import {
  checkBoolean,
  checkOneOf,
  checkPositiveInteger,
  type InitializerSpec,
  invalidArgument,
  resolveInitializer,
  SeqmodelError,
} from '@seqmodel/core';
import {
  type BuildEnv,
  type CallArgs,
  type CallContext,
  Layer,
  type LayerArgs,
  type LayerWeight,
  type ShapeSpec,
} from '@seqmodel/layers';
import { sinusoidalEncoding } from '../functional/positions.js';

export interface TokenAndPositionEmbeddingArgs extends LayerArgs {
  /** Number of token ids. */
  readonly vocabularySize: number;
  /** The most positions a sequence may have: required for learned positions; the sine encoding takes any. */
  readonly sequenceLength?: number;
  /** Size of each embedding. */
  readonly embeddingDim: number;
  /** Treat id 0 as padding and pass a mask on (default false). */
  readonly maskZero?: boolean;
  /** `learned` (default, keras-hub's) or `sine` (Vaswani et al.'s fixed encoding). */
  readonly positionEncoding?: 'learned' | 'sine';
  /** Of the token embeddings (default `uniform`, Keras' Embedding default). */
  readonly embeddingsInitializer?: InitializerSpec;
  /** Of the learned positions (default `glorotUniform`, keras-hub's PositionEmbedding default). */
  readonly positionInitializer?: InitializerSpec;
}

export class TokenAndPositionEmbedding extends Layer {
  readonly className = 'TokenAndPositionEmbedding';
  readonly vocabularySize: number;
  readonly sequenceLength: number | undefined;
  readonly embeddingDim: number;
  readonly maskZero: boolean;
  readonly positionEncoding: 'learned' | 'sine';
  readonly embeddingsInitializer: InitializerSpec;
  readonly positionInitializer: InitializerSpec;
  private tokens: LayerWeight | undefined;
  private positions: LayerWeight | undefined;

  constructor(args: TokenAndPositionEmbeddingArgs) {
    if (typeof args !== 'object' || args === null) {
      invalidArgument(
        'tokenAndPositionEmbedding(options)',
        args,
        'an object with vocabularySize, sequenceLength and embeddingDim',
      );
    }
    super(args);
    const what = 'tokenAndPositionEmbedding';
    this.vocabularySize = checkPositiveInteger(`${what} vocabularySize`, args.vocabularySize);
    this.embeddingDim = checkPositiveInteger(`${what} embeddingDim`, args.embeddingDim);
    this.maskZero = checkBoolean(`${what} maskZero`, args.maskZero ?? false);
    this.positionEncoding = checkOneOf(`${what} positionEncoding`, args.positionEncoding ?? 'learned', [
      'learned',
      'sine',
    ]);
    this.sequenceLength =
      args.sequenceLength === undefined && this.positionEncoding === 'sine'
        ? undefined
        : checkPositiveInteger(`${what} sequenceLength`, args.sequenceLength);
    this.embeddingsInitializer = args.embeddingsInitializer ?? 'uniform';
    this.positionInitializer = args.positionInitializer ?? 'glorotUniform';
    resolveInitializer(this.embeddingsInitializer, `${what} embeddingsInitializer`);
    resolveInitializer(this.positionInitializer, `${what} positionInitializer`);
    this.inputSpec = { rank: 2, meaning: '[batch, time] of token ids' };
  }

  override inferInputShape(): ShapeSpec {
    return [null, null];
  }

  protected override onBuild(env: BuildEnv): void {
    this.tokens = this.addWeight(env, {
      name: 'token_embedding/embeddings',
      shape: [this.vocabularySize, this.embeddingDim],
      initializer: this.embeddingsInitializer,
    });
    if (this.positionEncoding === 'learned') {
      this.positions = this.addWeight(env, {
        name: 'position_embedding/embeddings',
        shape: [this.sequenceLength!, this.embeddingDim],
        initializer: this.positionInitializer,
      });
    }
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    return [[...inputShapes[0]!, this.embeddingDim]];
  }

  /** Position rows `start .. start + time` `[time, embeddingDim]`. */
  private positionRows<T>(ctx: CallContext<T>, start: number, time: number): T {
    const b = ctx.backend;
    if (this.sequenceLength !== undefined && start + time > this.sequenceLength) {
      throw new SeqmodelError(
        `${this.describe()} inputs: expected positions below sequenceLength ${this.sequenceLength}, received steps ${start} to ${start + time - 1}${start > 0 ? ` (${start} embedded before)` : ''}`,
      );
    }
    if (this.positions === undefined) {
      return sinusoidalEncoding(b, time, this.embeddingDim, { startIndex: start });
    }
    return b.slice(ctx.read(this.positions), [start, 0], [time, this.embeddingDim]);
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const x = inputs[0]!;
    const [batch, time] = b.shape(x) as [number, number];
    // A pass that carries state continues where the previous one stopped.
    const carried = ctx.recordAllStates ? ctx.carriedState(this) : undefined;
    let start = 0;
    if (carried !== undefined) {
      const count = carried[0]!;
      if (b.shape(count)[0] !== batch) {
        throw new SeqmodelError(
          `${this.describe()} state: expected a step count of shape [${batch}, 1] (batch of the inputs), received shape [${b.shape(count).join(', ')}]`,
        );
      }
      start = b.dataSync(count)[0]!;
    }
    const ids = b.dtype(x) === 'int32' ? x : b.cast(x, 'int32');
    const tokens = b.gather(ctx.read(this.tokens!), ids, 0);
    const positions = b.reshape(this.positionRows(ctx, start, time), [1, time, this.embeddingDim]);
    if (ctx.recordAllStates) ctx.recordState(this, [b.fill([batch, 1], start + time)]);
    return [b.add(tokens, positions)];
  }

  override computeMask<T>(ctx: CallContext<T>, inputs: readonly T[]): (T | undefined)[] {
    if (!this.maskZero) return [undefined];
    const b = ctx.backend;
    return [b.sub(1, b.equal(inputs[0]!, 0))];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      vocabularySize: this.vocabularySize,
      ...(this.sequenceLength === undefined ? {} : { sequenceLength: this.sequenceLength }),
      embeddingDim: this.embeddingDim,
      maskZero: this.maskZero,
      positionEncoding: this.positionEncoding,
      embeddingsInitializer: this.embeddingsInitializer,
      positionInitializer: this.positionInitializer,
    };
  }

  static fromConfig(config: Record<string, unknown>): TokenAndPositionEmbedding {
    return new TokenAndPositionEmbedding(config as unknown as TokenAndPositionEmbeddingArgs);
  }
}

/**
 * Token plus position embeddings, the input of a transformer.
 *
 * @example
 * const x = tokenAndPositionEmbedding({ vocabularySize: 50, sequenceLength: 64, embeddingDim: 32 }).apply(ids);
 */
export function tokenAndPositionEmbedding(args: TokenAndPositionEmbeddingArgs): TokenAndPositionEmbedding {
  return new TokenAndPositionEmbedding(args);
}
