/**
 * The tfjs `KernelBackend` over the native addon: tensor data lives in native buffers (allocated by the addon,
 * freed when tfjs disposes the tensor's last reference), and kernels (`kernels/`) hand buffers to the addon.
 * Reading data back copies it into a JavaScript typed array. Strings and complex numbers are not supported.
 * `@seqmodel/backend-cuda` uses the same class over its addon (the same functions on device buffers), with its label.
 */
import { SeqmodelError } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon, NativeBuffer, NativeDType } from './addon.js';

/** The tfjs name of the native backend. */
export const nativeTfjsBackendName = 'seqmodel-native';

interface DataRecord {
  buffer: NativeBuffer;
  dtype: NativeDType;
  /** Elements. */
  size: number;
  refCount: number;
}

const bytesPer: Record<NativeDType, number> = { float32: 4, int32: 4, bool: 1 };

function nativeDType(dtype: tf.DataType, where: string): NativeDType {
  if (dtype === 'float32' || dtype === 'int32' || dtype === 'bool') return dtype;
  throw new SeqmodelError(`${where}: the backend holds float32, int32 and bool tensors, received ${dtype}`);
}

function arrayFor(dtype: NativeDType, size: number): Float32Array | Int32Array | Uint8Array {
  if (dtype === 'float32') return new Float32Array(size);
  if (dtype === 'int32') return new Int32Array(size);
  return new Uint8Array(size);
}

export class NativeKernelBackend extends tf.KernelBackend {
  readonly addon: NativeAddon;
  /** How errors name this backend ("native backend", "cuda backend"). */
  readonly label: string;
  private readonly records = new WeakMap<tf.DataId, DataRecord>();
  private count = 0;
  private static nextId = 0;

  constructor(addon: NativeAddon, label = 'native backend') {
    super();
    this.addon = addon;
    this.label = label;
  }

  private allocate(dtype: NativeDType, size: number): NativeBuffer {
    return this.addon.alloc(size * bytesPer[dtype]);
  }

  private store(dataId: tf.DataId, record: DataRecord): void {
    if (!this.records.has(dataId)) this.count++;
    this.records.set(dataId, record);
  }

  /** The record of `dataId`; throws a clear error for data this backend does not hold. */
  record(dataId: tf.DataId): DataRecord {
    const r = this.records.get(dataId);
    if (!r)
      throw new SeqmodelError(`${this.label}: a tensor whose data is not (or no longer) on this backend`);
    return r;
  }

  /** The native buffer of a tensor. */
  buffer(info: tf.TensorInfo): NativeBuffer {
    return this.record(info.dataId).buffer;
  }

  /** A new tensor of `shape`, zero-filled, for a kernel to write. */
  makeOutput(shape: readonly number[], dtype: tf.DataType): tf.TensorInfo {
    const d = nativeDType(dtype, `${this.label} output`);
    const size = tf.util.sizeFromShape(shape as number[]);
    const dataId = { id: NativeKernelBackend.nextId++ };
    this.store(dataId, { buffer: this.allocate(d, size), dtype: d, size, refCount: 1 });
    return { dataId, shape: [...shape], dtype: d };
  }

  /**
   * A tensor made of a buffer the caller allocated with the addon (`size` elements of `dtype`): the backend owns it
   * from now on and frees it with the tensor.
   */
  adopt(buffer: NativeBuffer, shape: readonly number[], dtype: NativeDType): tf.TensorInfo {
    const dataId = { id: NativeKernelBackend.nextId++ };
    this.store(dataId, { buffer, dtype, size: tf.util.sizeFromShape(shape as number[]), refCount: 1 });
    return { dataId, shape: [...shape], dtype };
  }

  /** A tensor sharing `x`'s data with another shape (Reshape, ExpandDims, Identity). */
  view(x: tf.TensorInfo, shape: readonly number[]): tf.TensorInfo {
    this.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...shape], dtype: x.dtype };
  }

  override write(
    values: tf.backend_util.BackendValues | null,
    shape: number[],
    dtype: tf.DataType,
  ): tf.DataId {
    const dataId = { id: NativeKernelBackend.nextId++ };
    this.move(dataId, values, shape, dtype, 1);
    return dataId;
  }

  override move(
    dataId: tf.DataId,
    values: tf.backend_util.BackendValues | null,
    shape: number[],
    dtype: tf.DataType,
    refCount: number,
  ): void {
    const d = nativeDType(dtype, `${this.label} write`);
    const size = tf.util.sizeFromShape(shape);
    const buffer = this.allocate(d, size);
    if (values != null) {
      if (!ArrayBuffer.isView(values) || (values as ArrayBufferView).byteLength < size * bytesPer[d]) {
        this.addon.free(buffer);
        throw new SeqmodelError(`${this.label} write: expected ${size} ${d} values in a typed array`);
      }
      const typed = values as ArrayBufferView;
      // tfjs hands bool data as Uint8Array, int32 as Int32Array, float32 as Float32Array; other arrays convert.
      const source =
        d === 'float32' && !(typed instanceof Float32Array)
          ? Float32Array.from(typed as unknown as ArrayLike<number>)
          : d === 'int32' && !(typed instanceof Int32Array)
            ? Int32Array.from(typed as unknown as ArrayLike<number>)
            : d === 'bool' && !(typed instanceof Uint8Array)
              ? Uint8Array.from(typed as unknown as ArrayLike<number>, (v) => (v ? 1 : 0))
              : typed;
      this.addon.write(buffer, source, 0);
    }
    this.store(dataId, { buffer, dtype: d, size, refCount });
  }

  override readSync(dataId: tf.DataId): tf.backend_util.BackendValues {
    const r = this.record(dataId);
    const out = arrayFor(r.dtype, r.size);
    this.addon.read(r.buffer, out, 0);
    return out;
  }

  override async read(dataId: tf.DataId): Promise<tf.backend_util.BackendValues> {
    return this.readSync(dataId);
  }

  override disposeData(dataId: tf.DataId, force = false): boolean {
    const r = this.records.get(dataId);
    if (!r) return true;
    r.refCount--;
    if (!force && r.refCount > 0) return false;
    this.addon.free(r.buffer);
    this.records.delete(dataId);
    this.count--;
    return true;
  }

  /** Frees a kernel's intermediate tensor. */
  disposeIntermediateTensorInfo(info: tf.TensorInfo): void {
    this.disposeData(info.dataId);
  }

  override refCount(dataId: tf.DataId): number {
    return this.records.get(dataId)?.refCount ?? 0;
  }

  override incRef(dataId: tf.DataId): void {
    this.record(dataId).refCount++;
  }

  override numDataIds(): number {
    return this.count;
  }

  override memory(): { unreliable: boolean; reasons?: string[] } & {
    numBytesInNative: number;
    numNativeBuffers: number;
  } {
    const [buffers, bytes] = this.addon.stats();
    return { unreliable: false, numNativeBuffers: buffers, numBytesInNative: bytes };
  }

  override async time(f: () => void): Promise<tf.BackendTimingInfo> {
    const start = tf.util.now();
    f();
    // A device addon queues its kernels: the time is the work's only once it finished.
    this.addon.synchronize?.();
    return { kernelMs: tf.util.now() - start };
  }

  override floatPrecision(): 16 | 32 {
    return 32;
  }

  override epsilon(): number {
    return 1e-7;
  }

  override dispose(): void {
    // Buffers are freed as tfjs disposes tensors; the addon's finalizers catch any handle dropped without that.
  }
}
