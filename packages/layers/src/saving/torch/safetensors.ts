/**
 * The safetensors format (huggingface/safetensors): an 8-byte little-endian header length `N`, `N` bytes of JSON
 * (`{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: { string: string } }`, offsets relative to the
 * data after the header), then the tensors' little-endian bytes. The reader checks everything the format promises
 * (offsets inside the data, sizes matching dtype and shape, no overlaps, no holes), since a file is untrusted input.
 */
import { SeqmodelError, sizeOfShape } from '@seqmodel/core';
import type { StateDict, TorchDtype, TorchTensor } from './state-dict.js';

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Readonly<Record<TorchDtype, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** A header beyond this is refused before parsing it (the reference implementation's limit is 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsContents {
  readonly tensors: StateDict;
  /** The `__metadata__` strings (empty when absent). */
  readonly metadata: Readonly<Record<string, string>>;
}

/** IEEE half precision to a number. */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Decodes `count` little-endian elements of `dtype` from `view` at `offset`. */
export function decodeElements(
  dtype: TorchDtype,
  view: DataView,
  offset: number,
  count: number,
): Float64Array {
  const out = new Float64Array(count);
  const size = DTYPE_BYTES[dtype];
  for (let i = 0; i < count; i++) {
    const at = offset + i * size;
    switch (dtype) {
      case 'F64':
        out[i] = view.getFloat64(at, true);
        break;
      case 'F32':
        out[i] = view.getFloat32(at, true);
        break;
      case 'F16':
        out[i] = halfToNumber(view.getUint16(at, true));
        break;
      case 'BF16': {
        // bfloat16 is the top half of a float32.
        const scratch = new DataView(new ArrayBuffer(4));
        scratch.setUint32(0, view.getUint16(at, true) << 16, false);
        out[i] = scratch.getFloat32(0, false);
        break;
      }
      case 'I64':
        out[i] = Number(view.getBigInt64(at, true));
        break;
      case 'I32':
        out[i] = view.getInt32(at, true);
        break;
      case 'I16':
        out[i] = view.getInt16(at, true);
        break;
      case 'I8':
        out[i] = view.getInt8(at);
        break;
      default:
        out[i] = view.getUint8(at);
    }
  }
  return out;
}

export function isTorchDtype(x: unknown): x is TorchDtype {
  return typeof x === 'string' && Object.hasOwn(DTYPE_BYTES, x);
}

export function isShape(x: unknown): x is number[] {
  return Array.isArray(x) && x.every((d) => Number.isSafeInteger(d) && d >= 0);
}

/**
 * Reads a safetensors file. `source` names it in errors (a path, or `safetensors bytes`).
 *
 * @example
 * const { tensors, metadata } = readSafetensors(bytes, 'model.safetensors');
 * tensors.get('linear.weight'); // { dtype: 'F32', shape: [3, 4], data: Float64Array(12) }
 */
export function readSafetensors(bytes: Uint8Array, source = 'safetensors bytes'): SafetensorsContents {
  const fail = (what: string): never => {
    throw new SeqmodelError(`${source}: not a valid safetensors file: ${what}`);
  };
  if (!(bytes instanceof Uint8Array)) fail(`expected bytes (a Uint8Array), received ${typeof bytes}`);
  if (bytes.length < 8) fail(`expected at least 8 bytes (the header length), received ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > bytes.length) {
    fail(`the header length ${headerLength} runs past the end of the ${bytes.length} bytes`);
  }
  let header: unknown;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)),
    );
  } catch (error) {
    fail(`the header is not UTF-8 JSON (${(error as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    fail('the header is not a JSON object');
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, TorchTensor>();
  const spans: { name: string; begin: number; end: number }[] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
        fail('__metadata__ must be an object of strings');
      }
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__.${k} must be a string, received ${JSON.stringify(v)}`);
        metadata[k] = v as string;
      }
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) fail(`tensor ${JSON.stringify(name)} is not an object`);
    if (!isTorchDtype(e.dtype)) {
      fail(
        `tensor ${JSON.stringify(name)} has dtype ${JSON.stringify(e.dtype)}; expected one of ${Object.keys(DTYPE_BYTES).join(', ')}`,
      );
    }
    if (!isShape(e.shape)) {
      fail(`tensor ${JSON.stringify(name)} has shape ${JSON.stringify(e.shape)}; expected an array of sizes`);
    }
    const offsets = e.data_offsets;
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
      offsets[0] > offsets[1] ||
      offsets[1] > dataLength
    ) {
      fail(
        `tensor ${JSON.stringify(name)} has data_offsets ${JSON.stringify(offsets)}; expected [begin, end] with 0 <= begin <= end <= ${dataLength} (the data size)`,
      );
    }
    const [begin, end] = offsets as [number, number];
    const dtype = e.dtype as TorchDtype;
    const shape = e.shape as number[];
    const count = sizeOfShape(shape);
    if (end - begin !== count * DTYPE_BYTES[dtype]) {
      fail(
        `tensor ${JSON.stringify(name)} (${dtype} [${shape.join(', ')}]) needs ${count * DTYPE_BYTES[dtype]} bytes, its data_offsets [${begin}, ${end}] hold ${end - begin}`,
      );
    }
    spans.push({ name, begin, end });
    tensors.set(name, { dtype, shape, data: decodeElements(dtype, view, dataStart + begin, count) });
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const span of spans) {
    if (span.begin < covered) {
      fail(
        `tensor ${JSON.stringify(span.name)} overlaps the data of another tensor (data_offsets [${span.begin}, ${span.end}])`,
      );
    }
    if (span.begin > covered) fail(`bytes ${covered} to ${span.begin} of the data belong to no tensor`);
    covered = span.end;
  }
  if (covered !== dataLength) fail(`bytes ${covered} to ${dataLength} of the data belong to no tensor`);
  return { tensors, metadata };
}

export interface WriteSafetensorsOptions {
  /** Element type of every tensor (default `F32`, what PyTorch models are usually saved in). */
  readonly dtype?: 'F32' | 'F64';
  /** Strings for `__metadata__` (`{ format: 'pt' }` is what `safetensors.torch` writes). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * Writes tensors (name to `{ shape, data }`) as a safetensors file, in the given order, the header padded with spaces
 * to a multiple of 8 bytes as the reference implementation does.
 */
export function writeSafetensors(
  tensors: ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: ArrayLike<number> }>,
  options: WriteSafetensorsOptions = {},
): Uint8Array {
  const dtype = options.dtype ?? 'F32';
  if (dtype !== 'F32' && dtype !== 'F64') {
    throw new SeqmodelError(
      `writeSafetensors options.dtype: expected "F32" or "F64", received ${JSON.stringify(dtype)}`,
    );
  }
  const size = DTYPE_BYTES[dtype];
  const header: Record<string, unknown> = {};
  if (options.metadata !== undefined) header.__metadata__ = { ...options.metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === '__metadata__')
      throw new SeqmodelError('writeSafetensors: "__metadata__" cannot name a tensor');
    const count = sizeOfShape(t.shape);
    if (t.data.length !== count) {
      throw new SeqmodelError(
        `writeSafetensors tensor ${JSON.stringify(name)}: expected ${count} values for shape [${t.shape.join(', ')}], received ${t.data.length}`,
      );
    }
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + count * size] };
    offset += count * size;
  }
  let json = JSON.stringify(header);
  const encoder = new TextEncoder();
  json += ' '.repeat((8 - (encoder.encode(json).length % 8)) % 8);
  const text = encoder.encode(json);
  const out = new Uint8Array(8 + text.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  let at = 8 + text.length;
  for (const t of tensors.values()) {
    for (let i = 0; i < t.data.length; i++, at += size) {
      if (dtype === 'F32') view.setFloat32(at, t.data[i]!, true);
      else view.setFloat64(at, t.data[i]!, true);
    }
  }
  return out;
}
