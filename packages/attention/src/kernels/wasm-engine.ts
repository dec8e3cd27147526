/**
 * The FlashAttention engine on WebAssembly SIMD (`wasm-programs.ts`), for tfjs-backend-wasm: the arena is the SIMD
 * module's own memory (grown on demand, a few MiB for T = 4096, d = 64), into which the driver stages one head at a
 * time; products and softmax steps run four floats per instruction. tfjs's heap is only read and written by the
 * driver's staging, so the module never touches tfjs's memory.
 */
import type { Block, FlashEngine } from './flash-engine.js';
import { flashModule } from './wasm-programs.js';

/** The parts of the WebAssembly JavaScript API used here (the project's `lib` has no DOM or WebAssembly types). */
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
}

type I = number;
interface FlashExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  gemm(a: I, ars: I, acs: I, b: I, ldb: I, c: I, ldc: I, m: I, n: I, k: I, accumulate: I): void;
  addToRows(s: I, stride: I, vector: I, rows: I, cols: I): void;
  add(s: I, sStride: I, t: I, tStride: I, rows: I, cols: I): void;
  multiply(out: I, outStride: I, a: I, aStride: I, b: I, bStride: I, rows: I, cols: I): void;
  scaleRows(s: I, stride: I, factors: I, rows: I, cols: I): void;
  expShifted(s: I, stride: I, shifts: I, rows: I, cols: I): void;
  softmaxStep(s: I, stride: I, m: I, l: I, alpha: I, rows: I, cols: I): void;
  softmaxGradient(dp: I, dpStride: I, p: I, pStride: I, keep: I, keepStride: I, d: I, rows: I, cols: I): void;
}

let compiled: object | undefined;

export class WasmFlashEngine implements FlashEngine {
  readonly name = 'wasm-simd';
  private readonly x: FlashExports;

  private constructor(exports: FlashExports) {
    this.x = exports;
  }

  /** An engine with a memory of its own, or undefined where WebAssembly SIMD is unavailable. */
  static create(): WasmFlashEngine | undefined {
    const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
    if (api === undefined) return undefined;
    if (compiled === undefined) {
      if (!api.validate(flashModule)) return undefined;
      // Synchronous compilation, once per process: kernels are created synchronously by the kernel table.
      compiled = new api.Module(flashModule);
    }
    return new WasmFlashEngine(new api.Instance(compiled, {}).exports as FlashExports);
  }

  peakArenaBytes = 0;

  arena(floats: number): Float32Array {
    const memory = this.x.memory;
    const bytes = floats * 4;
    this.peakArenaBytes = Math.max(this.peakArenaBytes, bytes);
    if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
    return new Float32Array(memory.buffer, 0, floats);
  }

  product(a: Block, transposeA: boolean, b: Block, c: Block, accumulate: boolean): void {
    // A's element (i, p) is at a + i·ars + p·acs: a transposed A swaps the strides.
    const [ars, acs] = transposeA ? [4, a.stride * 4] : [a.stride * 4, 4];
    const k = transposeA ? a.rows : a.cols;
    this.x.gemm(
      a.offset * 4,
      ars,
      acs,
      b.offset * 4,
      b.stride * 4,
      c.offset * 4,
      c.stride * 4,
      c.rows,
      c.cols,
      k,
      accumulate ? 1 : 0,
    );
  }

  addToRows(s: Block, vector: number): void {
    this.x.addToRows(s.offset * 4, s.stride * 4, vector * 4, s.rows, s.cols);
  }

  add(s: Block, t: Block): void {
    this.x.add(s.offset * 4, s.stride * 4, t.offset * 4, t.stride * 4, s.rows, s.cols);
  }

  multiply(out: Block, a: Block, b: Block): void {
    this.x.multiply(
      out.offset * 4,
      out.stride * 4,
      a.offset * 4,
      a.stride * 4,
      b.offset * 4,
      b.stride * 4,
      out.rows,
      out.cols,
    );
  }

  scaleRows(s: Block, factors: number): void {
    this.x.scaleRows(s.offset * 4, s.stride * 4, factors * 4, s.rows, s.cols);
  }

  softmaxStep(s: Block, m: number, l: number, alpha: number): void {
    this.x.softmaxStep(s.offset * 4, s.stride * 4, m * 4, l * 4, alpha * 4, s.rows, s.cols);
  }

  expShifted(s: Block, shifts: number): void {
    this.x.expShifted(s.offset * 4, s.stride * 4, shifts * 4, s.rows, s.cols);
  }

  softmaxGradient(dp: Block, p: Block, keep: Block | undefined, d: number): void {
    this.x.softmaxGradient(
      dp.offset * 4,
      dp.stride * 4,
      p.offset * 4,
      p.stride * 4,
      keep ? keep.offset * 4 : 0,
      keep ? keep.stride * 4 : 0,
      d * 4,
      dp.rows,
      dp.cols,
    );
  }
}
