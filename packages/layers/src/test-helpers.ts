/**
 * Helpers for this package's tests (not exported): seeded inputs on the float64 reference backend, comparisons, and
 * the bridge to tfjs-layers 4.22 that predictions are checked against.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
// Tests see the layer registry as users do: the package index registers the built-in layers.
import './layers/builtins.js';
import { createReferenceBackend, createRng, type ReferenceBackend, type RefTensor } from '@seqmodel/core';
import { assertClose } from '@seqmodel/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect } from 'vitest';
import type { Model } from './models/model.js';

export { tf, tfl };

/** Tolerance for float64 reference vs tfjs float32: a few ulps of float32 accumulated over tens of steps. */
export const TFJS_TOLERANCE = { atol: 1e-5, rtol: 1e-5 } as const;

export async function useTfjsCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
  // tfjs-layers runs on tfjs-backend-cpu directly, not through seqmodel's backend, which would clear this flag (see
  // backend-tfjs's notices.ts): without it the first tensor prints tfjs' "install the node backend" notice.
  (tf.backend() as { firstUse?: boolean }).firstUse = false;
}

/** Seeded values in [-1, 1). */
export function randomValues(size: number, seed: number | string): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: size }, () => rng.uniform(-1, 1));
}

/**
 * Post-padded inputs `[lengths.length, time, features]`: seeded values with the steps past each sequence's length
 * zeroed, so that a Masking layer (maskValue 0) finds exactly `lengths`.
 */
export function paddedValues(
  lengths: readonly number[],
  time: number,
  features: number,
  seed: number | string,
): Float32Array {
  const x = randomValues(lengths.length * time * features, seed);
  lengths.forEach((length, b) => {
    x.fill(0, (b * time + length) * features, (b + 1) * time * features);
  });
  return x;
}

export function randomTensor(backend: ReferenceBackend, shape: number[], seed: number | string): RefTensor {
  return backend.tensor(
    randomValues(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );
}

export function newBackend(): ReferenceBackend {
  return createReferenceBackend();
}

/** A tfjs-layers functional model chaining `layers` (tfjs' Sequential refuses layers with several outputs). */
export function tfjsChain(inputShape: (number | null)[], layers: tfl.layers.Layer[]): tfl.LayersModel {
  const x = tfl.input({ shape: inputShape });
  let y: tfl.SymbolicTensor | tfl.SymbolicTensor[] = x;
  for (const layer of layers) y = layer.apply(y) as tfl.SymbolicTensor | tfl.SymbolicTensor[];
  return tfl.model({ inputs: x, outputs: y });
}

/** Copies our model's weights (Keras order) into a tfjs-layers model, checking count and shapes. */
export function copyWeightsToTfjs(model: Model<RefTensor>, target: tfl.LayersModel): void {
  const ours = model.getWeightData();
  const theirs = target.weights;
  if (ours.length !== theirs.length) {
    throw new Error(
      `weight count: ours ${ours.length} (${ours.map((w) => w.name).join(', ')}), tfjs ${theirs.length} (${theirs.map((w) => w.name).join(', ')})`,
    );
  }
  const tensors = ours.map((w, i) => {
    const shape = theirs[i]!.shape;
    if (JSON.stringify(shape) !== JSON.stringify(w.shape)) {
      throw new Error(
        `weight ${i} ${w.name}: our shape ${JSON.stringify(w.shape)}, tfjs ${JSON.stringify(shape)}`,
      );
    }
    return tf.tensor(w.values, [...w.shape]);
  });
  target.setWeights(tensors);
  tf.dispose(tensors);
}

/** tfjs-layers' prediction as flat float32 values. */
export function tfjsPredict(
  target: tfl.LayersModel,
  inputs: { values: Float32Array; shape: number[] }[],
): Float32Array[] {
  const xs = inputs.map((x) => tf.tensor(x.values, x.shape));
  const out = target.predict(xs.length === 1 ? xs[0]! : xs);
  const list = Array.isArray(out) ? out : [out];
  const values = list.map((t) => t.dataSync() as Float32Array);
  tf.dispose([...xs, ...list]);
  return values;
}

/** Flat float64 values of a reference tensor. */
export function values(backend: ReferenceBackend, x: RefTensor): Float64Array {
  return backend.toFloat64(x);
}

/** Asserts that two flat arrays agree within `tolerance`. */
export function expectClose(
  what: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: { atol: number; rtol: number } = TFJS_TOLERANCE,
): void {
  assertClose(what, actual, expected, tolerance);
}

/** Asserts that a model gives as many outputs as expected and that each agrees within `tolerance`. */
export function expectOutputsClose(
  what: string,
  actual: readonly ArrayLike<number>[],
  expected: readonly ArrayLike<number>[],
  tolerance: { atol: number; rtol: number } = TFJS_TOLERANCE,
): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((y, i) => {
    expectClose(`${what} output ${i}`, y, expected[i]!, tolerance);
  });
}
