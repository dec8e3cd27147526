/**
 * Matrix products in plain JavaScript, fast enough to replace tfjs-backend-cpu's matMul (~0.5-0.8 GFLOP/s) for the
 * fused recurrent kernels: the classic blocked scheme (Goto & van de Geijn). Operands are packed into panels, the
 * left one into `MR`-row panels and the right one into `NR`-column panels, each stored depth-major for one block of
 * `KC` along the inner dimension; a register-blocked `MR x NR` micro-kernel then accumulates a tile of `c` in local
 * variables (V8 keeps them in registers as doubles). A recurrent kernel is packed once per sequence (`prepare`) and
 * reused at every step.
 *
 * Panels hold float64: the operands are float32 values, so the products are bit for bit those of float32 panels,
 * but the micro-kernel's loads need no float32-to-double conversion. On a 2.0 GHz Xeon (Node 20), over the packed
 * panels of a 16 x 64 · 64 x 128 step product, the 4 x 8 micro-kernel ran at 1.8 GFLOP/s with float64 panels and
 * 1.4 with float32 ones, and 4 x 4, 2 x 8 or 8 x 4 tiles at 1.5-1.6 with float64 panels (with float32 panels those
 * three were slightly ahead of 4 x 8); the whole prepared product went from 1.6-2.1 to 1.7-2.5 GFLOP/s. An earlier,
 * faster machine measured ~4.5 GFLOP/s for the 4 x 8 tile with float32 panels against ~2 for a plain i-k-j loop.
 * Float64 panels double the memory of a prepared operand and of the scratch kept between calls.
 */
import {
  checkProductShapes,
  type GemmProvider,
  type HostMatrix,
  multiplyIntoArray,
  type PreparedMatrix,
  type ResidentMatrix,
} from './gemm.js';

const MR = 4;
const NR = 8;
/** Depth of one packed block: a 4 x 256 and a 256 x 8 panel (24 KiB) stay in L1. */
const KC = 256;
/** Row panels per pass over one right-hand panel: 128 rows x KC (256 KiB) of packed left operand stay in L2. */
const MC_PANELS = 32;
/** Scratch (values, 8 bytes each) kept between calls; larger packs are allocated for the call. */
const KEPT_SCRATCH = 1 << 20;

class PackedMatrix implements PreparedMatrix {
  constructor(
    readonly rows: number,
    readonly cols: number,
    /** `cols` rounded up to whole panels. */
    readonly paddedCols: number,
    /** Block `pc` (starting at depth `pc`) at `pc * paddedCols`; inside, panel `jp` at `jp * kc * NR`. */
    readonly panels: Float64Array,
  ) {}
}

/**
 * Packs `lines` lines (rows of op(a), or columns of op(b)) of depth `[depth, depth + kc)` into panels of `width`
 * lines: `out[outOffset + (panel * kc + p) * width + i]` = line `panel * width + i` at depth `depth + p`, zero past
 * the last line. A line runs along a row of `src` unless `lineIsColumn`, where it runs down a column.
 */
function packPanels(
  src: HostMatrix,
  lineIsColumn: boolean,
  lines: number,
  depth: number,
  kc: number,
  width: number,
  out: Float64Array,
  outOffset: number,
): void {
  const { data, offset, stride } = src;
  const panels = Math.ceil(lines / width);
  for (let panel = 0; panel < panels; panel++) {
    const base = outOffset + panel * kc * width;
    const first = panel * width;
    const count = Math.min(width, lines - first);
    if (lineIsColumn) {
      // Line l at depth p is src[p, l]: each row of src gives `count` consecutive values.
      for (let p = 0; p < kc; p++) {
        const from = offset + (depth + p) * stride + first;
        const to = base + p * width;
        for (let i = 0; i < count; i++) out[to + i] = data[from + i]!;
        for (let i = count; i < width; i++) out[to + i] = 0;
      }
    } else {
      // Line l at depth p is src[l, p]: read each line contiguously, write with stride `width`.
      for (let i = 0; i < count; i++) {
        const from = offset + (first + i) * stride + depth;
        let to = base + i;
        for (let p = 0; p < kc; p++) {
          out[to] = data[from + p]!;
          to += width;
        }
      }
      for (let i = count; i < width; i++) {
        let to = base + i;
        for (let p = 0; p < kc; p++) {
          out[to] = 0;
          to += width;
        }
      }
    }
  }
}

/**
 * `c[4 x 8 tile at ci] += ap panel · bp panel` over depth `kc`. Written out by hand on purpose: the 32 accumulators
 * must be separate local variables for V8 to keep them in registers, so the repeated declarations, multiply-adds
 * and stores cannot be folded into loops or arrays without losing most of the speed (see the header).
 */
function kernel4x8(
  kc: number,
  ap: Float64Array,
  ai: number,
  bp: Float64Array,
  bi: number,
  c: Float32Array,
  ci: number,
  ldc: number,
): void {
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0,
    c04 = 0,
    c05 = 0,
    c06 = 0,
    c07 = 0;
  let c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0,
    c14 = 0,
    c15 = 0,
    c16 = 0,
    c17 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0,
    c24 = 0,
    c25 = 0,
    c26 = 0,
    c27 = 0;
  let c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0,
    c34 = 0,
    c35 = 0,
    c36 = 0,
    c37 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = ap[ai]!;
    const a1 = ap[ai + 1]!;
    const a2 = ap[ai + 2]!;
    const a3 = ap[ai + 3]!;
    const b0 = bp[bi]!;
    const b1 = bp[bi + 1]!;
    const b2 = bp[bi + 2]!;
    const b3 = bp[bi + 3]!;
    const b4 = bp[bi + 4]!;
    const b5 = bp[bi + 5]!;
    const b6 = bp[bi + 6]!;
    const b7 = bp[bi + 7]!;
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c04 += a0 * b4;
    c05 += a0 * b5;
    c06 += a0 * b6;
    c07 += a0 * b7;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    c14 += a1 * b4;
    c15 += a1 * b5;
    c16 += a1 * b6;
    c17 += a1 * b7;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    c24 += a2 * b4;
    c25 += a2 * b5;
    c26 += a2 * b6;
    c27 += a2 * b7;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
    c34 += a3 * b4;
    c35 += a3 * b5;
    c36 += a3 * b6;
    c37 += a3 * b7;
    ai += 4;
    bi += 8;
  }
  let r = ci;
  c[r] = c[r]! + c00;
  c[r + 1] = c[r + 1]! + c01;
  c[r + 2] = c[r + 2]! + c02;
  c[r + 3] = c[r + 3]! + c03;
  c[r + 4] = c[r + 4]! + c04;
  c[r + 5] = c[r + 5]! + c05;
  c[r + 6] = c[r + 6]! + c06;
  c[r + 7] = c[r + 7]! + c07;
  r = ci + ldc;
  c[r] = c[r]! + c10;
  c[r + 1] = c[r + 1]! + c11;
  c[r + 2] = c[r + 2]! + c12;
  c[r + 3] = c[r + 3]! + c13;
  c[r + 4] = c[r + 4]! + c14;
  c[r + 5] = c[r + 5]! + c15;
  c[r + 6] = c[r + 6]! + c16;
  c[r + 7] = c[r + 7]! + c17;
  r = ci + 2 * ldc;
  c[r] = c[r]! + c20;
  c[r + 1] = c[r + 1]! + c21;
  c[r + 2] = c[r + 2]! + c22;
  c[r + 3] = c[r + 3]! + c23;
  c[r + 4] = c[r + 4]! + c24;
  c[r + 5] = c[r + 5]! + c25;
  c[r + 6] = c[r + 6]! + c26;
  c[r + 7] = c[r + 7]! + c27;
  r = ci + 3 * ldc;
  c[r] = c[r]! + c30;
  c[r + 1] = c[r + 1]! + c31;
  c[r + 2] = c[r + 2]! + c32;
  c[r + 3] = c[r + 3]! + c33;
  c[r + 4] = c[r + 4]! + c34;
  c[r + 5] = c[r + 5]! + c35;
  c[r + 6] = c[r + 6]! + c36;
  c[r + 7] = c[r + 7]! + c37;
}

/** Sets the `[rows, cols]` block of `c` to zero. */
function zero(c: HostMatrix): void {
  for (let i = 0; i < c.rows; i++) {
    const start = c.offset + i * c.stride;
    c.data.fill(0, start, start + c.cols);
  }
}

/** Matrix products in JavaScript; one instance keeps a packing scratch buffer between calls. */
export class JsGemm implements GemmProvider {
  readonly name = 'js';
  private scratch = new Float64Array(0);
  /** Scratch for the right-hand operand of an unprepared product. */
  private packScratch = new Float64Array(0);
  private readonly tile = new Float32Array(MR * NR);

  prepare(b: HostMatrix, transpose: boolean): PackedMatrix {
    return this.pack(b, transpose, (size) => new Float64Array(size));
  }

  /** `op(b)` packed into panels in an array from `allocate` (of at least the size it is asked for). */
  private pack(b: HostMatrix, transpose: boolean, allocate: (size: number) => Float64Array): PackedMatrix {
    const k = transpose ? b.cols : b.rows;
    const n = transpose ? b.rows : b.cols;
    const paddedCols = Math.ceil(n / NR) * NR;
    const panels = allocate(k * paddedCols);
    for (let pc = 0; pc < k; pc += KC) {
      // A column of op(b) is a column of b, or a row of b when transposed.
      packPanels(b, !transpose, n, pc, Math.min(KC, k - pc), NR, panels, pc * paddedCols);
    }
    return new PackedMatrix(k, n, paddedCols, panels);
  }

  /** Packed panels are JavaScript memory: nothing to free. */
  release(_b: PreparedMatrix): void {}

  multiplyPrepared(a: HostMatrix, b: PreparedMatrix, c: HostMatrix, accumulate: boolean): void {
    checkProductShapes(a, false, b, false, c);
    this.run(a, false, b as PackedMatrix, c, accumulate);
  }

  multiply(
    a: HostMatrix,
    transposeA: boolean,
    b: HostMatrix,
    transposeB: boolean,
    c: HostMatrix,
    accumulate: boolean,
  ): void {
    checkProductShapes(a, transposeA, b, transposeB, c);
    // Packed for this product only: into scratch kept between calls, not a new array each time (a weight
    // gradient's [batch * time, units] operand at every training step).
    const packed = this.pack(b, transposeB, (size) => {
      if (size > this.packScratch.length && size <= KEPT_SCRATCH) this.packScratch = new Float64Array(size);
      return size <= this.packScratch.length ? this.packScratch : new Float64Array(size);
    });
    this.run(a, transposeA, packed, c, accumulate);
  }

  multiplyResident(a: HostMatrix, transposeA: boolean, b: HostMatrix, transposeB: boolean): ResidentMatrix {
    return multiplyIntoArray(this, a, transposeA, b, transposeB);
  }

  private run(a: HostMatrix, transposeA: boolean, b: PackedMatrix, c: HostMatrix, accumulate: boolean): void {
    if (!accumulate) zero(c);
    const m = c.rows;
    const n = c.cols;
    const k = b.rows;
    if (m === 0 || n === 0 || k === 0) return;
    const rowPanels = Math.ceil(m / MR);
    const colPanels = b.paddedCols / NR;
    const packedA = this.scratchFor(rowPanels * MR * Math.min(KC, k));
    const packedB = b.panels;
    const out = c.data;
    const ldc = c.stride;
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      // A row of op(a) is a row of a, or a column of a when transposed.
      packPanels(a, transposeA, m, pc, kc, MR, packedA, 0);
      const blockB = pc * b.paddedCols;
      for (let ic = 0; ic < rowPanels; ic += MC_PANELS) {
        const icEnd = Math.min(rowPanels, ic + MC_PANELS);
        for (let jp = 0; jp < colPanels; jp++) {
          const bi = blockB + jp * kc * NR;
          const col = jp * NR;
          const fullCols = col + NR <= n;
          for (let ip = ic; ip < icEnd; ip++) {
            const row = ip * MR;
            const ai = ip * kc * MR;
            if (fullCols && row + MR <= m) {
              kernel4x8(kc, packedA, ai, packedB, bi, out, c.offset + row * ldc + col, ldc);
            } else {
              this.edgeTile(kc, packedA, ai, packedB, bi, c, row, col);
            }
          }
        }
      }
    }
  }

  /** A tile that sticks out of `c`: computed into a scratch tile, then its valid part added to `c`. */
  private edgeTile(
    kc: number,
    packedA: Float64Array,
    ai: number,
    packedB: Float64Array,
    bi: number,
    c: HostMatrix,
    row: number,
    col: number,
  ): void {
    const tile = this.tile;
    tile.fill(0);
    kernel4x8(kc, packedA, ai, packedB, bi, tile, 0, NR);
    const rows = Math.min(MR, c.rows - row);
    const cols = Math.min(NR, c.cols - col);
    for (let i = 0; i < rows; i++) {
      const to = c.offset + (row + i) * c.stride + col;
      for (let j = 0; j < cols; j++) c.data[to + j]! += tile[i * NR + j]!;
    }
  }

  private scratchFor(size: number): Float64Array {
    if (size <= this.scratch.length) return this.scratch;
    const buffer = new Float64Array(size);
    if (size <= KEPT_SCRATCH) this.scratch = buffer;
    return buffer;
  }
}
