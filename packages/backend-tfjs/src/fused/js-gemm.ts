/**
 * Matrix products in plain JavaScript, fast enough to replace tfjs-backend-cpu's matMul (~0.5-0.8 GFLOP/s) for the
 * fused recurrent kernels: the classic blocked scheme (Goto & van de Geijn). Operands are packed into panels, the
 * left one into `MR`-row panels and the right one into `NR`-column panels, each stored depth-major for one block of
 * `KC` along the inner dimension; a register-blocked `MR x NR` micro-kernel then accumulates a tile of `c` in local
 * variables (V8 keeps them in registers as doubles). A recurrent kernel is packed once per sequence (`prepare`) and
 * reused at every step.
 *
 * Panels hold float64: the operands are float32 values, so the products are bit for bit those of float32 panels,
 * but the micro-kernel's loads need no float32-to-double conversion. They are JavaScript arrays of doubles rather
 * than `Float64Array`s: V8 (Node 20) loads an element of either with a map check, an overflow-checked index add and a
 * bounds check, but a typed array's load also recomputes its data pointer and sign-extends the index, and the loads,
 * not the multiply-adds, bound a scalar micro-kernel. Measured on a 2.6 GHz AMD EPYC (2026-12-05, micro-kernels over
 * packed panels of the recurrent kernels' shapes, k = 64 to 512, separate processes): 4 x 4 on arrays 5.3-5.4
 * GFLOP/s, 3 x 4 5.3-5.6, 6 x 4 5.0-5.1, 4 x 8 4.6 (its 32 accumulators spill); on `Float64Array`s 4 x 8 4.5-4.7,
 * 4 x 4 4.6-4.8, 6 x 4 4.8-5.0. Through `prepare` and `multiplyPrepared` / `multiply` (whole panels packed by
 * unrolled loops), products of those shapes went from 3.2-4.4 GFLOP/s (4 x 8 on `Float64Array`s) to 4.4-5.2.
 * Earlier machines: on a 2.0 GHz Xeon the 4 x 8 tile on float64 panels ran at 1.8 GFLOP/s against 1.4 on float32
 * ones, and an earlier fast machine measured ~4.5 GFLOP/s for 4 x 8 against ~2 for a plain i-k-j loop. Float64
 * panels double the memory of a prepared operand and of the scratch kept between calls.
 */
import {
  checkProductShapes,
  type GemmProvider,
  type HostMatrix,
  hostMatrix,
  multiplyIntoArray,
  type PreparedMatrix,
  type ResidentMatrix,
} from './gemm.js';

const MR = 4;
const NR = 4;
/** Depth of one packed block: a 4 x 256 and a 256 x 4 panel (16 KiB) stay in L1. */
const KC = 256;
/** Rows of op(a) packed at a time: 128 x KC (256 KiB) of packed left operand stay in L2. */
const MC = 128;
/** Scratch (values, 8 bytes each) kept between calls. */
const KEPT_SCRATCH = 1 << 20;
/**
 * Columns of op(b) per packed block: a block (KC x NC values, 1 Mi) fits the scratch kept between calls, so that an
 * unprepared product packs into it without allocating. It also stays far below 32 Mi elements, beyond which V8 makes
 * `new Array(n)` a dictionary that `fill` turns back into a fast array ~40 times more slowly (and runs out of memory
 * at 256 Mi).
 */
const NC = KEPT_SCRATCH / KC;

/**
 * Packed panels: a JavaScript array of doubles, not a `Float64Array`. V8 reads an element of such an array with
 * fewer instructions than a typed array's (no external-pointer arithmetic, no sign extension of the index).
 */
type Panels = number[];

/**
 * A panel array of `size` elements. Filled with a non-integer so that V8 stores the elements as unboxed doubles
 * (`HOLEY_DOUBLE_ELEMENTS`: loads as fast as a packed array's, measured); packing overwrites what it uses.
 */
function panelArray(size: number): Panels {
  return new Array<number>(size).fill(0.5);
}

class PackedMatrix implements PreparedMatrix {
  constructor(
    /** Depth: the rows of op(b). */
    readonly rows: number,
    readonly cols: number,
    /**
     * Block `(j, p)` (columns from `j * NC`, depth from `p * KC`) at `blocks[j * depthBlocks(rows) + p]`, packed by
     * {@link packBlock}.
     */
    readonly blocks: readonly Panels[],
  ) {}
}

function depthBlocks(k: number): number {
  return Math.ceil(k / KC);
}

/** {@link packPanels} for one whole panel of four lines, from line `first`, at `out[base]`. */
function packFour(
  data: Float32Array,
  offset: number,
  stride: number,
  lineIsColumn: boolean,
  first: number,
  depth: number,
  kc: number,
  out: Panels,
  base: number,
): void {
  let to = base;
  if (lineIsColumn) {
    let from = offset + depth * stride + first;
    for (let p = 0; p < kc; p++) {
      out[to] = data[from]!;
      out[to + 1] = data[from + 1]!;
      out[to + 2] = data[from + 2]!;
      out[to + 3] = data[from + 3]!;
      from += stride;
      to += 4;
    }
  } else {
    const r0 = offset + first * stride + depth;
    const r1 = r0 + stride;
    const r2 = r1 + stride;
    const r3 = r2 + stride;
    for (let p = 0; p < kc; p++) {
      out[to] = data[r0 + p]!;
      out[to + 1] = data[r1 + p]!;
      out[to + 2] = data[r2 + p]!;
      out[to + 3] = data[r3 + p]!;
      to += 4;
    }
  }
}

/** The values a packed block of `kc x nc` takes: `nc` rounded up to whole panels. */
function blockSize(kc: number, nc: number): number {
  return kc * Math.ceil(nc / NR) * NR;
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
  out: Panels,
  outOffset: number,
): void {
  const { data, offset, stride } = src;
  const panels = Math.ceil(lines / width);
  for (let panel = 0; panel < panels; panel++) {
    const base = outOffset + panel * kc * width;
    const first = panel * width;
    const count = Math.min(width, lines - first);
    if (count === 4 && width === 4) {
      // A whole panel of the 4-wide tiles, unrolled (preparing a 64 x 128 operand: 25-27 us with the loops below,
      // 19 us with these).
      packFour(data, offset, stride, lineIsColumn, first, depth, kc, out, base);
    } else if (lineIsColumn) {
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
 * `count` lines of `src` from line `first`, where a line runs along a row of `src` or, with `lineIsColumn`, down a
 * column: the view {@link packPanels} packs from its line 0.
 */
function lineView(src: HostMatrix, lineIsColumn: boolean, first: number, count: number): HostMatrix {
  return lineIsColumn
    ? hostMatrix(src.data, src.rows, count, src.offset + first, src.stride)
    : hostMatrix(src.data, count, src.cols, src.offset + first * src.stride, src.stride);
}

/**
 * Packs op(b)'s depth `[pc, pc + kc)` by columns `[jc, jc + nc)` into `out` from 0: `NR`-column panels, panel `jp` at
 * `jp * kc * NR`, zero past column `nc`.
 */
function packBlock(
  b: HostMatrix,
  transpose: boolean,
  pc: number,
  kc: number,
  jc: number,
  nc: number,
  out: Panels,
): void {
  // A column of op(b) is a column of b, or a row of b when transposed.
  packPanels(lineView(b, !transpose, jc, nc), !transpose, nc, pc, kc, NR, out, 0);
}

/**
 * `c[4 x 4 tile at ci] += ap panel · bp panel` over depth `kc`. Written out by hand on purpose: the 16 accumulators
 * must be separate local variables for V8 to keep them in registers (or its own spill slots), so the repeated
 * declarations, multiply-adds and stores cannot be folded into loops or arrays without losing most of the speed (see
 * the header). `c` is always a `Float32Array`: the product's matrix, or at the edges a scratch tile holding a copy
 * of `c`'s elements there (see `edgeTile`).
 */
function kernel4x4(
  kc: number,
  ap: Panels,
  ai: number,
  bp: Panels,
  bi: number,
  c: Float32Array,
  ci: number,
  ldc: number,
): void {
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0;
  let c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0;
  let c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = ap[ai]!;
    const a1 = ap[ai + 1]!;
    const a2 = ap[ai + 2]!;
    const a3 = ap[ai + 3]!;
    const b0 = bp[bi]!;
    const b1 = bp[bi + 1]!;
    const b2 = bp[bi + 2]!;
    const b3 = bp[bi + 3]!;
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
    ai += 4;
    bi += 4;
  }
  let r = ci;
  c[r] = c[r]! + c00;
  c[r + 1] = c[r + 1]! + c01;
  c[r + 2] = c[r + 2]! + c02;
  c[r + 3] = c[r + 3]! + c03;
  r = ci + ldc;
  c[r] = c[r]! + c10;
  c[r + 1] = c[r + 1]! + c11;
  c[r + 2] = c[r + 2]! + c12;
  c[r + 3] = c[r + 3]! + c13;
  r = ci + 2 * ldc;
  c[r] = c[r]! + c20;
  c[r + 1] = c[r + 1]! + c21;
  c[r + 2] = c[r + 2]! + c22;
  c[r + 3] = c[r + 3]! + c23;
  r = ci + 3 * ldc;
  c[r] = c[r]! + c30;
  c[r + 1] = c[r + 1]! + c31;
  c[r + 2] = c[r + 2]! + c32;
  c[r + 3] = c[r + 3]! + c33;
}

/** Sets the `[rows, cols]` block of `c` to zero. */
function zero(c: HostMatrix): void {
  for (let i = 0; i < c.rows; i++) {
    const start = c.offset + i * c.stride;
    c.data.fill(0, start, start + c.cols);
  }
}

/** Matrix products in JavaScript; one instance keeps its packing scratch between calls. */
export class JsGemm implements GemmProvider {
  readonly name = 'js';
  /** Scratch for the left operand's packed rows. */
  private scratch: Panels = panelArray(0);
  /** Scratch for a block of the right-hand operand of an unprepared product. */
  private packScratch: Panels = panelArray(0);
  private readonly tile = new Float32Array(MR * NR);

  prepare(b: HostMatrix, transpose: boolean): PackedMatrix {
    const k = transpose ? b.cols : b.rows;
    const n = transpose ? b.rows : b.cols;
    const blocks: Panels[] = [];
    for (let jc = 0; jc < n; jc += NC) {
      const nc = Math.min(NC, n - jc);
      for (let pc = 0; pc < k; pc += KC) {
        const kc = Math.min(KC, k - pc);
        const out = panelArray(blockSize(kc, nc));
        packBlock(b, transpose, pc, kc, jc, nc, out);
        blocks.push(out);
      }
    }
    return new PackedMatrix(k, n, blocks);
  }

  /** Packed panels are JavaScript memory: nothing to free. */
  release(_b: PreparedMatrix): void {}

  multiplyPrepared(a: HostMatrix, b: PreparedMatrix, c: HostMatrix, accumulate: boolean): void {
    checkProductShapes(a, false, b, false, c);
    const packed = b as PackedMatrix;
    const perColumn = depthBlocks(packed.rows);
    this.run(
      a,
      false,
      packed.rows,
      c,
      accumulate,
      (jc, pc) => packed.blocks[(jc / NC) * perColumn + pc / KC]!,
    );
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
    // Each block packed when the loop reaches it, into scratch kept between calls, not a new array each time (a
    // weight gradient's [batch * time, units] operand at every training step).
    this.run(a, transposeA, transposeB ? b.cols : b.rows, c, accumulate, (jc, pc, kc, nc) => {
      const size = blockSize(kc, nc);
      // At most KC x NC = KEPT_SCRATCH values.
      if (size > this.packScratch.length) this.packScratch = panelArray(size);
      packBlock(b, transposeB, pc, kc, jc, nc, this.packScratch);
      return this.packScratch;
    });
  }

  multiplyResident(a: HostMatrix, transposeA: boolean, b: HostMatrix, transposeB: boolean): ResidentMatrix {
    return multiplyIntoArray(this, a, transposeA, b, transposeB);
  }

  /**
   * `c (+)= op(a) · op(b)`, op(b) of depth `k`: `blockOf(jc, pc, kc, nc)` gives op(b)'s block of depth `[pc, +kc)`
   * and columns `[jc, +nc)` packed, used before the next block is asked for.
   */
  private run(
    a: HostMatrix,
    transposeA: boolean,
    k: number,
    c: HostMatrix,
    accumulate: boolean,
    blockOf: (jc: number, pc: number, kc: number, nc: number) => Panels,
  ): void {
    if (!accumulate) zero(c);
    const m = c.rows;
    const n = c.cols;
    if (m === 0 || n === 0 || k === 0) return;
    const packedA = this.scratchFor(Math.ceil(Math.min(MC, m) / MR) * MR * Math.min(KC, k));
    const out = c.data;
    const ldc = c.stride;
    for (let jc = 0; jc < n; jc += NC) {
      const nc = Math.min(NC, n - jc);
      const colPanels = Math.ceil(nc / NR);
      for (let pc = 0; pc < k; pc += KC) {
        const kc = Math.min(KC, k - pc);
        const packedB = blockOf(jc, pc, kc, nc);
        for (let ic = 0; ic < m; ic += MC) {
          const mc = Math.min(MC, m - ic);
          // A row of op(a) is a row of a, or a column of a when transposed.
          packPanels(lineView(a, transposeA, ic, mc), transposeA, mc, pc, kc, MR, packedA, 0);
          const rowPanels = Math.ceil(mc / MR);
          for (let jp = 0; jp < colPanels; jp++) {
            const bi = jp * kc * NR;
            const col = jc + jp * NR;
            const fullCols = col + NR <= n;
            for (let ip = 0; ip < rowPanels; ip++) {
              const row = ic + ip * MR;
              const ai = ip * kc * MR;
              if (fullCols && row + MR <= m) {
                kernel4x4(kc, packedA, ai, packedB, bi, out, c.offset + row * ldc + col, ldc);
              } else {
                this.edgeTile(kc, packedA, ai, packedB, bi, c, row, col);
              }
            }
          }
        }
      }
    }
  }

  /**
   * A tile that sticks out of `c`: `c`'s elements there copied into a scratch tile, the tile updated by the
   * micro-kernel, and its valid part copied back (what the tile holds past the edge is never read). Each element is then rounded to float32 once, as a
   * whole tile's are, and the micro-kernel only ever stores into a `Float32Array` (a `Float64Array` tile here made
   * the kernel's stores polymorphic: products of `[16, 64]·[64, 64]` ran ~5% slower in a process that had run
   * products with edge tiles, 4.7-4.8 against 5.0-5.1 GFLOP/s).
   */
  private edgeTile(
    kc: number,
    packedA: Panels,
    ai: number,
    packedB: Panels,
    bi: number,
    c: HostMatrix,
    row: number,
    col: number,
  ): void {
    const tile = this.tile;
    const rows = Math.min(MR, c.rows - row);
    const cols = Math.min(NR, c.cols - col);
    for (let i = 0; i < rows; i++) {
      const at = c.offset + (row + i) * c.stride + col;
      for (let j = 0; j < cols; j++) tile[i * NR + j] = c.data[at + j]!;
    }
    kernel4x4(kc, packedA, ai, packedB, bi, tile, 0, NR);
    for (let i = 0; i < rows; i++) {
      const at = c.offset + (row + i) * c.stride + col;
      for (let j = 0; j < cols; j++) c.data[at + j] = tile[i * NR + j]!;
    }
  }

  /** The left operand's scratch, grown to `size` values (at most MC x KC, so always kept). */
  private scratchFor(size: number): Panels {
    if (size > this.scratch.length) this.scratch = panelArray(size);
    return this.scratch;
  }
}
