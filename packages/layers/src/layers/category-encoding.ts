/**
 * Keras `CategoryEncoding`: token ids (integers in `[0, numTokens)`) to vectors of `numTokens` entries.
 * `outputMode`: `'multiHot'` (default; `[batch, n]` ids to `[batch, numTokens]`, 1 where a token occurs),
 * `'count'` (how many times each occurs) or `'oneHot'` (one id per row, `[batch]` or `[batch, 1]`, to `[batch,
 * numTokens]`). An id outside `[0, numTokens)` read from host data is an
 * error, as for Embedding; on a backend tensor it encodes to zeros (TensorFlow's one-hot). As in Keras the layer takes
 * no mask.
 */
import { checkOneOf, checkPositiveInteger, formatShape, SeqmodelError, unravelIndex } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type CallArgs, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import { formatShapeSpec, type ShapeSpec } from '../engine/shape-spec.js';

export type CategoryOutputMode = 'multiHot' | 'count' | 'oneHot';

export interface CategoryEncodingArgs extends LayerArgs {
  /** Tokens: ids are integers in `[0, numTokens)`. */
  readonly numTokens: number;
  /** Default `'multiHot'`. */
  readonly outputMode?: CategoryOutputMode;
}

export class CategoryEncoding extends Layer {
  readonly className = 'CategoryEncoding';
  readonly numTokens: number;
  readonly outputMode: CategoryOutputMode;

  constructor(args: CategoryEncodingArgs) {
    checkLayerOptions('categoryEncoding', args, ['numTokens', 'outputMode']);
    super(args);
    this.numTokens = checkPositiveInteger('categoryEncoding numTokens', args.numTokens);
    this.outputMode = checkOneOf('categoryEncoding outputMode', args.outputMode ?? 'multiHot', [
      'multiHot',
      'count',
      'oneHot',
    ]);
    this.inputSpec = { minRank: 1, meaning: '[batch] or [batch, ids]' };
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    const shape = inputShapes[0]!;
    if (shape.length > 2) {
      throw new SeqmodelError(
        `${this.describe()} inputs: expected rank 1 or 2 ([batch] or [batch, ids]), received shape ${formatShapeSpec(shape)} (rank ${shape.length}); apply it per step with timeDistributed`,
      );
    }
    // As Keras: one-hot encodes one id per row (its output may not reach rank 3).
    if (this.outputMode === 'oneHot' && shape.length === 2 && shape[1] !== 1) {
      throw new SeqmodelError(
        `${this.describe()} inputs: expected one id per row for outputMode 'oneHot' ([batch] or [batch, 1]), received shape ${formatShapeSpec(shape)}; use 'multiHot' or 'count' for several`,
      );
    }
    return [[shape[0]!, this.numTokens]];
  }

  /** Checks ids read on the host: integers in `[0, numTokens)`. */
  override checkInputValues(values: ArrayLike<number>, shape: readonly number[], argument: string): void {
    for (let i = 0; i < values.length; i++) {
      const id = values[i]!;
      if (!(Number.isInteger(id) && id >= 0 && id < this.numTokens)) {
        throw new SeqmodelError(
          `${argument}: expected token ids for ${this.describe()}, integers in [0, ${this.numTokens}) (its numTokens), received ${id} at index ${formatShape(unravelIndex(i, shape))}`,
        );
      }
    }
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const x = inputs[0]!;
    const shape = b.shape(x);
    this.computeOutputShape([shape]);
    if (b.checkNumerics) this.checkInputValues(b.dataSync(x), shape, `${this.describe()} inputs`);
    const ids = b.dtype(x) === 'int32' ? x : b.cast(x, 'int32');
    const rows = b.reshape(ids, [shape[0]!, shape.length === 1 ? 1 : shape[1]!]);
    // [batch, n, numTokens], then one vector per row.
    const hot = b.oneHot(rows, this.numTokens);
    return [this.outputMode === 'count' ? b.sum(hot, 1) : b.max(hot, 1)];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), numTokens: this.numTokens, outputMode: this.outputMode };
  }

  static fromConfig(config: Record<string, unknown>): CategoryEncoding {
    return new CategoryEncoding(config as unknown as CategoryEncodingArgs);
  }
}

/**
 * Encodes token ids as multi-hot, count or one-hot vectors.
 *
 * @example
 * categoryEncoding({ numTokens: 1000, outputMode: 'count' }); // [batch, n] ids → [batch, 1000] bag of words
 */
export function categoryEncoding(args: CategoryEncodingArgs): CategoryEncoding {
  return new CategoryEncoding(args);
}
