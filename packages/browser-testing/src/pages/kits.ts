/**
 * The conformance plan of `@seqmodel/backend-tfjs/testing` for a GPU backend, as page checks: every check also
 * asserts that tfjs's current backend is still the GPU one when it ends (tfjs falls back to cpu silently).
 */
import type { TfjsBackend } from '@seqmodel/backend-tfjs';
import { type CheckGroup, compiledCellChecks, tfjsBackendTestPlan } from '@seqmodel/backend-tfjs/testing';
import { indRnn } from '@seqmodel/cell-indrnn';
import { mgu } from '@seqmodel/cell-mgu';
import { peepholeLstm } from '@seqmodel/cell-peephole-lstm';
import * as tf from '@tensorflow/tfjs-core';
import type { PageCheckGroup } from '../in-page.js';

export function assertActiveTfjsBackend(expected: string): void {
  const active = tf.getBackend();
  if (active !== expected) {
    throw new Error(
      `tfjs's active backend is ${JSON.stringify(active)}, expected ${JSON.stringify(expected)}`,
    );
  }
}

/**
 * The plugin cells on the backend's compiled kernel (filed under `*`): the float64 reference, the generic loop
 * (forward and gradients, every variant of the cell kit: masks, initial states, goBackwards, last step only, and
 * recurrent dropout), leaks and finite differences.
 */
function pluginGroups(backend: TfjsBackend): CheckGroup[] {
  const configs = [{ inputSize: 3, units: 4 }];
  return [mgu, peepholeLstm, indRnn].map((cell) => ({
    name: `plugin cell ${cell.name}, compiled`,
    checks: compiledCellChecks(cell, backend, { configs }),
  }));
}

export function kitGroups(backend: TfjsBackend): PageCheckGroup[] {
  return [...tfjsBackendTestPlan(backend), ...pluginGroups(backend)].map((group) => ({
    name: group.name,
    checks: group.checks.map((check) => ({
      ...check,
      async run() {
        assertActiveTfjsBackend(backend.tfjsBackendName);
        await check.run();
        assertActiveTfjsBackend(backend.tfjsBackendName);
      },
    })),
  }));
}
