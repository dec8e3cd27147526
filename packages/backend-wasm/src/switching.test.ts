import { createCpuBackend } from '@seqmodel/backend-cpu';
import { tfjsBackendNameOf } from '@seqmodel/backend-tfjs';
import { initParams, lstm, resolveCellOptions, runSequence } from '@seqmodel/core';
import { assertClose } from '@seqmodel/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createWasmBackend } from './wasm-backend.js';

// cpu and wasm in one process, used in turns: each call must run on its own tfjs backend.
const cpu = createCpuBackend();
const wasm = await createWasmBackend();
const backends = [cpu, wasm] as const;

describe('cpu and wasm in one process', () => {
  it('interleaved calls each run on their own tfjs backend', () => {
    const made = backends.map((b) =>
      b.tensor([
        [1, 2],
        [3, 4],
      ]),
    );
    for (let round = 0; round < 3; round++) {
      backends.forEach((b, i) => {
        const y = b.matMul(made[i]!, made[i]!);
        expect(tf.getBackend()).toBe(b.tfjsBackendName);
        expect(tfjsBackendNameOf(y)).toBe(b.tfjsBackendName);
        expect(b.toArray(y)).toEqual([
          [7, 10],
          [15, 22],
        ]);
        b.dispose(y);
      });
    }
    expect(made.map(tfjsBackendNameOf)).toEqual(['cpu', 'wasm']);
    tf.dispose(made);
  });

  it('refuses a tensor of the other backend and leaves it where it is', () => {
    const onCpu = cpu.tensor([1, 2]);
    const onWasm = wasm.tensor([3, 4]);
    const before = cpu.memory().numTensors;
    expect(() => wasm.add(onWasm, onCpu)).toThrow(
      'add(b): expected a tensor of seqmodel backend wasm (tfjs backend "wasm"), received one on tfjs backend "cpu"',
    );
    expect(() => cpu.matMul(cpu.reshape(onCpu, [1, 2]), wasm.reshape(onWasm, [2, 1]))).toThrow(
      'matMul(b): expected a tensor of seqmodel backend cpu',
    );
    expect(cpu.memory().numTensors).toBe(before + 2);
    expect([onCpu, onWasm].map(tfjsBackendNameOf)).toEqual(['cpu', 'wasm']);
    tf.dispose([onCpu, onWasm]);
  });

  it('user code switching tfjs between calls does not move seqmodel work', () => {
    const x = wasm.tensor([1, 2, 3]);
    void tf.setBackend('cpu');
    const y = wasm.exp(x);
    expect(tfjsBackendNameOf(y)).toBe('wasm');
    const raw = wasm.run(() => tf.square(x));
    expect(tfjsBackendNameOf(raw)).toBe('wasm');
    tf.dispose([x, y, raw]);
  });

  it('LSTM forward and gradients agree between the two, computed in turns', () => {
    const config = { inputSize: 3, units: 5 };
    const host = initParams(lstm, config, 21);
    const inputs = Float32Array.from({ length: 2 * 6 * 3 }, (_, i) => Math.sin(i));
    const results = backends.map(() => [] as (Float32Array | Int32Array)[]);
    for (let round = 0; round < 2; round++) {
      backends.forEach((b, k) => {
        const names = Object.keys(host);
        const params = names.map((n) => b.tensor(host[n]!.values, host[n]!.shape));
        const x = b.tensor(inputs, [2, 6, 3]);
        const before = b.memory().numTensors;
        const { value, grads } = b.valueAndGrads((...ps) => {
          const p = Object.fromEntries(names.map((n, i) => [n, ps[i]!]));
          const r = runSequence(b, {
            cell: lstm,
            options: resolveCellOptions(lstm, {}),
            units: 5,
            inputs: x,
            params: p,
            returnSequences: true,
          });
          return b.sum(b.mul(r.output, r.output));
        }, params);
        expect(tf.getBackend()).toBe(b.tfjsBackendName);
        results[k]!.push(b.dataSync(value), ...grads.map((g) => b.dataSync(g)));
        b.dispose([value, ...grads]);
        expect(b.memory().numTensors).toBe(before);
        b.dispose([x, ...params]);
      });
    }
    const [onCpu, onWasm] = results;
    onCpu!.forEach((values, i) => {
      // Same float32 arithmetic in another order (XNNPACK's matMul): agreement to float32 rounding.
      assertClose(`result ${i}`, onWasm![i]!, values, { atol: 1e-5, rtol: 1e-4 });
    });
  });

  it('a second wasm backend shares the module; other initialization options are refused', async () => {
    const again = await createWasmBackend({ checkNumerics: true });
    expect(again.checkNumerics).toBe(true);
    const x = again.tensor([1]);
    expect(wasm.isTensor(x)).toBe(true);
    x.dispose();
    await expect(createWasmBackend({ simd: false })).rejects.toThrow(
      'createWasmBackend(options): the wasm module is already initialized with',
    );
  });
});
