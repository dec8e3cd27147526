/**
 * tfjs-backend-cpu's "install our node backend" notice is not printed through seqmodel (it advises a package that
 * cannot replace seqmodel's backend), and nothing else is hidden: tfjs's warnings still reach the console.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, expect, it, vi } from 'vitest';
import { createCpuBackend } from './cpu-backend.js';

afterEach(() => {
  vi.restoreAllMocks();
});

it('prints nothing on the first tensor, a training step included, and leaves other warnings on', () => {
  const warn = vi.spyOn(console, 'warn');
  const log = vi.spyOn(console, 'log');
  const error = vi.spyOn(console, 'error');
  // A fresh process (vitest runs each file in its own), so this is tfjs-backend-cpu's first use.
  expect(tf.engine().state.numTensors).toBe(0);
  const backend = createCpuBackend();
  const x = backend.tensor([[1, 2]]);
  const w = backend.tensor([[3], [4]]);
  const { value, grads } = backend.valueAndGrads((a, b) => backend.sum(backend.matMul(a!, b!)), [x, w]);
  expect(backend.dataSync(value)[0]).toBe(11);
  backend.dispose([x, w, value, ...grads]);
  for (const spy of [warn, log, error]) {
    expect(spy.mock.calls.map((args) => args.join(' ')).join('\n')).not.toMatch(/node backend|tfjs-node/);
    expect(spy).not.toHaveBeenCalled();
  }
  // Not by turning tfjs's warnings off: they are still printed.
  expect(tf.env().getBool('IS_TEST')).toBe(false);
  expect(tf.env().getBool('PROD')).toBe(false);
  tf.backend_util.warn('another tfjs warning');
  expect(warn).toHaveBeenCalledWith('another tfjs warning');
});
