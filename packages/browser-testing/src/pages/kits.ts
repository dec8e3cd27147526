/**
 * The conformance plan of `@seqmodel/backend-tfjs/testing` for a GPU backend, as page checks, with the plugin cells,
 * the compiler's corner cells and the built-in cells on the compiled GPU kernel; and the wrapper every page check runs
 * in (`onBackend`: the GPU backend still active, no WebGPU validation error).
 */
import type { TfjsBackend, TfjsFusedKernelEntry, TfjsKernelDefinition } from '@seqmodel/backend-tfjs';
import {
  type CheckGroup,
  compiledCellChecks,
  fusedCellConfigs,
  gpuCompilerCornerCells,
  tfjsBackendTestPlan,
} from '@seqmodel/backend-tfjs/testing';
import { indRnn } from '@seqmodel/cell-indrnn';
import { mgu } from '@seqmodel/cell-mgu';
import { peepholeLstm } from '@seqmodel/cell-peephole-lstm';
import { gru, lstm, simpleRNN } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import type { PageCheck, PageCheckGroup } from '../in-page.js';

export function assertActiveTfjsBackend(expected: string): void {
  const active = tf.getBackend();
  if (active !== expected) {
    throw new Error(
      `tfjs's active backend is ${JSON.stringify(active)}, expected ${JSON.stringify(expected)}`,
    );
  }
}

/**
 * `run` as a check on `backendName`: tfjs's active backend is that one before and after (tfjs falls back to cpu
 * silently), and on webgpu no validation error was raised meanwhile (tfjs does not report a shader that fails to
 * compile, whose launches then leave their outputs as they were: a pooled buffer's old values).
 */
export function onBackend(backendName: string, run: () => unknown): () => Promise<void> {
  return async () => {
    assertActiveTfjsBackend(backendName);
    const device =
      backendName === 'webgpu'
        ? (tf.engine().findBackend('webgpu') as unknown as { device: GPUDevice }).device
        : undefined;
    device?.pushErrorScope('validation');
    let failed: unknown;
    try {
      await run();
    } catch (error) {
      failed = error;
    }
    const invalid = await device?.popErrorScope();
    if (invalid) throw new Error(`WebGPU validation error: ${invalid.message}`);
    if (failed !== undefined) throw failed;
    assertActiveTfjsBackend(backendName);
  };
}

/** A page check named `name` that runs `run` on `backendName` (see `onBackend`). */
export function check(name: string, backendName: string, run: () => unknown): PageCheck {
  return { name, run: onBackend(backendName, run) };
}

/**
 * The plugin cells on the backend's compiled kernel (filed under `*`): the float64 reference, the generic loop
 * (forward and gradients, every variant of the cell kit: masks, initial states, goBackwards, last step only, and
 * recurrent dropout), leaks and finite differences. Then the compiler's corner cells (shared state gradients,
 * parameter-made states, function options, bounds, ...), which the built-in and plugin cells do not reach.
 */
function pluginGroups(backend: TfjsBackend): CheckGroup[] {
  const configs = [{ inputSize: 3, units: 4 }];
  const plugins = [mgu, peepholeLstm, indRnn].map((cell) => ({ cell, configs, kind: 'plugin cell' }));
  const corners = gpuCompilerCornerCells.map((c) => ({ ...c, kind: 'compiler corner cell' }));
  return [...plugins, ...corners].map(({ cell, configs, kind }) => ({
    name: `${kind} ${cell.name}, compiled`,
    checks: compiledCellChecks(cell, backend, { configs }),
  }));
}

/**
 * The kernels of a backend whose built-in cells run the compiled GPU kernel (`compiled`, the backend's kernel filed
 * under `*`) instead of their hand-written ones.
 */
export function builtInsCompiled(compiled: TfjsFusedKernelEntry): TfjsKernelDefinition[] {
  return ['simpleRNN', 'lstm', 'gru'].map((name) => ({ kind: 'sequence', name, kernel: compiled }));
}

/**
 * The built-in cells on `compiled` (a backend made with `builtInsCompiled`): the same kit as the plugin cells, at the
 * sizes and options the interpreted GPU programs are checked at (activations written with ops, both GRU variants).
 */
function compiledBuiltInGroups(compiled: TfjsBackend): CheckGroup[] {
  return [
    { cell: simpleRNN, configs: fusedCellConfigs.simpleRNN!.slice(0, 3) },
    { cell: lstm, configs: fusedCellConfigs.lstm!.slice(0, 2) },
    { cell: gru, configs: fusedCellConfigs.gru!.slice(0, 2) },
  ].map(({ cell, configs }) => ({
    name: `built-in cell ${cell.name}, compiled`,
    checks: compiledCellChecks(cell, compiled, { configs }),
  }));
}

/**
 * The conformance plan of `backend`, its plugin and corner cells compiled, and with `compiled` the built-in cells
 * compiled.
 */
export function kitGroups(backend: TfjsBackend, compiled?: TfjsBackend): PageCheckGroup[] {
  return [
    ...tfjsBackendTestPlan(backend),
    ...pluginGroups(backend),
    ...(compiled ? compiledBuiltInGroups(compiled) : []),
  ].map((group) => ({
    name: group.name,
    checks: group.checks.map((c) => ({ ...c, run: onBackend(backend.tfjsBackendName, () => c.run()) })),
  }));
}
