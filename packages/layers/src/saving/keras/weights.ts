/**
 * Keras weights: decoding the manifest's buffer (float32 and int32 little-endian, and the tfjs converter's uint8 /
 * uint16 / float16 quantizations) into float32 values, encoding a model's weights for saving, and matching a file's
 * weights to the layers of a loaded model.
 *
 * Matching is by order, never by name: Keras lists weights layer by layer in model order, each layer's in its own
 * order (kernel, recurrent_kernel, bias; a Bidirectional's forward layer's then its backward layer's; a
 * TimeDistributed's inner layer's), which is seqmodel's order too. Names serve only to tell which layer a miscounted
 * weight belongs to. Every shape is checked against the layer's declared weight before anything is assigned.
 */
import { describeValue, formatShape, SeqmodelError, shapesEqual, sizeOfShape } from '@seqmodel/core';
import type { Layer } from '../../engine/layer.js';
import type { WeightData } from '../../models/model.js';
import { packFloat32 } from '../files.js';
import type { KerasWeightSpec } from './artifacts.js';

/** One weight read from a file. */
export interface DecodedWeight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

const WHAT = 'loadKerasModel';

/** IEEE 754 half precision to a JS number. */
export function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : Number.NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function checkSpec(spec: unknown, index: number): asserts spec is KerasWeightSpec {
  const s = spec as Partial<KerasWeightSpec> | null;
  if (typeof s !== 'object' || s === null || typeof s.name !== 'string') {
    throw new SeqmodelError(
      `${WHAT} weight ${index}: expected a manifest entry { name, shape, dtype }, received ${describeValue(spec)}`,
    );
  }
  if (!Array.isArray(s.shape) || !s.shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new SeqmodelError(
      `${WHAT} weight ${s.name}: expected a shape of non-negative integers, received ${describeValue(s.shape)}`,
    );
  }
}

/** Bytes per entry and a reader for one weight. */
function readerFor(spec: KerasWeightSpec): { bytes: number; read: (view: DataView, at: number) => number } {
  const q = spec.quantization;
  const dtype = spec.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'int32') {
    throw new SeqmodelError(
      `${WHAT} weight ${spec.name}: dtype ${JSON.stringify(dtype)} is not supported (float32 and int32 weights, optionally quantized to uint8, uint16 or float16, are)`,
    );
  }
  const round = dtype === 'int32' ? Math.round : (x: number) => x;
  if (q === undefined || q === null) {
    return dtype === 'int32'
      ? { bytes: 4, read: (v, at) => v.getInt32(at, true) }
      : { bytes: 4, read: (v, at) => v.getFloat32(at, true) };
  }
  if (q.dtype === 'float16') {
    return { bytes: 2, read: (v, at) => round(float16ToNumber(v.getUint16(at, true))) };
  }
  if (q.dtype === 'uint8' || q.dtype === 'uint16') {
    const { scale, min } = q;
    if (typeof scale !== 'number' || typeof min !== 'number') {
      throw new SeqmodelError(
        `${WHAT} weight ${spec.name}: ${q.dtype} quantization needs a numeric scale and min, received scale ${describeValue(scale)} and min ${describeValue(min)}`,
      );
    }
    return q.dtype === 'uint8'
      ? { bytes: 1, read: (v, at) => round(v.getUint8(at) * scale + min) }
      : { bytes: 2, read: (v, at) => round(v.getUint16(at, true) * scale + min) };
  }
  throw new SeqmodelError(
    `${WHAT} weight ${spec.name}: quantization dtype ${describeValue((q as { dtype?: unknown }).dtype)} is not supported (uint8, uint16 and float16 are)`,
  );
}

/**
 * The weights listed in `specs`, read from `data` in order, split into the model's and the optimizer's (the
 * `optimizer` group that tfjs-layers' `includeOptimizer` appends). The buffer must hold exactly what the specs describe.
 */
export function decodeKerasWeightGroups(
  specs: readonly KerasWeightSpec[],
  data: ArrayBuffer,
): { model: DecodedWeight[]; optimizer: DecodedWeight[] } {
  const view = new DataView(data);
  const model: DecodedWeight[] = [];
  const optimizer: DecodedWeight[] = [];
  let offset = 0;
  specs.forEach((spec, index) => {
    checkSpec(spec, index);
    const { bytes, read } = readerFor(spec);
    const size = sizeOfShape(spec.shape);
    const end = offset + size * bytes;
    if (end > data.byteLength) {
      throw new SeqmodelError(
        `${WHAT} weight ${spec.name}: shape ${formatShape(spec.shape)} needs ${size * bytes} bytes at offset ${offset}, but the weight files hold only ${data.byteLength} bytes in all (truncated or mismatched weight files?)`,
      );
    }
    const values = new Float32Array(size);
    for (let k = 0; k < size; k++) values[k] = read(view, offset + k * bytes);
    (spec.group === 'optimizer' ? optimizer : model).push({
      name: spec.name,
      shape: [...spec.shape],
      values,
    });
    offset = end;
  });
  if (offset !== data.byteLength) {
    throw new SeqmodelError(
      `${WHAT}: the weight files hold ${data.byteLength} bytes, but the manifest's ${specs.length} weights take ${offset} (mismatched weight files?)`,
    );
  }
  return { model, optimizer };
}

/** The model's weights listed in `specs` (see `decodeKerasWeightGroups`; optimizer weights are left out). */
export function decodeKerasWeights(specs: readonly KerasWeightSpec[], data: ArrayBuffer): DecodedWeight[] {
  return decodeKerasWeightGroups(specs, data).model;
}

/** Weights as float32 little-endian, back to back, with their manifest entries. */
export function encodeKerasWeights(
  weights: readonly { readonly name: string; readonly data: WeightData }[],
): { specs: KerasWeightSpec[]; data: ArrayBuffer } {
  const { buffer } = packFloat32(weights.map((w) => w.data.values));
  const specs = weights.map(({ name, data }) => ({ name, shape: [...data.shape], dtype: 'float32' }));
  return { specs, data: buffer };
}

/** A Keras layer of the loaded model with the seqmodel layer made from it. */
export interface LayerWithKerasName {
  /** The layer's name in the Keras file. */
  readonly kerasName: string;
  readonly kerasClass: string;
  readonly layer: Layer;
}

function describeKeras(entry: LayerWithKerasName): string {
  return `layer ${entry.kerasName} (${entry.kerasClass})`;
}

/** The Keras layer a weight name points to: its first path segment (`lstm/lstm_cell/kernel` → `lstm`). */
function ownerByName(name: string, layerNames: ReadonlySet<string>): string | undefined {
  const first = name.split('/')[0]!;
  return layerNames.has(first) ? first : undefined;
}

/**
 * Pairs the file's weights with the model's, layer by layer in the file's layer order, and checks every count and
 * shape. Returns the values by the model's full weight names (a functional model may order its layers differently from
 * the file); throws naming the layer (and the weight, with both shapes) on a mismatch.
 */
export function matchKerasWeights(
  layers: readonly LayerWithKerasName[],
  decoded: readonly DecodedWeight[],
): Map<string, Float32Array> {
  const expected = layers.map((entry) => entry.layer.weights);
  const total = expected.reduce((n, ws) => n + ws.length, 0);
  // When every weight name starts with a layer name (as Keras, tfjs-layers and the tfjs converter write them),
  // count per layer, so that a missing or extra weight is reported at its layer.
  const names = new Set(layers.map((l) => l.kerasName));
  const owners = decoded.map((w) => ownerByName(w.name, names));
  if (owners.every((o) => o !== undefined)) {
    for (const [i, entry] of layers.entries()) {
      const mine = decoded.filter((_, k) => owners[k] === entry.kerasName);
      const want = expected[i]!;
      if (mine.length !== want.length) {
        throw new SeqmodelError(
          `${WHAT} ${describeKeras(entry)}: expected ${want.length} weight${want.length === 1 ? '' : 's'} (${want.map((w) => w.shortName).join(', ') || 'none'}), the file has ${mine.length}${mine.length > 0 ? ` (${mine.map((w) => w.name).join(', ')})` : ''}`,
        );
      }
    }
  }
  if (decoded.length !== total) {
    const perLayer = layers
      .filter((_, i) => expected[i]!.length > 0)
      .map((entry) => `${entry.kerasName}: ${entry.layer.weights.length}`)
      .join(', ');
    throw new SeqmodelError(
      `${WHAT}: the file has ${decoded.length} weights, the model expects ${total} (${perLayer})`,
    );
  }
  const out = new Map<string, Float32Array>();
  let k = 0;
  layers.forEach((entry, i) => {
    for (const w of expected[i]!) {
      const got = decoded[k++]!;
      if (!shapesEqual(got.shape, w.shape)) {
        throw new SeqmodelError(
          `${WHAT} ${describeKeras(entry)} weight ${w.name.slice(entry.layer.path.length + 1)}: received shape ${formatShape(got.shape)} (${got.name} in the file), expected ${formatShape(w.shape)}`,
        );
      }
      out.set(w.name, got.values);
    }
  });
  return out;
}
