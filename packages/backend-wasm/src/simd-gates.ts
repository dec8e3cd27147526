/**
 * The runtime of the SIMD gate module (`simd-gate-programs.ts`): the gate arithmetic of an LSTM step, and of a GRU
 * step without `resetAfter`, with Keras' default activations, in WebAssembly SIMD: four units per instruction,
 * against one in JavaScript. With the recurrent products on XNNPACK, the JavaScript gates were roughly a third of an
 * LSTM's forward pass; at batch 64 and 256 units, 100 LSTM steps of these gates (copies included, inference) ran 4-5
 * times faster than backend-tfjs's JavaScript loop (`lstmRowSigmoidTanh`) in interleaved runs on a loaded 2-core
 * machine.
 *
 * The module has its own memory: the step's rows are copied in, computed, and copied out (copies run at memory
 * speed; the gates were the cost).
 */
import type {
  GateStepArgs,
  GruCandidateArgs,
  GruResetArgs,
  LstmStepArgs,
  VectorGates,
} from '@seqmodel/backend-tfjs';
import { simdGateModule } from './simd-gate-programs.js';

/** The parts of the WebAssembly JavaScript API used here (the project's `lib` has no DOM or WebAssembly types). */
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
}

interface GateExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  lstm(
    bias: number,
    z: number,
    r: number,
    c: number,
    cNext: number,
    hNext: number,
    ac: number,
    rows: number,
    units: number,
  ): void;
  gruReset(bias: number, z: number, r: number, ht: number, rht: number, rows: number, units: number): void;
  gruUpdate(
    bias: number,
    z: number,
    rh: number,
    ht: number,
    hNext: number,
    rows: number,
    units: number,
  ): void;
}

/** LSTM and GRU steps on the SIMD module; `create` returns undefined where WebAssembly SIMD is unavailable. */
export class SimdGates implements VectorGates {
  private readonly exports: GateExports;
  private heap: Float32Array;

  private constructor(exports: GateExports) {
    this.exports = exports;
    this.heap = new Float32Array(exports.memory.buffer);
  }

  static create(): SimdGates | undefined {
    const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
    if (api === undefined || !api.validate(simdGateModule)) return undefined;
    // Synchronous compilation is allowed for modules this small (browsers refuse it only above 4 KiB).
    const instance = new api.Instance(new api.Module(simdGateModule), {});
    return new SimdGates(instance.exports as GateExports);
  }

  /** The GRU step between `gruReset` and `gruCandidate`: its arguments (sizes, rows) and the region offsets. */
  private gru: { args: GruResetArgs; offsets: [number, number, number, number, number, number] } | undefined;

  /** Float offsets of consecutive regions of the given sizes, growing the memory when needed. */
  private regions(sizes: number[]): number[] {
    const offsets: number[] = [];
    let at = 0;
    for (const size of sizes) {
      offsets.push(at);
      at += size;
    }
    const bytes = at * 4;
    const memory = this.exports.memory;
    if (memory.buffer.byteLength < bytes) {
      memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
    }
    if (this.heap.buffer !== memory.buffer) this.heap = new Float32Array(memory.buffer);
    return offsets;
  }

  /**
   * Copies the bias (its first `width` floats; zeros without one) to `bias` and the step's `rows` rows of the
   * projection (`width` wide, strided in `args.z`) to consecutive rows at `z` (float offsets in the module's memory).
   */
  private stageGateInputs(args: GateStepArgs, width: number, bias: number, z: number): void {
    const heap = this.heap;
    if (args.bias) heap.set(args.bias.subarray(0, width), bias);
    else heap.fill(0, bias, bias + width);
    for (let b = 0; b < args.rows; b++) {
      const from = args.zOffset + b * args.zStride;
      heap.set(args.z.subarray(from, from + width), z + b * width);
    }
  }

  /** Copies `rows` consecutive rows (`width` wide) at `from` in the module's memory to `to`, row b at `offset + b * stride`. */
  private unstageRows(
    from: number,
    rows: number,
    width: number,
    to: Float32Array,
    offset: number,
    stride: number,
  ): void {
    const heap = this.heap;
    for (let b = 0; b < rows; b++)
      to.set(heap.subarray(from + b * width, from + (b + 1) * width), offset + b * stride);
  }

  lstmStep(args: LstmStepArgs): boolean {
    const { rows, units } = args;
    if (units % 4 !== 0) return false;
    const width = 4 * units;
    const [bias, z, r, c, cNext, hNext, ac] = this.regions([
      width,
      rows * width,
      rows * width,
      rows * units,
      rows * units,
      rows * units,
      rows * units,
    ]) as [number, number, number, number, number, number, number];
    this.stageGateInputs(args, width, bias, z);
    const heap = this.heap;
    heap.set(args.recurrent.subarray(0, rows * width), r);
    heap.set(args.c.subarray(0, rows * units), c);
    this.exports.lstm(bias * 4, z * 4, r * 4, c * 4, cNext * 4, hNext * 4, ac * 4, rows, units);
    args.cNext.set(heap.subarray(cNext, cNext + rows * units));
    args.hNext.set(heap.subarray(hNext, hNext + rows * units));
    if (args.ac) {
      this.unstageRows(z, rows, width, args.z, args.zOffset, args.zStride);
      this.unstageRows(ac, rows, units, args.ac, args.acOffset, args.acStride);
    }
    return true;
  }

  gruReset(args: GruResetArgs): boolean {
    const { rows, units } = args;
    this.gru = undefined;
    if (units % 4 !== 0) return false;
    const width = 3 * units;
    // bias, z rows, h̃·U_zr (later (r·h̃)·U_h), h̃, r·h̃, h'
    const offsets = this.regions([
      width,
      rows * width,
      rows * 2 * units,
      rows * units,
      rows * units,
      rows * units,
    ]) as [number, number, number, number, number, number];
    const [bias, z, r, ht, rht] = offsets;
    this.stageGateInputs(args, width, bias, z);
    const heap = this.heap;
    heap.set(args.recurrent.subarray(0, rows * 2 * units), r);
    heap.set(args.ht.subarray(0, rows * units), ht);
    this.exports.gruReset(bias * 4, z * 4, r * 4, ht * 4, rht * 4, rows, units);
    args.resetH.set(heap.subarray(rht, rht + rows * units));
    this.gru = { args, offsets };
    return true;
  }

  gruCandidate(args: GruCandidateArgs): void {
    const step = this.gru;
    if (!step) throw new Error('SimdGates.gruCandidate without a gruReset before it (internal error)');
    this.gru = undefined;
    const { rows, units, zOffset, zStride } = step.args;
    const [bias, z, rh, ht, , hNext] = step.offsets;
    const width = 3 * units;
    const heap = this.heap;
    heap.set(args.recurrent.subarray(0, rows * units), rh);
    this.exports.gruUpdate(bias * 4, z * 4, rh * 4, ht * 4, hNext * 4, rows, units);
    args.hNext.set(heap.subarray(hNext, hNext + rows * units));
    if (args.gates) this.unstageRows(z, rows, width, args.gates, zOffset, zStride);
  }
}
