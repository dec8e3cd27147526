/**
 * Matrix products for the fused kernels on tfjs-backend-wasm: each product runs through the backend's own
 * `BatchMatMul` (XNNPACK), called directly rather than as a tfjs op, so that no engine bookkeeping (tensor tracking,
 * scopes, tape) is paid per step. Operands are staged from JavaScript
 * arrays into the wasm heap already transposed where asked (XNNPACK is 5-10 times slower with a transpose flag),
 * and oriented so that XNNPACK packs the smaller operand: it packs the right-hand operand on every call (caching the
 * packed form per tensor), which made `[64, 6400]·[6400, 1024]` run at ~8-13 GFLOP/s against ~30 for the
 * transposed `[1024, 6400]·[6400, 64]`. A very large right-hand operand is split along the inner dimension. A
 * recurrent kernel is staged once per sequence (`prepare`), so XNNPACK packs it once and reuses it at every step.
 *
 * Products call the wasm module's `BatchMatMul` export directly, with an output allocated by the provider, not
 * through tfjs's kernel function, which reshapes both operands and allocates (and the caller frees) its output at
 * every call: a per-step product of a small model spent more time there than in XNNPACK. The per-step products also
 * reuse their staged left operands and outputs (by shape) while a prepared operand is alive, so a sequence allocates
 * them once, not at every step.
 *
 * This relies on what tfjs-backend-wasm 4.22's `BackendWasm` has (`write` with null values to allocate,
 * `typedArrayFromHeap` for a view of a tensor's heap memory, `disposeData`, `dataIdMap` for the module's tensor ids,
 * and the module's `cwrap`) and on the module's `BatchMatMul(aId, aShape, aRank, bId, bShape, bRank, transposeA,
 * transposeB, outId)`, as its own kernel calls it; `xnnpack-gemm.test.ts` guards them. A heap view is only used
 * until the next allocation (which may grow, and so detach, the heap).
 */
import {
  checkProductShapes,
  copyRow,
  type GemmProvider,
  type HostMatrix,
  multiplyIntoArray,
  type PreparedMatrix,
  type ResidentMatrix,
} from '@seqmodel/backend-tfjs';
import { SeqmodelError } from '@seqmodel/core';
import type * as tf from '@tensorflow/tfjs-core';

/** What the provider uses of tfjs-backend-wasm's backend object. */
interface WasmHeapBackend extends tf.KernelBackend {
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  /** The module's tensor id (the one its C++ kernels take) of each data id. */
  readonly dataIdMap: { get(dataId: tf.DataId): { readonly id: number } | undefined };
  readonly wasm: {
    cwrap(name: string, returns: null, args: readonly string[]): WasmBatchMatMul;
    _malloc(bytes: number): number;
    /** The module's heap as int32s (replaced when the heap grows). */
    readonly HEAP32: Int32Array;
  };
}

/**
 * The module's `BatchMatMul` export, taking its shapes as heap addresses of three int32s each (`[1, rows, cols]`)
 * and its flags as 0 or 1. `cwrap` with only numeric arguments hands back the export itself: tfjs-backend-wasm 4.22
 * wraps it with `array` shapes, copied to the stack by emscripten's `ccall` at every call (a few percent of a
 * 16x32x16x64 training step, which makes 4 products per time step).
 */
type WasmBatchMatMul = (
  aId: number,
  aShape: number,
  aRank: number,
  bId: number,
  bShape: number,
  bRank: number,
  transposeA: number,
  transposeB: number,
  outId: number,
) => void;

/**
 * `to[i, j] (+)= from[j, i]` for `i < rows`, `j < cols` (`from` row-major with `fromStride`, `to` with `toStride`).
 * In blocks of 4 x 4, written out so that V8 keeps the addresses in registers: each block reads 4 short runs of
 * `from` and writes 4 of `to`, so both stay in a few cache lines. 2.5 times faster (0.7 against 1.8 ns a value,
 * Node 20) than strips of 8 rows with an inner loop, on the weight gradients' `[batch * time, units]` operands
 * (`[512, 64]` to `[2048, 128]`); a plain column-by-column loop was 5 times slower still on rows of 8 KiB.
 */
function transposeInto(
  from: Float32Array,
  fromOffset: number,
  fromStride: number,
  to: Float32Array,
  toOffset: number,
  toStride: number,
  rows: number,
  cols: number,
  accumulate: boolean,
): void {
  const rows4 = rows - (rows % 4);
  const cols4 = cols - (cols % 4);
  if (accumulate) addTransposedBlocks(from, fromOffset, fromStride, to, toOffset, toStride, rows4, cols4);
  else setTransposedBlocks(from, fromOffset, fromStride, to, toOffset, toStride, rows4, cols4);
  // The edges: the last `cols % 4` columns of the first `rows4` rows, then the last `rows % 4` rows.
  for (let i = 0; i < rows; i++) {
    const target = toOffset + i * toStride;
    for (let j = i < rows4 ? cols4 : 0; j < cols; j++) {
      const value = from[fromOffset + j * fromStride + i]!;
      to[target + j] = accumulate ? to[target + j]! + value : value;
    }
  }
}

/** `to[i, j] = from[j, i]` for `i < rows4`, `j < cols4` (multiples of 4). */
function setTransposedBlocks(
  from: Float32Array,
  fromOffset: number,
  fromStride: number,
  to: Float32Array,
  toOffset: number,
  toStride: number,
  rows4: number,
  cols4: number,
): void {
  for (let i = 0; i < rows4; i += 4) {
    const t0 = toOffset + i * toStride;
    const t1 = t0 + toStride;
    const t2 = t1 + toStride;
    const t3 = t2 + toStride;
    let s0 = fromOffset + i;
    for (let j = 0; j < cols4; j += 4) {
      const s1 = s0 + fromStride;
      const s2 = s1 + fromStride;
      const s3 = s2 + fromStride;
      to[t0 + j] = from[s0]!;
      to[t1 + j] = from[s0 + 1]!;
      to[t2 + j] = from[s0 + 2]!;
      to[t3 + j] = from[s0 + 3]!;
      to[t0 + j + 1] = from[s1]!;
      to[t1 + j + 1] = from[s1 + 1]!;
      to[t2 + j + 1] = from[s1 + 2]!;
      to[t3 + j + 1] = from[s1 + 3]!;
      to[t0 + j + 2] = from[s2]!;
      to[t1 + j + 2] = from[s2 + 1]!;
      to[t2 + j + 2] = from[s2 + 2]!;
      to[t3 + j + 2] = from[s2 + 3]!;
      to[t0 + j + 3] = from[s3]!;
      to[t1 + j + 3] = from[s3 + 1]!;
      to[t2 + j + 3] = from[s3 + 2]!;
      to[t3 + j + 3] = from[s3 + 3]!;
      s0 += 4 * fromStride;
    }
  }
}

/** `to[i, j] += from[j, i]` for `i < rows4`, `j < cols4` (multiples of 4). */
function addTransposedBlocks(
  from: Float32Array,
  fromOffset: number,
  fromStride: number,
  to: Float32Array,
  toOffset: number,
  toStride: number,
  rows4: number,
  cols4: number,
): void {
  for (let i = 0; i < rows4; i += 4) {
    const t0 = toOffset + i * toStride;
    const t1 = t0 + toStride;
    const t2 = t1 + toStride;
    const t3 = t2 + toStride;
    let s0 = fromOffset + i;
    for (let j = 0; j < cols4; j += 4) {
      const s1 = s0 + fromStride;
      const s2 = s1 + fromStride;
      const s3 = s2 + fromStride;
      to[t0 + j] = to[t0 + j]! + from[s0]!;
      to[t1 + j] = to[t1 + j]! + from[s0 + 1]!;
      to[t2 + j] = to[t2 + j]! + from[s0 + 2]!;
      to[t3 + j] = to[t3 + j]! + from[s0 + 3]!;
      to[t0 + j + 1] = to[t0 + j + 1]! + from[s1]!;
      to[t1 + j + 1] = to[t1 + j + 1]! + from[s1 + 1]!;
      to[t2 + j + 1] = to[t2 + j + 1]! + from[s1 + 2]!;
      to[t3 + j + 1] = to[t3 + j + 1]! + from[s1 + 3]!;
      to[t0 + j + 2] = to[t0 + j + 2]! + from[s2]!;
      to[t1 + j + 2] = to[t1 + j + 2]! + from[s2 + 1]!;
      to[t2 + j + 2] = to[t2 + j + 2]! + from[s2 + 2]!;
      to[t3 + j + 2] = to[t3 + j + 2]! + from[s2 + 3]!;
      to[t0 + j + 3] = to[t0 + j + 3]! + from[s3]!;
      to[t1 + j + 3] = to[t1 + j + 3]! + from[s3 + 1]!;
      to[t2 + j + 3] = to[t2 + j + 3]! + from[s3 + 2]!;
      to[t3 + j + 3] = to[t3 + j + 3]! + from[s3 + 3]!;
      s0 += 4 * fromStride;
    }
  }
}

/** A heap allocation kept for the per-step products: its data id, module id and its latest view. */
interface Scratch {
  readonly info: tf.TensorInfo;
  readonly id: number;
  view: Float32Array;
}

/** Right-hand operands larger than this (elements, 8 MiB) are split along the inner dimension. */
const MAX_RIGHT_OPERAND = 1 << 21;

class StagedMatrix implements PreparedMatrix {
  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly info: tf.TensorInfo,
    readonly id: number,
  ) {}
}

/**
 * The 24 bytes on `module`'s heap that every provider on it writes `BatchMatMul`'s shapes to: allocated once per
 * module (which lives as long as the process), so that making providers (one per backend's compiled kernel) does
 * not leave an allocation behind each time. Providers on one module never run at once (JavaScript is one thread,
 * and a product writes the shapes right before its call).
 */
const shapeBlocks = new WeakMap<object, number>();

function shapeBlock(module: WasmHeapBackend['wasm']): number {
  let at = shapeBlocks.get(module);
  if (at === undefined) {
    at = module._malloc(24);
    shapeBlocks.set(module, at);
  }
  return at;
}

/** Matrix products through tfjs-backend-wasm's XNNPACK `BatchMatMul`. */
export class XnnpackGemm implements GemmProvider {
  readonly name = 'xnnpack';
  private readonly backend: WasmHeapBackend;
  private readonly matMul: WasmBatchMatMul;
  private readonly maxRightOperand: number;
  /** Prepared operands not yet released: the scratch below lives as long as one does. */
  private live = 0;
  /** Staged left operands and outputs of the per-step products, by role and shape. */
  private readonly scratch = new Map<string, Scratch>();
  /** Heap address of the two shapes `BatchMatMul` reads (six int32s), written before each call: {@link shapeBlock}. */
  private readonly shapes: number;

  /** `options.maxRightOperand` (elements) is for tests of the splitting. */
  constructor(backend: tf.KernelBackend, options: { readonly maxRightOperand?: number } = {}) {
    this.maxRightOperand = options.maxRightOperand ?? MAX_RIGHT_OPERAND;
    const heap = backend as Partial<WasmHeapBackend>;
    if (
      typeof heap.typedArrayFromHeap !== 'function' ||
      typeof heap.write !== 'function' ||
      typeof heap.dataIdMap?.get !== 'function' ||
      typeof heap.wasm?.cwrap !== 'function' ||
      typeof heap.wasm._malloc !== 'function' ||
      !(heap.wasm.HEAP32 instanceof Int32Array)
    ) {
      throw new SeqmodelError(
        'XnnpackGemm: expected tfjs-backend-wasm 4.22 (a backend with typedArrayFromHeap, dataIdMap and its module, with _malloc and HEAP32)',
      );
    }
    this.backend = backend as WasmHeapBackend;
    this.matMul = heap.wasm.cwrap('BatchMatMul', null, Array(9).fill('number'));
    this.shapes = shapeBlock(heap.wasm);
  }

  /** `out = a·b` for heap allocations (module ids) `a` `[m, k]`, `b` `[k, n]` and `out` `[m, n]`. */
  private batchMatMul(aId: number, m: number, k: number, bId: number, n: number, outId: number): void {
    const heap = this.backend.wasm.HEAP32;
    const at = this.shapes >> 2;
    heap[at] = 1;
    heap[at + 1] = m;
    heap[at + 2] = k;
    heap[at + 3] = 1;
    heap[at + 4] = k;
    heap[at + 5] = n;
    this.matMul(aId, this.shapes, 3, bId, this.shapes + 12, 3, 0, 0, outId);
  }

  /** A new `[rows, cols]` allocation on the heap (contents unspecified). */
  private allocate(rows: number, cols: number): tf.TensorInfo {
    const shape = [rows, cols];
    return {
      dataId: this.backend.write(null as unknown as Float32Array, shape, 'float32'),
      shape,
      dtype: 'float32',
    };
  }

  /** The module's id of an allocation. */
  private idOf(info: tf.TensorInfo): number {
    return this.backend.dataIdMap.get(info.dataId)!.id;
  }

  /** Allocates `[rows, cols]` on the heap and fills it with `op(src)` (src transposed when asked). */
  private stage(
    src: HostMatrix,
    transpose: boolean,
    rowStart: number,
    rows: number,
    colStart: number,
    cols: number,
  ): tf.TensorInfo {
    const info = this.allocate(rows, cols);
    this.fill(this.backend.typedArrayFromHeap(info), src, transpose, rowStart, rows, colStart, cols);
    return info;
  }

  /** Writes `op(src)`'s block `[rowStart, +rows) x [colStart, +cols)` into `view`, row-major. */
  private fill(
    view: Float32Array,
    src: HostMatrix,
    transpose: boolean,
    rowStart: number,
    rows: number,
    colStart: number,
    cols: number,
  ): void {
    const { data, offset, stride } = src;
    if (!transpose) {
      // op(src)[i, j] = src[rowStart + i, colStart + j]
      if (stride === cols && colStart === 0) {
        const from = offset + rowStart * stride;
        view.set(data.subarray(from, from + rows * cols));
      } else {
        for (let i = 0; i < rows; i++)
          copyRow(data, offset + (rowStart + i) * stride + colStart, view, i * cols, cols);
      }
    } else {
      // op(src)[i, j] = src[colStart + j, rowStart + i]
      transposeInto(data, offset + colStart * stride + rowStart, stride, view, 0, cols, rows, cols, false);
    }
  }

  /** `a·b` into a new allocation `[m, n]`. */
  private product(a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
    const [m, k] = a.shape as [number, number];
    const n = b.shape[1]!;
    const out = this.allocate(m, n);
    this.batchMatMul(this.idOf(a), m, k, this.idOf(b), n, this.idOf(out));
    return out;
  }

  /** Copies (or adds) the `[rows, cols]` values of `view` into `c`. */
  private static copyOut(view: Float32Array, c: HostMatrix, accumulate: boolean): void {
    const { data, offset, stride, rows, cols } = c;
    if (!accumulate && (stride === cols || rows === 1)) {
      data.set(view.subarray(0, rows * cols), offset);
      return;
    }
    for (let i = 0; i < rows; i++) {
      const to = offset + i * stride;
      const from = i * cols;
      if (accumulate) for (let j = 0; j < cols; j++) data[to + j] = data[to + j]! + view[from + j]!;
      else copyRow(view, from, data, to, cols);
    }
  }

  /** Copies (or adds) the product `out` into `c`, then frees it. */
  private collect(out: tf.TensorInfo, c: HostMatrix, accumulate: boolean): void {
    try {
      XnnpackGemm.copyOut(this.backend.typedArrayFromHeap(out), c, accumulate);
    } finally {
      this.backend.disposeData(out.dataId);
    }
  }

  /** The kept `[rows, cols]` allocation for `role`, with a current view (the heap may have grown since). */
  private scratchFor(role: 'left' | 'out', rows: number, cols: number): Scratch {
    const key = `${role} ${rows}x${cols}`;
    let s = this.scratch.get(key);
    if (!s) {
      const info = this.allocate(rows, cols);
      s = {
        info,
        id: this.idOf(info),
        view: this.backend.typedArrayFromHeap(info),
      };
      this.scratch.set(key, s);
    } else if (s.view.length === 0) {
      // A view of a heap that grew since is detached (length 0).
      s.view = this.backend.typedArrayFromHeap(s.info);
    }
    return s;
  }

  prepare(b: HostMatrix, transpose: boolean): StagedMatrix {
    const k = transpose ? b.cols : b.rows;
    const n = transpose ? b.rows : b.cols;
    const info = this.stage(b, transpose, 0, k, 0, n);
    this.live++;
    return new StagedMatrix(k, n, info, this.idOf(info));
  }

  /** Frees `b`, and the per-step scratch with the last prepared operand. */
  release(b: PreparedMatrix): void {
    this.backend.disposeData((b as StagedMatrix).info.dataId);
    if (--this.live > 0) return;
    this.live = 0;
    for (const s of this.scratch.values()) this.backend.disposeData(s.info.dataId);
    this.scratch.clear();
  }

  multiplyPrepared(a: HostMatrix, b: PreparedMatrix, c: HostMatrix, accumulate: boolean): void {
    const { m, k, n } = checkProductShapes(a, false, b, false, c);
    if (m === 0 || n === 0) return;
    const staged = b as StagedMatrix;
    // Both allocated before either view is used: an allocation may grow the heap and detach earlier views.
    const left = this.scratchFor('left', m, k);
    const out = this.scratchFor('out', m, n);
    if (left.view.length === 0) left.view = this.backend.typedArrayFromHeap(left.info);
    this.fill(left.view, a, false, 0, m, 0, k);
    this.batchMatMul(left.id, m, k, staged.id, n, out.id);
    // XNNPACK allocates when it first meets an operand (its packed weights), which may grow the heap.
    if (out.view.length === 0) out.view = this.backend.typedArrayFromHeap(out.info);
    XnnpackGemm.copyOut(out.view, c, accumulate);
  }

  multiply(
    a: HostMatrix,
    transposeA: boolean,
    b: HostMatrix,
    transposeB: boolean,
    c: HostMatrix,
    accumulate: boolean,
  ): void {
    const { m, k, n } = checkProductShapes(a, transposeA, b, transposeB, c);
    // XNNPACK packs the right-hand operand on every call and is efficient for many left rows: with fewer rows than
    // columns, compute cᵀ = op(b)ᵀ·op(a)ᵀ instead (the weight gradients [units, N]·[N, 4 * units], say).
    const swap = m < n;
    const left = swap
      ? { src: b, transpose: !transposeB, rows: n }
      : { src: a, transpose: transposeA, rows: m };
    const right = swap
      ? { src: a, transpose: !transposeA, cols: m }
      : { src: b, transpose: transposeB, cols: n };
    const block =
      k * right.cols <= MAX_RIGHT_OPERAND ? k : Math.max(64, Math.floor(MAX_RIGHT_OPERAND / right.cols));
    for (let start = 0; start < k; start += block) {
      const depth = Math.min(block, k - start);
      // left[:, start : start + depth] · right[start : start + depth, :]
      const l = this.stage(left.src, left.transpose, 0, left.rows, start, depth);
      let r: tf.TensorInfo | undefined;
      try {
        r = this.stage(right.src, right.transpose, start, depth, 0, right.cols);
        const out = this.product(l, r);
        if (swap) this.collectTransposed(out, c, accumulate || start > 0);
        else this.collect(out, c, accumulate || start > 0);
      } finally {
        this.backend.disposeData(l.dataId);
        if (r) this.backend.disposeData(r.dataId);
      }
    }
  }

  /**
   * `op(a)·op(b)` left on the wasm heap when it is one plain product (the input projection: many rows, a small
   * right-hand operand); otherwise computed into JavaScript memory.
   */
  multiplyResident(a: HostMatrix, transposeA: boolean, b: HostMatrix, transposeB: boolean): ResidentMatrix {
    const m = transposeA ? a.cols : a.rows;
    const k = transposeA ? a.rows : a.cols;
    const n = transposeB ? b.rows : b.cols;
    if (m < n || k * n > this.maxRightOperand) return multiplyIntoArray(this, a, transposeA, b, transposeB);
    checkProductShapes(a, transposeA, b, transposeB, { rows: m, cols: n });
    const left = this.stage(a, transposeA, 0, m, 0, k);
    let right: tf.TensorInfo | undefined;
    let out: tf.TensorInfo;
    try {
      right = this.stage(b, transposeB, 0, k, 0, n);
      out = this.product(left, right);
    } finally {
      this.backend.disposeData(left.dataId);
      if (right) this.backend.disposeData(right.dataId);
    }
    const backend = this.backend;
    let released = false;
    return {
      rows: m,
      cols: n,
      inJavaScript: false,
      view: () => {
        if (released) throw new Error('XnnpackGemm: a released product was read (internal error)');
        return backend.typedArrayFromHeap(out);
      },
      release: () => {
        if (!released) backend.disposeData(out.dataId);
        released = true;
      },
    };
  }

  /** Copies (or adds) the transpose of the product `out` into `c`, then frees it. */
  private collectTransposed(out: tf.TensorInfo, c: HostMatrix, accumulate: boolean): void {
    try {
      const view = this.backend.typedArrayFromHeap(out);
      const { data, offset, stride, rows, cols } = c;
      // out is [cols, rows].
      transposeInto(view, 0, rows, data, offset, stride, rows, cols, accumulate);
    } finally {
      this.backend.disposeData(out.dataId);
    }
  }
}
