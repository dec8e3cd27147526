/**
 * Memory figures of a benchmark case, each with a precise meaning:
 *
 * - leaked tensors: tfjs's live tensor count after a contender's timed runs minus before them (0 unless it leaks);
 * - tfjs peak bytes: the most that the bytes held by live tfjs tensors grew during one run over what they were
 *   when it started (activations, gradients, temporaries; not the weights and inputs held before), from
 *   `tf.profile` in one extra, untimed run;
 * - process high-water marks: the largest `process.memoryUsage()` rss, V8 heap used and ArrayBuffer bytes seen
 *   after each run of a mode (sampled between runs, so a peak inside a run can be missed; process-wide);
 * - platform figures such as the wasm heap size (WebAssembly memory only grows, so it is a high-water mark of the
 *   whole process so far).
 */
import * as tf from '@tensorflow/tfjs-core';

export interface ProcessMemoryPeak {
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly arrayBuffersBytes: number;
}

/** Keeps the largest `process.memoryUsage()` figures seen by `sample()`. */
export class ProcessMemoryHighWater {
  private rss = 0;
  private heapUsed = 0;
  private arrayBuffers = 0;

  sample(): void {
    // In a browser page (the GPU backends' runs) there is no process: the figures stay 0.
    if (typeof process === 'undefined' || typeof process.memoryUsage !== 'function') return;
    const m = process.memoryUsage();
    this.rss = Math.max(this.rss, m.rss);
    this.heapUsed = Math.max(this.heapUsed, m.heapUsed);
    this.arrayBuffers = Math.max(this.arrayBuffers, m.arrayBuffers);
  }

  peak(): ProcessMemoryPeak {
    return { rssBytes: this.rss, heapUsedBytes: this.heapUsed, arrayBuffersBytes: this.arrayBuffers };
  }
}

/**
 * Runs `run` once under `tf.profile` and returns how far the bytes of live tfjs tensors rose above their level at
 * the start (0 when nothing was allocated).
 */
export async function tfjsPeakBytes(run: () => unknown): Promise<number> {
  const start = tf.engine().state.numBytes;
  const profile = await tf.profile(() => {
    run();
  });
  const peak = profile.kernels.reduce((m, k) => Math.max(m, k.totalBytesSnapshot), start);
  return peak - start;
}

/** Live tfjs tensors in this process. */
export function liveTensors(): number {
  return tf.engine().state.numTensors;
}
