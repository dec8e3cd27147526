/**
 * The correctness check run before timing: seqmodel and tfjs-layers, given the same weights and data, must give
 * the same forward output and, after one SGD step, the same loss and weights. Cells tfjs-layers does not have
 * (GRU with `resetAfter: true`, plugins) are checked instead against core's float64 reference ops: the forward
 * output of the first sequences of the batch.
 *
 * Tolerances: both compute in float32 with the same formulas but different operation orders (seqmodel projects the
 * inputs of all steps in one product; tfjs-layers per step), so results differ by rounding that grows with the
 * number of steps and the inner sizes: ~1e-6 per step, bounded by the saturating activations. The forward output
 * and the loss are compared with atol 1e-4 (a wrong gate or bias is off by 1e-2 or more); the weights after one
 * step with atol 1e-5, since the step changes them by lr · gradient = 1e-2 · O(1e-2).
 */
import { createReferenceBackend, resolveCellDims, runSequence } from '@seqmodel/core';
import { compareArrays } from '@seqmodel/core/testing';
import type { BenchCell } from './cells.js';
import type { BenchModel } from './models.js';
import type { RnnSize } from './sizes.js';
import type { BenchData } from './weights.js';

export interface Agreement {
  /** What seqmodel was compared with. */
  readonly against: 'tfjs-layers' | 'reference';
  readonly forwardMaxError: number;
  /** Null when only the forward pass was compared (against the reference). */
  readonly lossError: number | null;
  readonly weightsMaxError: number | null;
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
  return { against: 'tfjs-layers', forwardMaxError, lossError, weightsMaxError };
}

/** Sequences of the batch that the reference check runs (the float64 reference is slow). */
export const referenceSequences = 2;

/**
 * Compares seqmodel's forward `output` (`[batch, outputSize]`, from `data`) with core's float64 reference ops on the
 * first {@link referenceSequences} sequences of the batch.
 */
export function measureReferenceAgreement(
  cell: BenchCell,
  size: RnnSize,
  data: BenchData,
  output: Float32Array,
): Agreement {
  const ref = createReferenceBackend();
  const { cell: plugin, dims } = resolveCellDims(cell.cellName, {
    inputSize: size.inputSize,
    units: size.units,
    ...cell.options,
  });
  const n = Math.min(referenceSequences, size.batch);
  const inputs = ref.tensor(data.inputs.values.subarray(0, n * size.time * size.inputSize), [
    n,
    size.time,
    size.inputSize,
  ]);
  const params = Object.fromEntries(data.params.map((p) => [p.name, ref.tensor(p.values, p.shape)]));
  const result = runSequence(ref, { cell: plugin, options: dims.options, units: size.units, inputs, params });
  const expected = ref.dataSync(result.output);
  const forwardMaxError = maxError(output.subarray(0, expected.length), expected);
  return { against: 'reference', forwardMaxError, lossError: null, weightsMaxError: null };
}

/** Throws, naming the quantity and both figures, unless the agreement is within tolerance. */
export function assertAgreement(what: string, agreement: Agreement): void {
  const checks: [string, number | null, number][] = [
    ['forward output', agreement.forwardMaxError, agreementTolerance.forward],
    ['loss', agreement.lossError, agreementTolerance.loss],
    ['weights after one SGD step', agreement.weightsMaxError, agreementTolerance.weights],
  ];
  const other = agreement.against === 'tfjs-layers' ? 'tfjs-layers' : "core's float64 reference";
  for (const [name, error, tolerance] of checks) {
    if (error !== null && !(error <= tolerance)) {
      throw new Error(
        `${what}: seqmodel and ${other} disagree on the ${name}: max error ${error} > ${tolerance}`,
      );
    }
  }
}
