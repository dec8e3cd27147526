/**
 * The correctness check run before timing: seqmodel and tfjs-layers, given the same weights and data, must give
 * the same forward output and, after one SGD step, the same loss and weights.
 *
 * Tolerances: both compute in float32 with the same formulas but different operation orders (seqmodel projects the
 * inputs of all steps in one product; tfjs-layers per step), so results differ by rounding that grows with the
 * number of steps and the inner sizes: ~1e-6 per step, bounded by the saturating activations. The forward output
 * and the loss are compared with atol 1e-4 (a wrong gate or bias is off by 1e-2 or more); the weights after one
 * step with atol 1e-5, since the step changes them by lr · gradient = 1e-2 · O(1e-2).
 */
import { compareArrays } from '@seqmodel/core/testing';
import type { BenchModel } from './models.js';

export interface Agreement {
  readonly forwardMaxError: number;
  readonly lossError: number;
  readonly weightsMaxError: number;
}

export const agreementTolerance = { forward: 1e-4, loss: 1e-4, weights: 1e-5 } as const;

function maxError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const c = compareArrays(a, b, { atol: 0, rtol: 0 });
  return c.ok ? 0 : c.worst.error;
}

/** Compares a forward pass and one training step of two fresh models (both change: train them no further). */
export function measureAgreement(a: BenchModel, b: BenchModel): Agreement {
  const forwardMaxError = maxError(a.forward(), b.forward());
  const lossError = Math.abs(a.trainStep() - b.trainStep());
  const wa = a.weights();
  const wb = b.weights();
  const weightsMaxError = Math.max(...wa.map((w, i) => maxError(w, wb[i]!)));
  return { forwardMaxError, lossError, weightsMaxError };
}

/** Throws, naming the quantity and both figures, unless the agreement is within tolerance. */
export function assertAgreement(what: string, agreement: Agreement): void {
  const checks: [string, number, number][] = [
    ['forward output', agreement.forwardMaxError, agreementTolerance.forward],
    ['loss', agreement.lossError, agreementTolerance.loss],
    ['weights after one SGD step', agreement.weightsMaxError, agreementTolerance.weights],
  ];
  for (const [name, error, tolerance] of checks) {
    if (!(error <= tolerance)) {
      throw new Error(
        `${what}: seqmodel and tfjs-layers disagree on the ${name}: max error ${error} > ${tolerance}`,
      );
    }
  }
}
