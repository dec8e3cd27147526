/**
 * Native memory is freed with the tensors: a long training loop (fused LSTM forward and backward, a Dense-like
 * product, SGD updates) leaves the counts of live tensors, native buffers and native bytes where they started.
 */
import { lstm, runSequence } from '@seqmodel/core';
import { expect, it } from 'vitest';
import { isAvailable, nativeAddon } from './addon.js';
import { createNativeBackend } from './native-backend.js';

const availability = isAvailable();

it.skipIf(!availability.available)(
  `a long training loop leaves native memory where it started${availability.reason ? ` (skipped: ${availability.reason})` : ''}`,
  async () => {
    const b = await createNativeBackend();
    const [batch, time, inputSize, units] = [4, 6, 3, 8];
    const values = (n: number, scale: number) =>
      Array.from({ length: n }, (_, i) => scale * Math.sin(i * 1.7 + n));
    const x = b.tensor(values(batch * time * inputSize, 1), [batch, time, inputSize]);
    const target = b.tensor(values(batch * 2, 0.5), [batch, 2]);
    let params = [
      b.tensor(values(inputSize * 4 * units, 0.3), [inputSize, 4 * units]),
      b.tensor(values(units * 4 * units, 0.3), [units, 4 * units]),
      b.tensor(values(4 * units, 0.1), [4 * units]),
      b.tensor(values(units * 2, 0.3), [units, 2]),
    ];
    const step = () => {
      const { value, grads } = b.valueAndGrads((kernel, recurrentKernel, bias, dense) => {
        const { output } = runSequence(b, {
          cell: lstm,
          units,
          inputs: x,
          params: { kernel: kernel!, recurrentKernel: recurrentKernel!, bias: bias! },
        });
        const diff = b.sub(b.matMul(output, dense!), target);
        return b.div(b.sum(b.mul(diff, diff)), batch * 2);
      }, params);
      const loss = b.dataSync(value)[0]!;
      const next = b.tidy(() => params.map((p, i) => b.sub(p, b.mul(grads[i]!, 0.1))));
      b.dispose([value, ...grads, ...params]);
      params = next;
      return loss;
    };
    const first = step();
    const tensors = b.memory().numTensors;
    const [buffers, bytes] = nativeAddon().stats();
    let last = first;
    for (let i = 0; i < 300; i++) last = step();
    expect(b.memory().numTensors).toBe(tensors);
    expect(nativeAddon().stats()).toEqual([buffers, bytes]);
    expect(last).toBeLessThan(first);
    b.dispose([x, target, ...params]);
  },
  120_000,
);
