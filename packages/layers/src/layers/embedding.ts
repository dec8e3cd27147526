/**
 * Keras `Embedding`: token ids `[batch, time]` (any rank) to vectors `[batch, time, outputDim]`. With `maskZero`, id 0
 * is padding: the layer emits a mask (1 where the id is not 0) that recurrent layers downstream honour. Weight:
 * `embeddings` `[inputDim, outputDim]`. Ids are not range-checked (that would need a read back from the device).
 */
import {
  checkBoolean,
  checkPositiveInteger,
  type InitializerSpec,
  invalidArgument,
  resolveInitializer,
} from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type BuildEnv, type CallArgs, Layer, type LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';
import type { LayerWeight } from '../engine/weight.js';

export interface EmbeddingArgs extends LayerArgs {
  /** Vocabulary size: ids are in [0, inputDim). */
  readonly inputDim: number;
  /** Size of each vector. */
  readonly outputDim: number;
  /** Treat id 0 as padding and emit a mask (default false). The vocabulary still includes 0. */
  readonly maskZero?: boolean;
  /** Default `uniform` in [-0.05, 0.05], as Keras. */
  readonly embeddingsInitializer?: InitializerSpec;
}

export class Embedding extends Layer {
  readonly className = 'Embedding';
  readonly inputDim: number;
  readonly outputDim: number;
  readonly maskZero: boolean;
  readonly embeddingsInitializer: InitializerSpec;
  private embeddings: LayerWeight | undefined;

  constructor(args: EmbeddingArgs) {
    if (typeof args !== 'object' || args === null) invalidArgument('embedding(options)', args, 'an object');
    super(args);
    this.inputDim = checkPositiveInteger('embedding inputDim', args.inputDim);
    this.outputDim = checkPositiveInteger('embedding outputDim', args.outputDim);
    this.maskZero = checkBoolean('embedding maskZero', args.maskZero ?? false);
    this.embeddingsInitializer = args.embeddingsInitializer ?? 'uniform';
    resolveInitializer(this.embeddingsInitializer, 'embedding embeddingsInitializer');
    this.inputSpec = { minRank: 1, meaning: '[batch, ...] of token ids' };
  }

  override inferInputShape(shape: readonly number[]): ShapeSpec {
    return shape.map(() => null);
  }

  protected override onBuild(env: BuildEnv): void {
    this.embeddings = this.addWeight(env, {
      name: 'embeddings',
      shape: [this.inputDim, this.outputDim],
      initializer: this.embeddingsInitializer,
    });
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    return [[...inputShapes[0]!, this.outputDim]];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const x = inputs[0]!;
    const ids = b.dtype(x) === 'int32' ? x : b.cast(x, 'int32');
    return [b.gather(ctx.read(this.embeddings!), ids, 0)];
  }

  override computeMask<T>(ctx: CallContext<T>, inputs: readonly T[]): (T | undefined)[] {
    if (!this.maskZero) return [undefined];
    const b = ctx.backend;
    return [b.sub(1, b.equal(inputs[0]!, 0))];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      inputDim: this.inputDim,
      outputDim: this.outputDim,
      maskZero: this.maskZero,
      embeddingsInitializer: this.embeddingsInitializer,
    };
  }

  static fromConfig(config: Record<string, unknown>): Embedding {
    return new Embedding(config as unknown as EmbeddingArgs);
  }
}

/**
 * Token embeddings.
 *
 * @example
 * embedding({ inputDim: 1000, outputDim: 64, maskZero: true });
 */
export function embedding(args: EmbeddingArgs): Embedding {
  return new Embedding(args);
}
