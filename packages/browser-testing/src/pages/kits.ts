/**
 * The conformance plan of `@seqmodel/backend-tfjs/testing` for a GPU backend, as page checks: every check also
 * asserts that tfjs's current backend is still the GPU one when it ends (tfjs falls back to cpu silently).
 */
import type { TfjsBackend } from '@seqmodel/backend-tfjs';
import {
  type CheckGroup,
  compiledCellChecks,
  gpuCompilerCornerCells,
  tfjsBackendTestPlan,
} from '@seqmodel/backend-tfjs/testing';
import { indRnn } from '@seqmodel/cell-indrnn';
import { mgu } from '@seqmodel/cell-mgu';
import { peepholeLstm } from '@seqmodel/cell-peephole-lstm';
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

export function kitGroups(backend: TfjsBackend): PageCheckGroup[] {
  return [...tfjsBackendTestPlan(backend), ...pluginGroups(backend)].map((group) => ({
    name: group.name,
    checks: group.checks.map((c) => ({ ...c, run: onBackend(backend.tfjsBackendName, () => c.run()) })),
  }));
}
