/**
 * How a layer's weights sit in a PyTorch state dict. A mapping lists, for each seqmodel weight, the state-dict
 * tensors it is made of (`TorchPiece`s): a block of rows of a tensor (the query part of the packed `in_proj_weight`),
 * its equal row blocks reordered (PyTorch's GRU gates r, z, n against Keras' z, r, h), transposed (`nn.Linear`'s
 * `[out, in]` against a kernel's `[in, out]`), then reshaped to the weight. Several pieces are stacked (a GRU's input
 * and recurrent biases become the `[2, 3·units]` bias) or summed (LSTM's `bias_ih + bias_hh` become its one bias; when
 * saving, `bias_ih` gets the sum and `bias_hh` zeros). Loading and saving both run from the same description.
 * The registry of mappings is `registry.ts`.
 */
import { formatShape, SeqmodelError, sizeOfShape } from '@seqmodel/core';
import type { Layer } from '../../engine/layer.js';
import type { LayerWeight } from '../../engine/weight.js';

export interface TorchPiece {
  /** The state-dict key, prefix included (`encoder.layers.0.self_attn.in_proj_weight`). */
  readonly key: string;
  /** The whole state-dict tensor's shape (checked against the file). */
  readonly shape: readonly number[];
  /** The rows `[start, end)` of the tensor's first axis that hold this weight (default: all). */
  readonly rows?: readonly [number, number];
  /** The rows, cut into `order.length` equal blocks, taken in this order (block `i` of the weight is block `order[i]`). */
  readonly order?: readonly number[];
  /** Transpose the rows, viewed as a matrix `[rows, rest of the axes]`, before reshaping to the weight. */
  readonly transpose?: boolean;
}

export interface TorchWeightBinding {
  readonly weight: LayerWeight;
  readonly pieces: readonly TorchPiece[];
  /** How several pieces make the weight: concatenated in order (`stack`, the default) or added (`sum`). */
  readonly combine?: 'stack' | 'sum';
}

/** Where a layer's weights are in a state dict, given the prefix of its module (`'encoder.'`, or `''`). */
export interface TorchLayerMapping<L extends Layer = Layer> {
  /** The seqmodel class (`layer.className`). */
  readonly className: string;
  torchWeights(layer: L, prefix: string): TorchWeightBinding[];
}

/** The piece's rows as a matrix: `[rows, columns]` of its tensor viewed as two axes. */
function pieceGeometry(piece: TorchPiece): { start: number; rows: number; columns: number } {
  const first = piece.shape[0] ?? 1;
  const columns = piece.shape.length === 0 ? 1 : sizeOfShape(piece.shape.slice(1));
  const [start, end] = piece.rows ?? [0, first];
  return { start, rows: end - start, columns };
}

/** The number of weight entries a piece gives. */
export function pieceSize(piece: TorchPiece): number {
  const g = pieceGeometry(piece);
  return g.rows * g.columns;
}

/** The source row (within the piece) that weight row `r` reads, after the block reordering. */
function sourceRow(piece: TorchPiece, rows: number, r: number): number {
  const order = piece.order;
  if (order === undefined) return r;
  const block = rows / order.length;
  return order[Math.floor(r / block)]! * block + (r % block);
}

/** The piece's values in the weight's layout (rows taken, reordered, transposed), from its tensor's data. */
export function readPiece(piece: TorchPiece, data: ArrayLike<number>): Float64Array {
  const { start, rows, columns } = pieceGeometry(piece);
  const out = new Float64Array(rows * columns);
  for (let r = 0; r < rows; r++) {
    const from = (start + sourceRow(piece, rows, r)) * columns;
    for (let c = 0; c < columns; c++) {
      out[piece.transpose ? c * rows + r : r * columns + c] = data[from + c]!;
    }
  }
  return out;
}

/** The inverse of `readPiece`: writes `values` (the weight's layout) into its tensor's `data`. */
export function writePiece(piece: TorchPiece, values: ArrayLike<number>, data: Float64Array): void {
  const { start, rows, columns } = pieceGeometry(piece);
  for (let r = 0; r < rows; r++) {
    const to = (start + sourceRow(piece, rows, r)) * columns;
    for (let c = 0; c < columns; c++) {
      data[to + c] = values[piece.transpose ? c * rows + r : r * columns + c]!;
    }
  }
}

/** Checks that a binding's pieces make exactly its weight (a wrong mapping is a bug, said with the names). */
export function checkBinding(binding: TorchWeightBinding): void {
  const sizes = binding.pieces.map(pieceSize);
  const total =
    binding.combine === 'sum'
      ? sizes.every((s) => s === sizes[0])
        ? sizes[0]
        : -1
      : sizes.reduce((a, b) => a + b, 0);
  if (total !== binding.weight.size || binding.pieces.length === 0) {
    throw new SeqmodelError(
      `PyTorch mapping of ${binding.weight.name} (shape ${formatShape(binding.weight.shape)}): its pieces ${binding.pieces
        .map((p) => `${p.key}${p.rows ? `[${p.rows.join(':')}]` : ''}`)
        .join(', ')} hold ${sizes.join(' + ')} values`,
    );
  }
}
