import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import { initTfjsBackend, tfjsBackendNameOf } from './backend-switching.js';
import { createTfjsBackend } from './tfjs-backend.js';

// A second tfjs backend in the same process: tfjs's CPU backend registered again as "cpu-twin", with copies of the
// CPU kernels. It behaves like a real second backend (own instance, own tensor storage) without needing wasm.
tf.registerBackend('cpu-twin', () => new MathBackendCPU(), 0);
for (const kernel of tf.getKernelsForBackend('cpu'))
  tf.registerKernel({ ...kernel, backendName: 'cpu-twin' });
await initTfjsBackend('cpu');
await initTfjsBackend('cpu-twin');

const first = createTfjsBackend({ name: 'first', tfjsBackendName: 'cpu' });
const second = createTfjsBackend({ name: 'second', tfjsBackendName: 'cpu-twin' });

describe('switching between seqmodel backends', () => {
  it('initTfjsBackend leaves the current tfjs backend current', async () => {
    first.activate();
    tf.registerBackend('cpu-third', () => new MathBackendCPU(), 0);
    await initTfjsBackend('cpu-third');
    expect(tf.getBackend()).toBe('cpu');
    tf.removeBackend('cpu-third');
  });

  it('runs every call on its own tfjs backend, whatever is current', () => {
    const a = first.tensor([1, 2, 3]);
    expect(tf.getBackend()).toBe('cpu');
    const b = second.tensor([10, 20, 30]);
    expect(tf.getBackend()).toBe('cpu-twin');
    const a2 = first.mul(a, 2);
    expect(tf.getBackend()).toBe('cpu');
    void tf.setBackend('cpu');
    const b2 = second.add(b, 1);
    expect(tf.getBackend()).toBe('cpu-twin');
    expect([a, a2].map(tfjsBackendNameOf)).toEqual(['cpu', 'cpu']);
    expect([b, b2].map(tfjsBackendNameOf)).toEqual(['cpu-twin', 'cpu-twin']);
    expect(Array.from(first.dataSync(a2))).toEqual([2, 4, 6]);
    expect(Array.from(second.dataSync(b2))).toEqual([11, 21, 31]);
    tf.dispose([a, a2, b, b2]);
  });

  it('refuses a tensor of the other backend instead of moving it', () => {
    const a = first.tensor([1, 2]);
    const b = second.tensor([3, 4]);
    const before = first.memory().numTensors;
    expect(() => second.add(b, a)).toThrow(
      'add(b): expected a tensor of seqmodel backend second (tfjs backend "cpu-twin"), received one on tfjs backend "cpu"',
    );
    expect(first.memory().numTensors).toBe(before);
    expect(tfjsBackendNameOf(a)).toBe('cpu');
    expect(first.isTensor(a)).toBe(true);
    expect(second.isTensor(a)).toBe(false);
    tf.dispose([a, b]);
  });

  it('computes gradients on the backend that valueAndGrads belongs to', () => {
    const x = second.tensor([0.5, -1]);
    const { value, grads } = second.valueAndGrads(
      (t) => {
        // The user's f switches tfjs to the other backend: the backward pass must still run on "cpu-twin".
        first.tensor([0]).dispose();
        return second.sum(second.tanh(t!));
      },
      [x],
    );
    expect(tfjsBackendNameOf(grads[0]!)).toBe('cpu-twin');
    expect(Array.from(second.dataSync(grads[0]!))).toEqual(
      [0.5, -1].map((v) => Math.fround(1 - Math.tanh(v) ** 2)).map((v) => expect.closeTo(v, 6)),
    );
    tf.dispose([x, value, ...grads]);
  });

  it('switches only when another tfjs backend is current', () => {
    const setBackend = vi.spyOn(tf.engine(), 'setBackend');
    try {
      first.activate();
      setBackend.mockClear();
      const x = first.tensor([1, 2]);
      first.dispose(first.mul(first.add(x, 1), x));
      expect(setBackend).not.toHaveBeenCalled();
      const y = second.tensor([3]);
      first.dispose(first.neg(x));
      expect(setBackend.mock.calls).toEqual([['cpu-twin'], ['cpu']]);
      tf.dispose([x, y]);
    } finally {
      setBackend.mockRestore();
    }
  });

  it('reports a removed tfjs backend instead of running on a new instance', async () => {
    tf.registerBackend('cpu-gone', () => new MathBackendCPU(), 0);
    for (const kernel of tf.getKernelsForBackend('cpu'))
      tf.registerKernel({ ...kernel, backendName: 'cpu-gone' });
    await initTfjsBackend('cpu-gone');
    const gone = createTfjsBackend({ name: 'gone', tfjsBackendName: 'cpu-gone' });
    first.activate();
    tf.removeBackend('cpu-gone');
    expect(() => gone.fill([2], 0)).toThrow('tfjs backend "cpu-gone" was removed or replaced');
  });

  it('explains a tfjs backend that is missing or not initialized', () => {
    expect(() => createTfjsBackend({ name: 'x', tfjsBackendName: 'nope' })).toThrow(
      'createTfjsBackend(options.tfjsBackendName): expected an initialized tfjs backend, received "nope", which is not registered',
    );
    tf.registerBackend('lazy', async () => new MathBackendCPU(), 0);
    expect(() => createTfjsBackend({ name: 'x', tfjsBackendName: 'lazy' })).toThrow(
      'which is registered but not initialized (await initTfjsBackend(name) first)',
    );
    tf.removeBackend('lazy');
    return expect(initTfjsBackend('nope')).rejects.toThrow(
      'tfjs backend "nope": expected a registered tfjs backend',
    );
  });
});
