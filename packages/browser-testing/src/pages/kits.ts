/**
 * The conformance plan of `@seqmodel/backend-tfjs/testing` for a GPU backend, as page checks, with the plugin cells,
 * the compiler's corner cells and the built-in cells on the compiled GPU kernel; and the wrapper every page check runs
 * in (`onBackend`: the GPU backend still active, no WebGPU validation error).
 */
import type { TfjsBackend, TfjsFusedKernelEntry, TfjsKernelDefinition } from '@seqmodel/backend-tfjs';
import {
  type CheckGroup,
  compiledCellChecks,
  gpuCompiledBuiltInCells,
  gpuCompilerCornerCells,
  randomCellChecks,
  strictKernel,
  tfjsBackendTestPlan,
} from '@seqmodel/backend-tfjs/testing';
import { indRnn } from '@seqmodel/cell-indrnn';
import { layerNormLstm } from '@seqmodel/cell-layernorm-lstm';
import { mgu } from '@seqmodel/cell-mgu';
import { peepholeLstm } from '@seqmodel/cell-peephole-lstm';
import { anyName } from '@seqmodel/core';
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
 * silently), and on webgpu no validation error was raised meanwhile. tfjs does not report a WGSL shader that fails
 * to compile: the batch of dispatches that uses it is rejected and their outputs keep a pooled buffer's old values.
 * tfjs submits its batch before the scope is popped, so that an error is the check's own, not the next one's.
 */
export function onBackend(backendName: string, run: () => unknown): () => Promise<void> {
  return async () => {
    assertActiveTfjsBackend(backendName);
    const webgpu =
      backendName === 'webgpu'
        ? (tf.engine().findBackend('webgpu') as unknown as {
            device: GPUDevice;
            ensureCommandEncoderReady(): void;
            endComputePassEncoder(): void;
            submitQueue(): void;
          })
        : undefined;
    webgpu?.device.pushErrorScope('validation');
    let failed: unknown;
    try {
      await run();
    } catch (error) {
      failed = error;
    }
    // As tfjs submits before a read: an encoder (a fresh one where none is open), its compute pass ended.
    webgpu?.ensureCommandEncoderReady();
    webgpu?.endComputePassEncoder();
    webgpu?.submitQueue();
    const invalid = await webgpu?.device.popErrorScope();
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
 * The kit of the compiled GPU kernel on `compiled` (a backend made with `compiledOnly`): the plugin cells, the
 * compiler's corner cells (shared state gradients, parameter-made states, function options, bounds, ...) and the
 * built-in cells at the sizes the interpreted GPU programs are checked at. Each: the float64 reference, the generic
 * loop (forward and gradients, every variant of the cell kit: masks, initial states, goBackwards, last step only,
 * and recurrent dropout), leaks and finite differences.
 */
function compiledCellGroups(compiled: TfjsBackend): CheckGroup[] {
  const configs = [{ inputSize: 3, units: 4 }];
  return [
    ...[mgu, peepholeLstm, indRnn, layerNormLstm].map((cell) => ({ cell, configs, kind: 'plugin cell' })),
    ...gpuCompilerCornerCells.map((c) => ({ ...c, kind: 'compiler corner cell' })),
    ...gpuCompiledBuiltInCells.map((c) => ({ ...c, kind: 'built-in cell' })),
  ]
    .map(({ cell, configs, kind }) => ({
      name: `${kind} ${cell.name}, compiled`,
      checks: compiledCellChecks(cell, compiled, { configs }),
    }))
    .concat({
      // Cells drawn from seeds (randomCellChecks), on the real GPU programs: forward and gradients on four variants.
      name: 'random cells, compiled',
      checks: randomCellChecks(compiled, { seeds: 8 }),
    });
}

/**
 * The kernels of a backend on which every cell, the built-in ones included, runs the compiled GPU kernel (`compiled`,
 * the backend's kernel filed under `*`), strict: a case it declines throws instead of running the hand-written
 * kernel or the generic loop, which the kits would then compare with the generic loop and pass.
 */
export function compiledOnly(compiled: TfjsFusedKernelEntry): TfjsKernelDefinition[] {
  const kernel = strictKernel(compiled);
  return ['simpleRNN', 'lstm', 'gru', anyName].map((name) => ({ kind: 'sequence', name, kernel }));
}

/** The conformance plan of `backend`, then the compiled kernel's kit on `compiled` (see `compiledCellGroups`). */
export function kitGroups(backend: TfjsBackend, compiled: TfjsBackend): PageCheckGroup[] {
  const groups = [
    ...tfjsBackendTestPlan(backend).map((group) => ({ group, on: backend })),
    ...compiledCellGroups(compiled).map((group) => ({ group, on: compiled })),
  ];
  return groups.map(({ group, on }) => ({
    name: group.name,
    checks: group.checks.map((c) => ({ ...c, run: onBackend(on.tfjsBackendName, () => c.run()) })),
  }));
}
