import { createRng } from '@seqmodel/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, useTfjsCpu } from '../../test-helpers.js';
import type { KerasWeightSpec } from './artifacts.js';
import { decodeKerasWeights, encodeKerasWeights, float16ToNumber } from './weights.js';

beforeAll(useTfjsCpu);

function randomBytes(length: number, seed: string): ArrayBuffer {
  const rng = createRng(seed);
  return Uint8Array.from({ length }, () => Math.floor(rng.uniform(0, 256))).buffer;
}

describe('decodeKerasWeights', () => {
  it('reads float32, int32 and the uint8 / uint16 / float16 quantizations as tfjs-core does', () => {
    const specs: KerasWeightSpec[] = [
      { name: 'a/kernel', shape: [2, 3], dtype: 'float32' },
      {
        name: 'a/bias',
        shape: [3],
        dtype: 'float32',
        quantization: { dtype: 'uint8', scale: 0.01, min: -1.2 },
      },
      {
        name: 'b/kernel',
        shape: [4],
        dtype: 'float32',
        quantization: { dtype: 'uint16', scale: 0.001, min: -3 },
      },
      { name: 'b/bias', shape: [5], dtype: 'float32', quantization: { dtype: 'float16' } },
      { name: 'c/ids', shape: [2], dtype: 'int32' },
      { name: 'c/q', shape: [3], dtype: 'int32', quantization: { dtype: 'uint8', scale: 2, min: -5 } },
    ];
    const floats = new Float32Array([0.5, -1.25, 3, 1e-3, -7, 0.1]);
    const bytes = new Uint8Array(6 * 4 + 3 + 4 * 2 + 5 * 2 + 2 * 4 + 3);
    bytes.set(new Uint8Array(floats.buffer), 0);
    bytes.set(new Uint8Array(randomBytes(3 + 8, 'q')), 24);
    // Half floats: 1, -2, 0.5, a subnormal, and 65504 (the largest).
    const half = [0x3c00, 0xc000, 0x3800, 0x0001, 0x7bff];
    const view = new DataView(bytes.buffer);
    half.forEach((h, i) => {
      view.setUint16(35 + 2 * i, h, true);
    });
    view.setInt32(45, -7, true);
    view.setInt32(49, 123456, true);
    bytes.set([0, 3, 255], 53);
    const ours = decodeKerasWeights(specs, bytes.buffer);
    const theirs = tf.io.decodeWeights(bytes.buffer, specs as tf.io.WeightsManifestEntry[]);
    expect(ours.map((w) => w.name)).toEqual(specs.map((s) => s.name));
    for (const w of ours) {
      const expected = theirs[w.name]!;
      expect(w.shape).toEqual(expected.shape);
      expect(Array.from(w.values)).toEqual(Array.from(expected.dataSync()));
    }
    tf.dispose(Object.values(theirs));
    expect(Array.from(ours[3]!.values)).toEqual([1, -2, 0.5, 2 ** -24, 65504]);
    expect(float16ToNumber(0x7c00)).toBe(Infinity);
    expect(float16ToNumber(0x7e00)).toBeNaN();
  });

  it('skips optimizer weights and checks that the buffer holds exactly the weights', () => {
    const specs: KerasWeightSpec[] = [
      { name: 'dense/kernel', shape: [2], dtype: 'float32' },
      { name: 'Adam/iter', shape: [], dtype: 'int32', group: 'optimizer' },
    ];
    const data = new Uint8Array(12);
    new DataView(data.buffer).setFloat32(4, 2.5, true);
    expect(decodeKerasWeights(specs, data.buffer)).toEqual([
      { name: 'dense/kernel', shape: [2], values: new Float32Array([0, 2.5]) },
    ]);
    expect(() => decodeKerasWeights(specs, data.buffer.slice(0, 10))).toThrow(
      'loadKerasModel weight Adam/iter: shape [] needs 4 bytes at offset 8, but the weight files hold only 10 bytes in all (truncated or mismatched weight files?)',
    );
    expect(() => decodeKerasWeights(specs, new ArrayBuffer(16))).toThrow(
      "loadKerasModel: the weight files hold 16 bytes, but the manifest's 2 weights take 12 (mismatched weight files?)",
    );
  });

  it('names the weight with a dtype or quantization it cannot read', () => {
    expect(() =>
      decodeKerasWeights([{ name: 'x/flags', shape: [2], dtype: 'bool' }], new ArrayBuffer(2)),
    ).toThrow(
      'loadKerasModel weight x/flags: dtype "bool" is not supported (float32 and int32 weights, optionally quantized to uint8, uint16 or float16, are)',
    );
    expect(() =>
      decodeKerasWeights(
        [{ name: 'x/k', shape: [1], dtype: 'float32', quantization: { dtype: 'uint8' } }],
        new ArrayBuffer(1),
      ),
    ).toThrow(
      'loadKerasModel weight x/k: uint8 quantization needs a numeric scale and min, received scale undefined and min undefined',
    );
    expect(() =>
      decodeKerasWeights(
        [{ name: 'x/k', shape: [1], dtype: 'float32', quantization: { dtype: 'int4' as never } }],
        new ArrayBuffer(1),
      ),
    ).toThrow(
      'loadKerasModel weight x/k: quantization dtype "int4" is not supported (uint8, uint16 and float16 are)',
    );
    expect(() =>
      decodeKerasWeights([{ name: 'x/k', shape: [-1], dtype: 'float32' }], new ArrayBuffer(0)),
    ).toThrow('loadKerasModel weight x/k: expected a shape of non-negative integers, received [-1]');
  });
});

describe('encodeKerasWeights', () => {
  it('writes float32 little-endian back to back with manifest entries', () => {
    const { specs, data } = encodeKerasWeights([
      {
        name: 'd/kernel',
        data: { name: 'dense/kernel', shape: [1, 2], trainable: true, values: new Float32Array([1, -2]) },
      },
      {
        name: 'd/bias',
        data: { name: 'dense/bias', shape: [1], trainable: true, values: new Float32Array([0.5]) },
      },
    ]);
    expect(specs).toEqual([
      { name: 'd/kernel', shape: [1, 2], dtype: 'float32' },
      { name: 'd/bias', shape: [1], dtype: 'float32' },
    ]);
    expect(Array.from(new Float32Array(data))).toEqual([1, -2, 0.5]);
    expect(decodeKerasWeights(specs, data).map((w) => Array.from(w.values))).toEqual([[1, -2], [0.5]]);
  });
});
