/**
 * keras-hub's `PositionEmbedding`: a learned position embedding, one trainable vector per position up to
 * `sequenceLength`, returned for the input's positions in the input's shape `[batch, time, features]` (add it to the
 * input, as keras-hub's users do). Weight: `embeddings` `[sequenceLength, features]`. Masks pass through.
 */
import {
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

export interface PositionEmbeddingArgs extends LayerArgs {
  /** The most positions an input may have. */
  readonly sequenceLength: number;
  /** Default `glorotUniform` (keras-hub's). */
  readonly initializer?: InitializerSpec;
}

export class PositionEmbedding extends Layer {
  readonly className = 'PositionEmbedding';
  override readonly supportsMasking = true;
  readonly sequenceLength: number;
  readonly initializer: InitializerSpec;
  private embeddings: LayerWeight | undefined;

  constructor(args: PositionEmbeddingArgs) {
    if (typeof args !== 'object' || args === null) {
      invalidArgument('positionEmbedding(options)', args, 'an object with sequenceLength');
    }
    super(args);
    this.sequenceLength = checkPositiveInteger('positionEmbedding sequenceLength', args.sequenceLength);
    this.initializer = args.initializer ?? 'glorotUniform';
    resolveInitializer(this.initializer, 'positionEmbedding initializer');
    this.inputSpec = { rank: 3, meaning: '[batch, time, features]' };
  }

  protected override onBuild(env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    const shape = inputShapes[0]!;
    const features = shape[2];
    if (features === null || features === undefined) {
      throw new SeqmodelError(
        `${this.describe()}: the feature axis must be known to build, received [${shape.join(', ')}]`,
      );
    }
    this.embeddings = this.addWeight(env, {
      name: 'embeddings',
      shape: [this.sequenceLength, features],
      initializer: this.initializer,
    });
    this.inputSpec = { ...this.inputSpec, axes: [{ axis: -1, size: features, what: 'feature size' }] };
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    return [inputShapes[0]!];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const [batch, time, features] = b.shape(inputs[0]!) as [number, number, number];
    if (time > this.sequenceLength) {
      throw new SeqmodelError(
        `${this.describe()} inputs: expected at most sequenceLength ${this.sequenceLength} steps, received ${time} (shape [${batch}, ${time}, ${features}])`,
      );
    }
    const table = b.slice(ctx.read(this.embeddings!), [0, 0], [time, features]);
    return [b.mul(b.reshape(table, [1, time, features]), b.fill([batch, 1, 1], 1))];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), sequenceLength: this.sequenceLength, initializer: this.initializer };
  }

  static fromConfig(config: Record<string, unknown>): PositionEmbedding {
    return new PositionEmbedding(config as unknown as PositionEmbeddingArgs);
  }
}

/**
 * A learned position embedding for inputs of up to `sequenceLength` steps.
 *
 * @example
 * const positions = positionEmbedding({ sequenceLength: 128 }).apply(embedded); // add it to `embedded`
 */
export function positionEmbedding(args: PositionEmbeddingArgs): PositionEmbedding {
  return new PositionEmbedding(args);
}
