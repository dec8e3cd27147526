/**
 * The step programs of the built-in GPU sequence kernels (`gpu/`), as they are launched: a GPU backend's own tests
 * render them in its shading language and check what its launcher relies on, without a browser.
 */
import { initParams, resolveCellOptions } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { builtInGpuCells } from '../gpu/gpu-cells.js';
import { gpuSequenceKernel, type StepLauncher } from '../gpu/gpu-sequence-kernel.js';
import { checkLaunch, type ShaderLang, type StepProgram } from '../gpu/shader-lang.js';
import type { TfjsBackend } from '../tfjs-backend.js';

const flags = [false, true];

/**
 * Every distinct step program the built-in GPU kernels launch, forward and backward, for each cell (GRU in both
 * variants) with and without a mask, recurrent dropout and `returnSequences`. They are recorded by running the
 * kernels on `backend` (a host backend such as backend-cpu) with a launcher that checks every launch against the
 * program's declared inputs and uniforms and returns zeros: the values are meaningless, the programs are the real ones.
 */
export function recordStepPrograms(backend: TfjsBackend, maxInputs: number): StepProgram[] {
  const programs = new Set<StepProgram>();
  const launcher: StepLauncher = {
    lang: { name: 'recording' } as ShaderLang,
    maxInputs,
    run(program, inputs, uniforms) {
      checkLaunch(program, inputs, uniforms);
      programs.add(program);
      return tf.zeros([program.outputRows, program.outputCols]);
    },
    prepare: (t) => t,
  };
  const [batch, time, inputSize, units] = [2, 5, 3, 4];
  backend.activate();
  for (const gpuCell of builtInGpuCells) {
    const cell = gpuCell.cell;
    const variants = cell.name === 'gru' ? [{ resetAfter: false }, { resetAfter: true }] : [{}];
    for (const variant of variants) {
      const options = resolveCellOptions(cell, variant);
      const host = initParams(cell, { inputSize, units, ...variant }, 1);
      const names = Object.keys(host);
      const params = names.map((n) => backend.tensor(host[n]!.values, host[n]!.shape));
      const inputs = backend.tensor(new Float32Array(batch * time * inputSize).fill(0.5), [
        batch,
        time,
        inputSize,
      ]);
      const mask = backend.tensor(
        Float32Array.from({ length: batch * time }, (_, i) => (i === 3 ? 0 : 1)),
        [batch, time],
      );
      const recurrentMask = backend.tensor(new Float32Array(batch * units).fill(1.25), [batch, units]);
      const kernel = gpuSequenceKernel(backend, gpuCell, launcher);
      for (const masked of flags)
        for (const dropout of flags)
          for (const returnSequences of flags) {
            const { value, grads } = backend.valueAndGrads((...ps) => {
              const { output } = kernel.run({
                cell,
                options,
                units,
                inputs,
                params: Object.fromEntries(names.map((n, i) => [n, ps[i]!])),
                returnSequences,
                ...(masked ? { mask } : {}),
                ...(dropout ? { recurrentMask } : {}),
              });
              return backend.sum(output);
            }, params);
            backend.dispose([value, ...grads]);
          }
      backend.dispose([...params, inputs, mask, recurrentMask]);
    }
  }
  return [...programs];
}
