/**
 * Matrix products for the compiled kernel on the native backend: the addon's blocked GEMM (AVX2/FMA where the CPU has
 * it, split over its thread pool) run on the kernel's JavaScript arrays in place, without copies. The compiled kernel
 * keeps its values in JavaScript arrays (its elementwise passes are generated JavaScript), so without this its
 * products ran in `JsGemm` (~4 GFLOP/s), and a plugin cell trained several times slower on native than on wasm. A
 * recurrent kernel is packed once per sequence (`prepare`) in native memory, freed by `release`.
 */
import {
  checkProductShapes,
  type GemmProvider,
  type HostMatrix,
  multiplyIntoArray,
  type PreparedMatrix,
  type ResidentMatrix,
} from '@seqmodel/backend-tfjs';
import type { NativeAddon, NativePacked } from './addon.js';

/** The addon functions this provider calls (the host addon has them; the CUDA addon does not). */
type HostGemmAddon = Required<Pick<NativeAddon, 'hostGemm' | 'hostPack' | 'hostGemmPacked' | 'hostRelease'>>;

class NativePrepared implements PreparedMatrix {
  constructor(
    readonly rows: number,
    readonly cols: number,
    public packed: NativePacked | undefined,
  ) {}
}

/** Whether `addon` multiplies JavaScript arrays (built from a source with `hostGemm`). */
export function hasHostGemm(addon: NativeAddon): addon is NativeAddon & HostGemmAddon {
  return (
    typeof addon.hostGemm === 'function' &&
    typeof addon.hostPack === 'function' &&
    typeof addon.hostGemmPacked === 'function' &&
    typeof addon.hostRelease === 'function'
  );
}

/** Matrix products on JavaScript arrays through the native addon's GEMM. */
export class NativeGemm implements GemmProvider {
  readonly name = 'native';

  constructor(private readonly addon: NativeAddon & HostGemmAddon) {}

  prepare(b: HostMatrix, transpose: boolean): PreparedMatrix {
    const k = transpose ? b.cols : b.rows;
    const n = transpose ? b.rows : b.cols;
    return new NativePrepared(k, n, this.addon.hostPack(k, n, b.data, b.offset, b.stride, transpose));
  }

  release(b: PreparedMatrix): void {
    const prepared = b as NativePrepared;
    if (prepared.packed !== undefined) this.addon.hostRelease(prepared.packed);
    prepared.packed = undefined;
  }

  multiplyPrepared(a: HostMatrix, b: PreparedMatrix, c: HostMatrix, accumulate: boolean): void {
    checkProductShapes(a, false, b, false, c);
    const packed = (b as NativePrepared).packed;
    if (packed === undefined)
      throw new Error('NativeGemm: a released operand was multiplied (internal error)');
    this.addon.hostGemmPacked(
      c.rows,
      a.data,
      a.offset,
      a.stride,
      packed,
      c.data,
      c.offset,
      c.stride,
      accumulate,
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
    const { m, k, n } = checkProductShapes(a, transposeA, b, transposeB, c);
    this.addon.hostGemm(
      m,
      n,
      k,
      a.data,
      a.offset,
      a.stride,
      transposeA,
      b.data,
      b.offset,
      b.stride,
      transposeB,
      c.data,
      c.offset,
      c.stride,
      accumulate,
    );
  }

  multiplyResident(a: HostMatrix, transposeA: boolean, b: HostMatrix, transposeB: boolean): ResidentMatrix {
    return multiplyIntoArray(this, a, transposeA, b, transposeB);
  }
}
