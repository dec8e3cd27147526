/**
 * The step programs of the built-in GPU sequence kernels (`gpu/`), as they are launched: a GPU backend's own tests
 * render them in its shading language and check what its launcher relies on, without a browser.
 */
import { findKernel, initParams, resolveCellDims, resolveCellOptions, runSequence } from '@seqmodel/core';
import { recordingLauncher } from '../gpu/compiled/record-programs.js';
import { builtInGpuCells } from '../gpu/gpu-cells.js';
import { gpuSequenceKernel } from '../gpu/gpu-sequence-kernel.js';
import type { ShaderLang, StepProgram } from '../gpu/shader-lang.js';
import type { TfjsBackend } from '../tfjs-backend.js';
import { gpuCompilerCornerCells } from './corner-cells.js';
import { gpuCompiledBuiltInCells } from './fused-kernel-checks.js';
import { InterpretingLauncher, interpretedGpuBackend } from './interpreting-launcher.js';
import { leakyRnn } from './leaky-rnn.js';
import { minimalGatedUnit } from './plugin-cell.js';

const flags = [false, true];

/**
 * Every distinct step program the built-in GPU kernels launch, forward and backward, for each cell (GRU in both
 * variants) with and without a mask, recurrent dropout and `returnSequences`. They are recorded by running the
 * kernels on `backend` (a host backend such as backend-cpu) with a launcher that checks every launch against the
 * program's declared inputs and uniforms and returns zeros: the values are meaningless, the programs are the real ones.
 */
export function recordStepPrograms(backend: TfjsBackend, maxInputs: number): StepProgram[] {
  const programs = new Set<StepProgram>();
  const launcher = recordingLauncher({ name: 'recording' } as ShaderLang, maxInputs, programs);
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

/**
 * Every distinct program the compiled GPU kernel (`gpuCompiledSequenceKernel`, filed under `*`) launches for two
 * plugin cells (a minimal gated unit, a leaky RNN), compiled simpleRNN, LSTM and GRU (`gpuCompiledBuiltInCells`)
 * and the compiler's corner cells (`gpuCompilerCornerCells`), each at its own sizes, forward and backward, with and
 * without a mask, recurrent dropout, `goBackwards` and `returnSequences` (initial states with every
 * `returnSequences` case): the programs are interpreted on tfjs-cpu (`InterpretingLauncher`) with the launcher's
 * limit of `maxInputs` inputs.
 * Call after tfjs-cpu is registered (`createCpuBackend()`).
 */
export function recordCompiledPrograms(maxInputs: number): StepProgram[] {
  const launcher = new InterpretingLauncher(maxInputs);
  const backend = interpretedGpuBackend(launcher);
  const [batch, time] = [2, 4];
  backend.activate();
  const cells = [
    { cell: minimalGatedUnit, configs: [{ inputSize: 3, units: 4 }] },
    { cell: leakyRnn, configs: [{ inputSize: 3, units: 4 }] },
    ...gpuCompiledBuiltInCells,
    ...gpuCompilerCornerCells,
  ];
  const runs = cells.flatMap(({ cell, configs }) =>
    configs.map(({ inputSize, units, options }) => ({ cell, inputSize, units, variant: options ?? {} })),
  );
  for (const { cell, inputSize, units, variant } of runs) {
    const options = resolveCellOptions(cell, variant);
    const host = initParams(cell, { inputSize, units, ...variant }, 1);
    const names = Object.keys(host);
    const params = names.map((n) => backend.tensor(host[n]!.values, host[n]!.shape));
    const inputs = backend.tensor(
      Float32Array.from({ length: batch * time * inputSize }, (_, i) => Math.sin(i)),
      [batch, time, inputSize],
    );
    const mask = backend.tensor(
      Float32Array.from({ length: batch * time }, (_, i) => (i === 2 ? 0 : 1)),
      [batch, time],
    );
    const recurrentMask = backend.tensor(new Float32Array(batch * units).fill(1.25), [batch, units]);
    // Initial states, as wide as the cell declares them, with every returnSequences case.
    const initialState = cell
      .state(resolveCellDims(cell, { inputSize, units, ...variant }).dims)
      .map(({ size }, k) =>
        backend.tensor(
          Float32Array.from({ length: batch * size }, (_, i) => 0.3 * Math.cos(i + k)),
          [batch, size],
        ),
      );
    const kernel = findKernel(backend, 'sequence', cell.name)!;
    for (const masked of flags)
      for (const dropout of cell.supportsRecurrentDropout ? flags : [false])
        for (const returnSequences of flags) {
          const args = {
            cell,
            options,
            units,
            inputs,
            returnSequences,
            goBackwards: masked,
            ...(masked ? { mask } : {}),
            ...(dropout ? { recurrentMask } : {}),
            ...(returnSequences ? { initialState } : {}),
          };
          // Cases over the launcher's input limit are declined (and run the generic loop): nothing to record.
          if (kernel.supports({ ...args, params: {} }) !== undefined) continue;
          const { value, grads } = backend.valueAndGrads((...ps) => {
            const { output } = runSequence(backend, {
              ...args,
              params: Object.fromEntries(names.map((n, i) => [n, ps[i]!])),
            });
            return backend.sum(output);
          }, params);
          backend.dispose([value, ...grads]);
        }
    backend.dispose([...params, inputs, mask, recurrentMask, ...initialState]);
  }
  return [...launcher.programs];
}
