/**
 * `interpretedGpuBackend` before and after tfjs's cpu backend is initialized. A file of its own: the first case needs
 * a process where nothing has imported tfjs-backend-cpu yet (this package's test files each run in a process of
 * their own).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initTfjsBackend } from '../backend-switching.js';
import { interpretedGpuBackend } from './interpreting-launcher.js';

describe('interpretedGpuBackend', () => {
  it("says what to do when tfjs's cpu backend is not initialized, then makes the backend once it is", async () => {
    expect(tf.engine().findBackendFactory('cpu')).toBeNull();
    expect(() => interpretedGpuBackend()).toThrow(
      "interpretedGpuBackend(): runs on tfjs's cpu backend, which is not initialized in this process: create " +
        "seqmodel's cpu backend first (`createCpuBackend()` from @seqmodel/backend-cpu), or import " +
        "@tensorflow/tfjs-backend-cpu and `await initTfjsBackend('cpu')` (@seqmodel/backend-tfjs)",
    );
    await import('@tensorflow/tfjs-backend-cpu');
    await initTfjsBackend('cpu');
    const backend = interpretedGpuBackend();
    expect(backend.name).toBe('interpreted-gpu-7');
  });
});
