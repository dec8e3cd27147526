/**
 * The GPU kernels' memory during inference: with only the last step's output asked for, a step's launches are freed
 * once no later step reads them, so the tensors alive at once do not grow with the sequence's length. Training and
 * returnSequences read every step's values and keep them (the comparison shows the count is measured). The step
 * programs run in Node, interpreted on tfjs-cpu; the browser suites run the same kernels on WebGL and WebGPU (checking
 * their numbers and training memory, not this count).
 */
import '@tensorflow/tfjs-backend-cpu';
import { type AnyCellPlugin, lstm, resolveCellOptions, runSequence } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initTfjsBackend } from '../backend-switching.js';
import { anyCell } from '../fused/compiled-sequence-kernels.js';
import { InterpretingLauncher, interpretedFixture } from '../testing/interpreting-launcher.js';
import { minimalGatedUnit } from '../testing/plugin-cell.js';
import { createTfjsBackend, type TfjsBackend } from '../tfjs-backend.js';
import { gpuCompiledSequenceKernel } from './compiled/gpu-compiled-kernel.js';
import { gpuLstm } from './gpu-cells.js';
import { gpuSequenceKernel } from './gpu-sequence-kernel.js';
import type { StepProgram } from './shader-lang.js';

await initTfjsBackend('cpu');

/** Interprets the programs and records the most tensors alive right after any launch. */
class PeakLauncher extends InterpretingLauncher {
  peak = 0;
  override run(program: StepProgram, inputs: readonly tf.Tensor[], uniforms: readonly number[]): tf.Tensor {
    const out = super.run(program, inputs, uniforms);
    this.peak = Math.max(this.peak, tf.memory().numTensors);
    return out;
  }
}

type KernelOf = (backend: TfjsBackend, launcher: PeakLauncher) => ReturnType<typeof gpuSequenceKernel>;

const kernels: { name: string; cell: AnyCellPlugin; kernel: KernelOf }[] = [
  { name: 'hand-written LSTM', cell: lstm, kernel: (b, l) => gpuSequenceKernel(b, gpuLstm, l) },
  { name: 'compiled LSTM', cell: lstm, kernel: (b, l) => gpuCompiledSequenceKernel(b, l) },
  {
    name: 'compiled MGU (a plugin)',
    cell: minimalGatedUnit,
    kernel: (b, l) => gpuCompiledSequenceKernel(b, l),
  },
];

interface RunOptions {
  readonly returnSequences?: boolean;
  readonly training?: boolean;
  readonly mask?: boolean;
}

/** Most tensors alive during one call over `time` steps, above those alive before it; checks nothing leaks. */
function peakTensors(entry: (typeof kernels)[number], time: number, options: RunOptions): number {
  const launcher = new PeakLauncher(7);
  const b = createTfjsBackend({
    name: 'peak-gpu',
    tfjsBackendName: 'cpu',
    registeredKernels: false,
    kernels: [
      {
        kind: 'sequence',
        name: entry.cell === lstm ? 'lstm' : anyCell,
        kernel: (x) => entry.kernel(x, launcher),
      },
    ],
  });
  b.activate();
  const units = 4;
  const { names, params, inputs, mask } = interpretedFixture(b, entry.cell, time);
  const run = (ps: tf.Tensor[]) =>
    runSequence(b, {
      cell: entry.cell,
      options: resolveCellOptions(entry.cell, {}),
      units,
      inputs,
      returnSequences: options.returnSequences ?? false,
      params: Object.fromEntries(names.map((n, i) => [n, ps[i]!])),
      ...(options.mask ? { mask } : {}),
    });
  const before = tf.memory().numTensors;
  launcher.peak = before;
  if (options.training) {
    const { value, grads } = b.valueAndGrads((...ps) => b.sum(run(ps).output), params);
    b.dispose([value, ...grads]);
  } else {
    const { output, state } = run(params);
    b.dispose([output, ...state]);
  }
  expect(launcher.launches).toBeGreaterThanOrEqual(time);
  expect(tf.memory().numTensors).toBe(before);
  b.dispose([...params, inputs, mask]);
  return launcher.peak - before;
}

describe('GPU kernels in inference hold a fixed number of tensors, whatever the length', () => {
  for (const entry of kernels) {
    it(`${entry.name}: the last step only (with and without a mask); every step's kept otherwise`, () => {
      for (const mask of [false, true]) {
        expect(peakTensors(entry, 12, { mask })).toBe(peakTensors(entry, 3, { mask }));
      }
      // Where every step's values are read, the count grows with the length: the measure sees them.
      expect(peakTensors(entry, 12, { returnSequences: true })).toBeGreaterThan(
        peakTensors(entry, 3, { returnSequences: true }),
      );
      expect(peakTensors(entry, 12, { training: true })).toBeGreaterThan(
        peakTensors(entry, 3, { training: true }),
      );
    });
  }
});
