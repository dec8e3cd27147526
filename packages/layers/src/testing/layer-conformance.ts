/**
 * The layer conformance kit: checks that a layer, on a given backend, keeps the contract every seqmodel layer keeps
 * (Keras' shared layer harness, core's cell kit for layers). For a layer factory, its options and its inputs:
 * - `shapes`: every output has the shape `computeOutputShape` promises, for the concrete and the build shapes;
 * - `config`: `serialize` → JSON → the layer registry's `deserializeLayer` gives a layer with the same config, the
 *   same seeded weights and the same outputs;
 * - `masks`: output masks follow the case's mask contract, masked input values reach no unmasked output, and a layer
 *   that declares it ignores masks is unchanged by one;
 * - `seeding`: the same seed gives the same weights and outputs, another seed other weights, and another call seed
 *   other training outputs when training is random;
 * - `leaks`: build, call, training call and gradient leave no tensor behind, and outputs are tensors of their own;
 * - `gradients`: autodiff gradients with respect to inputs, initial states and trainable weights match central
 *   finite differences on the float64 reference (backends with `valueAndGrads`);
 * - `reference`: outputs match the float64 reference backend (backends other than the reference).
 *
 * The checks are plain objects, so any test runner can run them; a case opts out of one with a reason.
 *
 * @example
 * const checks = layerConformanceChecks(
 *   { factory: dense, options: { units: 3 }, inputs: [{ shape: [3, 4, 2], mask: true }], masks: { outputs: [{ input: 0 }] } },
 *   createCpuBackend(),
 * );
 * for (const check of checks) it.skipIf(check.skip !== undefined)(check.name, check.run);
 */
import { type Backend, createRng, ReferenceBackend, SeqmodelError } from '@seqmodel/core';
import {
  assertChecksPass,
  assertClose,
  type ConformanceCheck,
  checkNoLeak,
  type Tolerance,
} from '@seqmodel/core/testing';
import type { Layer } from '../engine/layer.js';
import { deserializeLayer, serializeLayer } from '../engine/registry.js';
import {
  assertSameResult,
  assertSameTensor,
  assertShapeFits,
  canonicalJson,
  EXACT,
  firstDifference,
  unmaskedEntries,
} from './compare-results.js';
import {
  buildLayer,
  buildShapes,
  type CallMode,
  callTensors,
  caseLabel,
  checkCase,
  type HostCall,
  type HostResult,
  type HostTensor,
  inputValues,
  invokeLayer,
  type LayerCheckKey,
  type LayerConformanceCase,
  type MaskContract,
  makeCall,
  maskValues,
  ownedResultTensors,
  runLayer,
  weightValues,
} from './layer-case.js';
import {
  autodiffGradients,
  finiteDifferenceGradients,
  hasGradientTargets,
  lossWeights,
} from './layer-gradients.js';

export interface LayerConformanceCheck extends ConformanceCheck {
  /** Which check this is (the key `skip` takes). */
  readonly key: LayerCheckKey;
}

export interface LayerConformanceOptions {
  /** Seed of the weights, inputs, masks and dropout streams (default 1234). */
  readonly seed?: number;
  /**
   * Outputs against the float64 reference. Default atol 1e-5, rtol 1e-5: float32 rounding through the built-in
   * layers at the kit's sizes (a few steps, a few units) reaches 2.2e-7 on tfjs-backend-cpu (measured over every
   * case of `src/layers/conformance.test.ts`), while a wrong term or a wrong mask moves outputs by 1e-2 or more.
   */
  readonly forwardTolerance?: Tolerance;
  /**
   * Autodiff gradients against float64 central differences. Default atol 1e-4, rtol 1e-3: float32 backpropagation
   * through a few recurrent steps accumulates up to 1e-6 of rounding (measured as above); the margin covers larger
   * layers and other backends, and a gradient off by 1% still fails wherever it exceeds 0.01.
   */
  readonly gradientTolerance?: Tolerance;
  /**
   * Unmasked outputs with and without other values at masked positions. Default atol 1e-6, rtol 0: masked values can
   * only reach unmasked outputs through float rounding (a state kept by `where` is exact, a matMul row depends on its
   * own row only; every built-in layer shows no difference at all), while a layer that lets them through moves
   * outputs by order 1e-1.
   */
  readonly maskTolerance?: Tolerance;
}

/** The checks for `testCase` on `backend`. See the module comment for what they cover. */
export function layerConformanceChecks<T, O>(
  testCase: LayerConformanceCase<O>,
  backend: Backend<T>,
  options: LayerConformanceOptions = {},
): LayerConformanceCheck[] {
  const tc = testCase as unknown as LayerConformanceCase;
  checkCase(tc);
  const seed = options.seed ?? 1234;
  const forwardTolerance = options.forwardTolerance ?? { atol: 1e-5, rtol: 1e-5 };
  const gradientTolerance = options.gradientTolerance ?? { atol: 1e-4, rtol: 1e-3 };
  const maskTolerance = options.maskTolerance ?? { atol: 1e-6, rtol: 0 };
  const label = `${caseLabel(tc)} on ${backend.name}`;
  const inference: CallMode = { training: false, rngSeed: seed };
  const training: CallMode = { training: true, rngSeed: seed };
  const call = (): HostCall => makeCall(tc, seed);

  /** Builds a layer for one check and always disposes it (and its weights) after. */
  const withLayer = <R>(layerSeed: number, fn: (layer: Layer) => R, on: Backend<T> = backend): R => {
    const layer = buildLayer(tc, on, layerSeed);
    try {
      return fn(layer);
    } finally {
      layer.dispose();
    }
  };

  const autoSkip: Partial<Record<LayerCheckKey, string>> = {
    ...(backend.valueAndGrads ? {} : { gradients: `backend ${backend.name} has no autodiff` }),
    ...(backend instanceof ReferenceBackend ? { reference: 'the backend is the float64 reference' } : {}),
  };
  const check = (key: LayerCheckKey, name: string, run: () => void): LayerConformanceCheck => {
    const skip = tc.skip?.[key] ?? autoSkip[key];
    return { key, name: `${label}: ${name}`, ...(skip === undefined ? {} : { skip }), run };
  };

  return [
    check('shapes', 'output shapes match computeOutputShape', () => {
      const c = call();
      withLayer(seed, (layer) => {
        const stateShapes = c.initialState.map((s) => s.shape);
        const concrete = layer.computeOutputShape(
          c.inputs.map((x) => x.shape),
          stateShapes,
        );
        const open = layer.computeOutputShape(buildShapes(tc.inputs), buildShapes(tc.initialState ?? []));
        for (const [modeName, mode] of [
          ['inference', inference],
          ['training', training],
        ] as const) {
          const result = runLayer(layer, backend, c, mode);
          for (const [what, declared] of [
            ['concrete input shapes', concrete],
            ['build shapes', open],
          ] as const) {
            if (declared.length !== result.outputs.length) {
              throw new SeqmodelError(
                `${label} (${modeName}): ${result.outputs.length} outputs, computeOutputShape for the ${what} gave ${declared.length}`,
              );
            }
            result.outputs.forEach((y, i) => {
              assertShapeFits(
                `${label} (${modeName}) output ${i}, ${what}`,
                y.shape,
                declared[i]!,
                what === 'concrete input shapes',
              );
            });
          }
        }
      });
    }),

    check('config', 'config round trip through the layer registry', () => {
      const c = call();
      withLayer(seed, (layer) => {
        const json = JSON.parse(JSON.stringify(serializeLayer(layer))) as ReturnType<typeof serializeLayer>;
        const restored = deserializeLayer(json);
        try {
          if (restored.className !== layer.className) {
            throw new SeqmodelError(
              `${label}: deserialized as ${restored.className}, expected ${layer.className}`,
            );
          }
          restored.buildIn(
            { backend: backend as Backend<unknown>, rng: createRng(seed), prefix: '' },
            buildShapes(tc.inputs),
          );
          const diff = firstDifference(JSON.parse(canonicalJson(restored.getConfig())), json.config);
          if (diff !== undefined) {
            throw new SeqmodelError(
              `${label}: the restored layer's config differs from the saved one at ${diff}`,
            );
          }
          const describe = (l: Layer) =>
            l.weights.map((w) => `${w.name} ${JSON.stringify(w.shape)} ${w.trainable}`);
          const [got, want] = [describe(restored), describe(layer)];
          if (
            got.join() !== want.join() ||
            restored.trainableWeights.length !== layer.trainableWeights.length
          ) {
            throw new SeqmodelError(
              `${label}: restored weights (name shape trainable) [${got.join(', ')}], expected [${want.join(', ')}]` +
                ` (${restored.trainableWeights.length} vs ${layer.trainableWeights.length} trainable)`,
            );
          }
          // The same seed must give the same weights: initializers are part of the config.
          const restoredValues = weightValues(restored, backend);
          weightValues(layer, backend).forEach((w, i) => {
            assertClose(
              `${label}: restored weight ${w.name} (same seed)`,
              restoredValues[i]!.values,
              w.values,
              EXACT,
            );
          });
          for (const [modeName, mode] of [
            ['inference', inference],
            ['training', training],
          ] as const) {
            assertSameResult(
              `${label}: restored layer (${modeName})`,
              runLayer(restored, backend, c, mode),
              runLayer(layer, backend, c, mode),
              EXACT,
            );
          }
        } finally {
          restored.dispose();
        }
      });
    }),

    check('masks', 'masks in and out', () => {
      const c = call();
      withLayer(seed, (layer) => checkMasks(layer, backend, tc, c, inference, label, maskTolerance, seed));
    }),

    check('seeding', 'deterministic under a seed', () => {
      const c = call();
      const history = (layer: Layer, rngSeed: number) => ({
        weights: weightValues(layer, backend),
        inference: runLayer(layer, backend, c, inference),
        training: runLayer(layer, backend, c, { training: true, rngSeed }),
      });
      const a = withLayer(seed, (layer) => history(layer, seed));
      const b = withLayer(seed, (layer) => history(layer, seed));
      a.weights.forEach((w, i) => {
        assertClose(
          `${label}: weight ${w.name} built twice with seed ${seed}`,
          b.weights[i]!.values,
          w.values,
          EXACT,
        );
      });
      assertSameResult(
        `${label}: a second layer with the same seed (inference)`,
        b.inference,
        a.inference,
        EXACT,
      );
      assertSameResult(
        `${label}: a second layer with the same seed and call seed (training)`,
        b.training,
        a.training,
        EXACT,
      );
      const other = withLayer(seed + 1, (layer) => history(layer, seed + 1));
      a.weights.forEach((w, i) => {
        // Deterministic initializers (zeros, constants, identity, Keras' unit forget bias) give at most two distinct
        // values; a random draw of three or more entries gives more, and must change with the seed.
        if (new Set(w.values).size >= 3 && same(w.values, other.weights[i]!.values)) {
          throw new SeqmodelError(
            `${label}: weight ${w.name} is the same for seeds ${seed} and ${seed + 1}; its initializer ignores the seed`,
          );
        }
      });
      // Same weights, another call seed: a layer that is random in training must draw from the call's stream, and
      // one that is not must ignore it.
      const reseeded = withLayer(seed, (layer) => history(layer, seed + 1));
      if (tc.deterministicTraining !== undefined) {
        assertSameResult(
          `${label}: training outputs for call seeds ${seed} and ${seed + 1} (deterministic: ${tc.deterministicTraining})`,
          reseeded.training,
          a.training,
          EXACT,
        );
      } else if (!sameResult(a.training, a.inference) && sameResult(reseeded.training, a.training)) {
        throw new SeqmodelError(
          `${label}: training outputs differ from inference outputs (dropout?) but not between call seeds ${seed} and ${seed + 1}`,
        );
      }
    }),

    check('leaks', 'no tensors leaked', () => {
      const c = call();
      checkNoLeak(backend, `${label}: build and dispose`, () => {
        buildLayer(tc, backend, seed).dispose();
      });
      withLayer(seed, (layer) => {
        for (const [modeName, mode] of [
          ['inference call', inference],
          ['training call', training],
        ] as const) {
          checkNoLeak(backend, `${label}: ${modeName}`, () => {
            const tensors = callTensors(backend, c);
            try {
              const result = invokeLayer(layer, backend, tensors, mode);
              try {
                checkOwnership(label, modeName, tensors, result);
              } finally {
                backend.dispose(ownedResultTensors(tensors, result));
              }
            } finally {
              tensors.dispose();
              layer.resetStates();
            }
          });
        }
        // Token ids in and no weights (CategoryEncoding): no gradient to take, so no gradient pass to leak from.
        if (backend.valueAndGrads && hasGradientTargets(layer, c)) {
          const r = lossWeights(runLayer(layer, backend, c, training).outputs, seed);
          checkNoLeak(backend, `${label}: gradient`, () => {
            const { value, grads } = autodiffGradients(layer, backend, c, training, r);
            backend.dispose([value, ...grads]);
            layer.resetStates();
          });
        }
      });
    }),

    check('gradients', 'gradients match finite differences', () => {
      const c = call();
      let r: HostTensor[] = [];
      const actual = withLayer(seed, (layer) => {
        r = lossWeights(runLayer(layer, backend, c, training).outputs, seed);
        const { value, grads } = autodiffGradients(layer, backend, c, training, r);
        try {
          return grads.map((g) => Float64Array.from(backend.dataSync(g)));
        } finally {
          backend.dispose([value, ...grads]);
          layer.resetStates();
        }
      });
      const expected = finiteDifferenceGradients(tc, seed, c, training, r);
      if (expected.targets.length !== actual.length) {
        throw new SeqmodelError(
          `${label}: ${actual.length} gradients from autodiff, ${expected.targets.length} targets (${expected.targets.map((t) => t.name).join(', ')})`,
        );
      }
      expected.targets.forEach((target, i) => {
        assertClose(`${label}: d loss / d ${target.name}`, actual[i]!, expected.grads[i]!, gradientTolerance);
      });
    }),

    check('reference', 'agrees with the float64 reference', () => {
      const c = call();
      const ref = new ReferenceBackend();
      for (const [modeName, mode] of [
        ['inference', inference],
        ['training, same call seed', training],
      ] as const) {
        assertSameResult(
          `${label} vs reference (${modeName})`,
          withLayer(seed, (layer) => runLayer(layer, backend, c, mode)),
          withLayer(seed, (layer) => runLayer(layer, ref, c, mode), ref as unknown as Backend<T>),
          forwardTolerance,
        );
      }
    }),
  ];
}

function same(a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

function sameResult(a: HostResult, b: HostResult): boolean {
  return (
    a.outputs.length === b.outputs.length && a.outputs.every((y, i) => same(y.values, b.outputs[i]!.values))
  );
}

/** Outputs must be tensors of their own: freeing one must not free an input or another output. */
function checkOwnership<T>(
  label: string,
  modeName: string,
  tensors: { inputs: T[]; initialState: T[]; masks: (T | undefined)[] },
  result: { outputs: T[] },
): void {
  const given = new Set<T>([
    ...tensors.inputs,
    ...tensors.initialState,
    ...tensors.masks.filter((m) => m !== undefined),
  ]);
  const seen = new Set<T>();
  result.outputs.forEach((y, i) => {
    if (given.has(y)) {
      throw new SeqmodelError(
        `${label} (${modeName}): output ${i} is one of the tensors passed in; return a new tensor`,
      );
    }
    if (seen.has(y)) {
      throw new SeqmodelError(
        `${label} (${modeName}): output ${i} is the same tensor as an earlier output; freeing one frees both`,
      );
    }
    seen.add(y);
  });
}

function expectedMasks(
  contract: MaskContract,
  c: HostCall,
  count: number,
  label: string,
): (HostTensor | undefined)[] {
  if ('ignored' in contract) return Array.from({ length: count }, () => undefined);
  if (contract.outputs.length !== count) {
    throw new SeqmodelError(
      `${label}: the case's mask contract lists ${contract.outputs.length} outputs, the layer returned ${count}`,
    );
  }
  return contract.outputs.map((rule) => {
    if (rule === 'none') return undefined;
    if (typeof rule === 'function') return rule(c.inputs);
    return c.masks[rule.input];
  });
}

function checkMasks<T>(
  layer: Layer,
  backend: Backend<T>,
  tc: LayerConformanceCase,
  c: HostCall,
  mode: CallMode,
  label: string,
  tolerance: Tolerance,
  seed: number,
): void {
  const withMasks = runLayer(layer, backend, c, mode);
  const expected = expectedMasks(tc.masks, c, withMasks.outputs.length, label);
  expected.forEach((m, i) => {
    assertSameTensor(`${label}: mask of output ${i}`, withMasks.masks[i], m, EXACT);
  });
  if ('ignored' in tc.masks) {
    // Declared to ignore masks: feed one on every input with a time axis and expect nothing to change.
    const rng = createRng(seed).fork('ignored masks');
    const fed: HostCall = {
      ...c,
      masks: c.inputs.map((x, i) =>
        x.shape.length >= 2 ? (c.masks[i] ?? maskValues(x.shape[0]!, x.shape[1]!, rng.fork(i))) : undefined,
      ),
    };
    assertSameResult(
      `${label}: with masks fed vs without (the case says the layer ignores masks: ${tc.masks.ignored})`,
      runLayer(layer, backend, fed, mode),
      runLayer(layer, backend, c, mode, { masks: false }),
      EXACT,
    );
    return;
  }
  if (!c.masks.some((m) => m !== undefined)) return;
  // Honoured: other values at the masked steps of every masked input reach no output position left unmasked.
  const rng = createRng(seed).fork('masked values');
  const perturbed: HostCall = {
    ...c,
    inputs: c.inputs.map((x, i) => {
      const mask = c.masks[i];
      if (mask === undefined) return x;
      const other = inputValues(tc.inputs[i]!, rng.fork(i)).values;
      const inner = x.values.length / mask.values.length;
      return {
        ...x,
        values: x.values.map((v, k) => (mask.values[Math.floor(k / inner)] === 0 ? other[k]! : v)),
      };
    }),
  };
  const moved = runLayer(layer, backend, perturbed, mode);
  withMasks.outputs.forEach((y, i) => {
    const where = `${label}: output ${i} with other values at masked steps`;
    assertClose(
      `${where} (positions its mask leaves valid)`,
      unmaskedEntries(where, moved.outputs[i]!, withMasks.masks[i]),
      unmaskedEntries(where, y, withMasks.masks[i]),
      tolerance,
    );
  });
}

/** Runs every applicable check and rejects with one error listing all failures. */
export async function assertLayerConformance<T, O>(
  testCase: LayerConformanceCase<O>,
  backend: Backend<T>,
  options?: LayerConformanceOptions,
): Promise<void> {
  await assertChecksPass(layerConformanceChecks(testCase, backend, options), 'layer conformance');
}
