/**
 * The native fused kernels against the TypeScript kernels of `@seqmodel/backend-cpu` (compiled from the cells'
 * steps), and against core's float64 reference: every cell configuration of the fused-kernel kit,
 * with masks, initial states, goBackwards, returnSequences, zeroMaskedOutputs and recurrent masks, forward values and
 * every gradient. Same host data on both backends.
 *
 * Tolerances: both compute in float32 with different summation orders (blocked GEMM, double-accumulated bias sums)
 * and different exp approximations (ulp-level), over sequences of 7 steps: 2e-5 absolute + 2e-5 relative keeps a
 * 30x margin over the differences observed, and a wrong gate or a step off by one is off by 1e-2 or more.
 */
import { createCpuBackend } from '@seqmodel/backend-cpu';
import type { TfjsBackend } from '@seqmodel/backend-tfjs';
import { fusedCellConfigs } from '@seqmodel/backend-tfjs/testing';
import {
  builtInCells,
  createReferenceBackend,
  createRng,
  initParams,
  resolveCellOptions,
  runSequence,
  setDebugLogger,
} from '@seqmodel/core';
import { compareArrays } from '@seqmodel/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { isAvailable } from './addon.js';
import { createNativeBackend } from './native-backend.js';

const availability = isAvailable();
const tolerance = { atol: 2e-5, rtol: 2e-5 };

interface Variant {
  readonly label: string;
  readonly goBackwards?: boolean;
  readonly returnSequences?: boolean;
  readonly zeroMaskedOutputs?: boolean;
  readonly mask?: boolean;
  readonly initialState?: boolean;
  readonly recurrentMask?: boolean;
}

const variants: Variant[] = [
  { label: 'last step' },
  { label: 'sequences, mask, initial state', returnSequences: true, mask: true, initialState: true },
  {
    label: 'goBackwards, mask, zeroMaskedOutputs',
    goBackwards: true,
    mask: true,
    zeroMaskedOutputs: true,
    returnSequences: true,
  },
  { label: 'recurrent mask, goBackwards', recurrentMask: true, goBackwards: true },
];

const batch = 3;
const time = 7;

/** Output values, final states and the gradient of a weighted sum of all of them, on `backend`. */
function evaluate(
  backend: TfjsBackend | ReturnType<typeof createReferenceBackend>,
  cellName: string,
  config: { inputSize: number; units: number; options?: Record<string, unknown> },
  variant: Variant,
  seed: number,
): { values: Float32Array[]; grads: Float32Array[] | undefined } {
  const cell = builtInCells.find((c) => c.name === cellName)!;
  const options = resolveCellOptions(cell, config.options);
  const host = initParams(
    cell,
    { inputSize: config.inputSize, units: config.units, ...config.options },
    seed,
  );
  const rng = createRng(seed).fork('data');
  const normals = (n: number, scale = 1) => Array.from({ length: n }, () => scale * rng.normal());
  const b = backend as TfjsBackend;
  const states = cell.state({ inputSize: config.inputSize, units: config.units, options });
  const names = Object.keys(host);
  const inputs = b.tensor(normals(batch * time * config.inputSize), [batch, time, config.inputSize]);
  const params = names.map((n) => b.tensor(host[n]!.values, host[n]!.shape));
  const initial = variant.initialState
    ? states.map((s) => b.tensor(normals(batch * s.size, 0.5), [batch, s.size]))
    : [];
  // Row 0 fully valid, row 1 masked in the middle, row 2 masked at the start.
  const maskValues = Array.from({ length: batch * time }, (_, i) => {
    const [r, t] = [Math.floor(i / time), i % time];
    return r === 1 ? (t === 2 || t === 3 ? 0 : 1) : r === 2 ? (t < 2 ? 0 : 1) : 1;
  });
  const mask = variant.mask ? b.tensor(maskValues, [batch, time]) : undefined;
  const recurrentMask = variant.recurrentMask
    ? b.tensor(
        Array.from({ length: batch * config.units }, (_, i) => (i % 3 === 0 ? 0 : 1.5)),
        [batch, config.units],
      )
    : undefined;
  const args = (xs: unknown[]) => ({
    cell,
    options: config.options ?? {},
    units: config.units,
    inputs: xs[0] as never,
    params: Object.fromEntries(names.map((n, i) => [n, xs[1 + i]])) as never,
    ...(variant.initialState
      ? { initialState: xs.slice(1 + names.length, 1 + names.length + initial.length) as never }
      : {}),
    ...(mask ? { mask } : {}),
    ...(recurrentMask ? { recurrentMask: xs[xs.length - 1] as never } : {}),
    goBackwards: variant.goBackwards ?? false,
    returnSequences: variant.returnSequences ?? false,
    zeroMaskedOutputs: variant.zeroMaskedOutputs ?? false,
  });
  const xs = [inputs, ...params, ...initial, ...(recurrentMask ? [recurrentMask] : [])];
  const result = runSequence(b, args(xs));
  const values = [result.output, ...result.state].map((t) => Float32Array.from(b.dataSync(t)));
  const shapes = [result.output, ...result.state].map((t) => b.shape(t));
  b.dispose([result.output, ...result.state]);
  let grads: Float32Array[] | undefined;
  if (b.valueAndGrads) {
    const weights = values.map((v, k) =>
      b.tensor(
        v.map((_, i) => Math.sin(i + 3 * k)),
        shapes[k],
      ),
    );
    const vg = b.valueAndGrads((...ys) => {
      const r = runSequence(b, args(ys));
      return [r.output, ...r.state].map((t, k) => b.sum(b.mul(t, weights[k]!))).reduce((s, t) => b.add(s, t));
    }, xs);
    grads = vg.grads.map((g) => Float32Array.from(b.dataSync(g)));
    b.dispose([vg.value, ...vg.grads, ...weights]);
  }
  b.dispose(xs);
  if (mask) b.dispose(mask);
  return { values, grads };
}

function expectClose(actual: Float32Array[], expected: Float32Array[], what: string, tol = tolerance): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, k) => {
    const c = compareArrays(a, expected[k]!, tol);
    if (!c.ok) {
      const { index, actual, expected, error } = c.worst;
      throw new Error(`${what} [${k}]: element ${index} is ${actual}, expected ${expected} (error ${error})`);
    }
  });
}

describe.skipIf(!availability.available)(
  `native fused kernels against the cpu backend's compiled kernels and the float64 reference${availability.reason ? ` (skipped: ${availability.reason})` : ''}`,
  async () => {
    if (!availability.available) return;
    // tfjs's per-kernel leak check (on under IS_TEST): the kernels keep what the backward pass needs out of tensors.
    tf.env().set('IS_TEST', true);
    const native = await createNativeBackend({ threads: 2 });
    const cpu = createCpuBackend();
    const reference = createReferenceBackend();
    for (const [cellName, configs] of Object.entries(fusedCellConfigs)) {
      configs.forEach((config, c) => {
        for (const variant of variants) {
          const label = `${cellName} ${JSON.stringify(config.options ?? {})} ${config.inputSize}x${config.units}, ${variant.label}`;
          it(label, () => {
            const seed = 31 * c + 7;
            const ours = evaluate(native, cellName, config, variant, seed);
            const typescript = evaluate(cpu, cellName, config, variant, seed);
            expectClose(ours.values, typescript.values, 'forward vs compiled kernel');
            expectClose(ours.grads!, typescript.grads!, 'gradients vs compiled kernel');
            const exact = evaluate(reference, cellName, config, variant, seed);
            expectClose(ours.values, exact.values, 'forward vs float64 reference');
          });
        }
      });
    }
    it('the fused kernels ran (no fallback to the generic loop) and left no tensors or native buffers behind', () => {
      const fallbacks: string[] = [];
      setDebugLogger((topic, message) => {
        // The kernel that runs is said too (`native/lstm: fused kernel`); a fallback says `generic loop`.
        if (topic === 'fused' && message.includes('generic')) fallbacks.push(message);
      });
      try {
        const before = native.memory().numTensors;
        const buffers = () => (native.memory() as unknown as { numDataBuffers: number }).numDataBuffers;
        const buffersBefore = buffers();
        for (const [cellName, configs] of Object.entries(fusedCellConfigs)) {
          evaluate(native, cellName, configs[0]!, variants[1]!, 3);
        }
        expect(fallbacks).toEqual([]);
        expect(native.memory().numTensors).toBe(before);
        expect(buffers()).toBe(buffersBefore);
      } finally {
        setDebugLogger(undefined);
      }
    });
  },
);
