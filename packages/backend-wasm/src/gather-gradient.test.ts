import { createCpuBackend } from '@seqmodel/backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createWasmBackend } from './wasm-backend.js';

// tfjs-backend-wasm 4.22 has no UnsortedSegmentSum, which tfjs's own gather gradient needs: the binding's gather
// falls back to a host scatter-add there, so that an Embedding trains on wasm. tfjs-backend-cpu has the kernel.
const wasm = await createWasmBackend();
const cpu = createCpuBackend();

describe('gather gradient on wasm', () => {
  it('wasm lacks the kernel tfjs differentiates gather with (the reason for the fallback)', () => {
    expect(tf.getKernel('UnsortedSegmentSum', wasm.tfjsBackendName)).toBeUndefined();
    expect(tf.getKernel('UnsortedSegmentSum', cpu.tfjsBackendName)).toBeDefined();
  });

  it.each([0, 1])('matches hand-computed values and the cpu backend (tfjs own gradient), axis %i', (axis) => {
    // loss = sum(w ⊙ gather(table, ids, axis)) with fixed weights w: d loss / d table scatter-adds w.
    const table = Array.from({ length: 4 }, (_, r) => Array.from({ length: 4 }, (_, c) => r * 4 + c));
    const ids = [
      [3, 0, 3],
      [1, 3, 3],
    ];
    const results = [wasm, cpu].map((b) => {
      const t = b.tensor(table);
      const i = b.tensor(ids, undefined, 'int32');
      const w = b.tensor(
        Float32Array.from({ length: 4 * 6 }, (_, k) => (k % 5) - 2),
        axis === 0 ? [2, 3, 4] : [4, 2, 3],
      );
      const before = b.memory().numTensors;
      const { value, grads } = b.valueAndGrads((p) => b.sum(b.mul(b.gather(p, i, axis), w)), [t]);
      const out = { value: b.dataSync(value)[0]!, grad: b.toArray(grads[0]!) as number[][] };
      b.dispose([value, ...grads]);
      expect(b.memory().numTensors).toBe(before);
      b.dispose([t, i, w]);
      return out;
    });
    // Hand computation of the gradient (float64).
    const expected = table.map((row) => row.map(() => 0));
    const flatIds = ids.flat();
    for (let k = 0; k < 6; k++) {
      for (let j = 0; j < 4; j++) {
        if (axis === 0) expected[flatIds[k]!]![j]! += ((k * 4 + j) % 5) - 2;
        else expected[j]![flatIds[k]!]! += ((j * 6 + k) % 5) - 2;
      }
    }
    expect(results[0]!.grad).toEqual(expected);
    expect(results[1]!.grad).toEqual(expected);
    expect(results[0]!.value).toBe(results[1]!.value);
  });

  it('leaves forward-only gathers to tfjs (no tape, no fallback) and integer tables too', () => {
    const t = wasm.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      undefined,
      'int32',
    );
    const i = wasm.tensor([1, 1, 0], undefined, 'int32');
    const before = wasm.memory().numTensors;
    const y = wasm.gather(t, i, 0);
    expect(wasm.toArray(y)).toEqual([
      [3, 4],
      [3, 4],
      [1, 2],
    ]);
    wasm.dispose([y]);
    expect(wasm.memory().numTensors).toBe(before);
    wasm.dispose([t, i]);
  });
});
