/**
 * The conformance plan of `@seqmodel/backend-tfjs/testing` for a GPU backend, as page checks: every check also
 * asserts that tfjs's current backend is still the GPU one when it ends (tfjs falls back to cpu silently).
 */
import type { TfjsBackend } from '@seqmodel/backend-tfjs';
import { tfjsBackendTestPlan } from '@seqmodel/backend-tfjs/testing';
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

export function kitGroups(backend: TfjsBackend): PageCheckGroup[] {
  return tfjsBackendTestPlan(backend).map((group) => ({
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
