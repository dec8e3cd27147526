/**
 * Matrix products for the fused kernels on tfjs-backend-wasm: each product runs through the backend's own
 * `BatchMatMul` kernel (XNNPACK), called directly through tfjs's kernel registry rather than as a tfjs op, so that
 * no engine bookkeeping (tensor tracking, scopes, tape) is paid per step. Operands are staged from JavaScript
 * arrays into the wasm heap already transposed where asked (XNNPACK is 5-10 times slower with a transpose flag),
 * and oriented so that XNNPACK packs the smaller operand: it packs the right-hand operand on every call (caching the
 * packed form per tensor), which made `[64, 6400]·[6400, 1024]` run at ~8-13 GFLOP/s against ~30 for the
 * transposed `[1024, 6400]·[6400, 64]`. A very large right-hand operand is split along the inner dimension. A
 * recurrent kernel is staged once per sequence (`prepare`), so XNNPACK packs it once and reuses it at every step.
 *
 * This relies on three methods of tfjs-backend-wasm 4.22's `BackendWasm` (`write` with null values to allocate,
 * `typedArrayFromHeap` for a view of a tensor's heap memory, `disposeData`) and on its `BatchMatMul` kernel
 * function taking and returning `TensorInfo`s; `xnnpack-gemm.test.ts` guards them. A heap view is only used until
 * the next allocation (which may grow, and so detach, the heap).
 */
import {
  checkProductShapes,
  type GemmProvider,
  type HostMatrix,
  multiplyIntoArray,
  type PreparedMatrix,
  type ResidentMatrix,
} from '@seqmodel/backend-tfjs';
import { SeqmodelError } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';

/** What the provider uses of tfjs-backend-wasm's backend object. */
interface WasmHeapBackend extends tf.KernelBackend {
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

/** Right-hand operands larger than this (elements, 8 MiB) are split along the inner dimension. */
const MAX_RIGHT_OPERAND = 1 << 21;

class StagedMatrix implements PreparedMatrix {
  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly info: tf.TensorInfo,
  ) {}
}

/** Matrix products through tfjs-backend-wasm's XNNPACK `BatchMatMul`. */
export class XnnpackGemm implements GemmProvider {
  readonly name = 'xnnpack';
  private readonly backend: WasmHeapBackend;
  private readonly matMul: tf.KernelFunc;
  private readonly maxRightOperand: number;

  /** `options.maxRightOperand` (elements) is for tests of the splitting. */
  constructor(backend: tf.KernelBackend, options: { readonly maxRightOperand?: number } = {}) {
    this.maxRightOperand = options.maxRightOperand ?? MAX_RIGHT_OPERAND;
    const heap = backend as Partial<WasmHeapBackend>;
    const kernel = tf.getKernel('BatchMatMul', 'wasm');
    if (typeof heap.typedArrayFromHeap !== 'function' || typeof heap.write !== 'function' || !kernel) {
      throw new SeqmodelError(
        'XnnpackGemm: expected tfjs-backend-wasm 4.22 (a backend with typedArrayFromHeap and a BatchMatMul kernel)',
      );
    }
    this.backend = backend as WasmHeapBackend;
    this.matMul = kernel.kernelFunc;
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
    const shape = [rows, cols];
    const dataId = this.backend.write(null as unknown as Float32Array, shape, 'float32');
    const info: tf.TensorInfo = { dataId, shape, dtype: 'float32' };
    const view = this.backend.typedArrayFromHeap(info);
    const { data, offset, stride } = src;
    if (!transpose) {
      // op(src)[i, j] = src[rowStart + i, colStart + j]
      if (stride === cols && colStart === 0) {
        const from = offset + rowStart * stride;
        view.set(data.subarray(from, from + rows * cols));
      } else {
        for (let i = 0; i < rows; i++) {
          const from = offset + (rowStart + i) * stride + colStart;
          view.set(data.subarray(from, from + cols), i * cols);
        }
      }
    } else {
      // op(src)[i, j] = src[colStart + j, rowStart + i]: read rows of src, write columns of the view.
      for (let j = 0; j < cols; j++) {
        const from = offset + (colStart + j) * stride + rowStart;
        for (let i = 0; i < rows; i++) view[i * cols + j] = data[from + i]!;
      }
    }
    return info;
  }

  private product(a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
    return this.matMul({
      inputs: { a, b },
      backend: this.backend,
      attrs: { transposeA: false, transposeB: false },
    }) as tf.TensorInfo;
  }

  /** Copies (or adds) the product `out` into `c`, then frees it. */
  private collect(out: tf.TensorInfo, c: HostMatrix, accumulate: boolean): void {
    try {
      const view = this.backend.typedArrayFromHeap(out);
      const { data, offset, stride, rows, cols } = c;
      for (let i = 0; i < rows; i++) {
        const to = offset + i * stride;
        const from = i * cols;
        if (accumulate) for (let j = 0; j < cols; j++) data[to + j] = data[to + j]! + view[from + j]!;
        else data.set(view.subarray(from, from + cols), to);
      }
    } finally {
      this.backend.disposeData(out.dataId);
    }
  }

  prepare(b: HostMatrix, transpose: boolean): StagedMatrix {
    const k = transpose ? b.cols : b.rows;
    const n = transpose ? b.rows : b.cols;
    return new StagedMatrix(k, n, this.stage(b, transpose, 0, k, 0, n));
  }

  release(b: PreparedMatrix): void {
    this.backend.disposeData((b as StagedMatrix).info.dataId);
  }

  multiplyPrepared(a: HostMatrix, b: PreparedMatrix, c: HostMatrix, accumulate: boolean): void {
    const { m, k } = checkProductShapes(a, false, b, false, c);
    const left = this.stage(a, false, 0, m, 0, k);
    try {
      this.collect(this.product(left, (b as StagedMatrix).info), c, accumulate);
    } finally {
      this.backend.disposeData(left.dataId);
    }
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
      // out is [cols, rows]: read its rows, write c's columns.
      for (let j = 0; j < cols; j++) {
        const from = j * rows;
        for (let i = 0; i < rows; i++) {
          const to = offset + i * stride + j;
          data[to] = accumulate ? data[to]! + view[from + i]! : view[from + i]!;
        }
      }
    } finally {
      this.backend.disposeData(out.dataId);
    }
  }
}
