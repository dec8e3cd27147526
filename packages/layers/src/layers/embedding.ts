/**
 * Keras `Embedding`: token ids `[batch, time]` (any rank) to vectors `[batch, time, outputDim]`. With `maskZero`, id 0
 * is padding: the layer emits a mask (1 where the id is not 0) that recurrent layers downstream honour. Weight:
 * `embeddings` `[inputDim, outputDim]`.
 *
 * Ids must be integers in `[0, inputDim)`: tfjs' gather would return zeros (wasm, WebGL) or fail inside the kernel
 * for others, and cast 2.7 to 2. They are checked where that costs no read back from the device: host data (arrays,
 * `{ data, shape }`) given to `fit`, `evaluate`, `predict` or a dataset batch is checked before it becomes a tensor,
 * when the embedding reads a model input directly; with `backend.checkNumerics`, every call checks its ids tensor
 * too (a read per call, as for every other numeric check).
 */
import {
  checkBoolean,
  checkPositiveInteger,
  formatShape,
  type InitializerSpec,
  resolveInitializer,
  SeqmodelError,
  unravelIndex,
} from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type BuildEnv, type CallArgs, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
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
    checkLayerOptions('embedding', args, ['inputDim', 'outputDim', 'maskZero', 'embeddingsInitializer']);
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

  /** Checks token ids read on the host (see the module comment for when); `argument` names where they came from. */
  override checkInputValues(values: ArrayLike<number>, shape: readonly number[], argument: string): void {
    let first = -1;
    let count = 0;
    for (let i = 0; i < values.length; i++) {
      const id = values[i]!;
      if (!(Number.isInteger(id) && id >= 0 && id < this.inputDim)) {
        if (first < 0) first = i;
        count += 1;
      }
    }
    if (first < 0) return;
    throw new SeqmodelError(
      `${argument}: expected token ids for ${this.describe()}, integers in [0, ${this.inputDim}) (its inputDim), ` +
        `received ${values[first]} at index ${formatShape(unravelIndex(first, shape))} ` +
        `(${count} of ${values.length} ids, shape ${formatShape(shape)})`,
    );
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const x = inputs[0]!;
    if (b.checkNumerics) this.checkInputValues(b.dataSync(x), b.shape(x), `${this.describe()} inputs`);
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
