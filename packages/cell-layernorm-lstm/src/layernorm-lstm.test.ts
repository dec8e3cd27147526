/**
 * The layer-normalized LSTM against PyTorch (`fixtures/generate.py`: torch 1.13 on CPU in float64, with
 * `torch.nn.functional.layer_norm`): the outputs and final states on the float64 reference within 1e-12 (the same
 * arithmetic in another order; the fixture's numbers are JSON decimals of float64 values); on cpu and wasm, compiled
 * and on the generic loop, the outputs, states and every gradient of `sum(outputs · weights)` within atol 2e-5 and
 * rtol 1e-4 (float32 weights and arithmetic over four steps; the normalizations divide by √(var + 1e-3), up to ~32x
 * at a two-value cell state with little spread). Then the cell conformance kit on the reference ops and the
 * compiled-kernel checks on cpu, wasm and the interpreted GPU programs.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCpuBackend } from '@seqmodel/backend-cpu';
import type { TfjsBackend } from '@seqmodel/backend-tfjs';
import {
  compiledCellChecks,
  interpretedGpuBackend,
  interpretedLaunchesPerStep,
} from '@seqmodel/backend-tfjs/testing';
import { createWasmBackend } from '@seqmodel/backend-wasm';
import {
  cellSpecificationVersions,
  countParams,
  createReferenceBackend,
  explainParamCount,
  type FusedPolicy,
  getCell,
  registerCell,
  resolveCellOptions,
  runSequence,
  type SequenceArgs,
  unregisterCell,
} from '@seqmodel/core';
import { assertClose, cellConformanceChecks } from '@seqmodel/core/testing';
import { describe, expect, it } from 'vitest';
import { layerNormLstm } from './layernorm-lstm.js';

interface Fixture {
  readonly batch: number;
  readonly time: number;
  readonly inputSize: number;
  readonly units: number;
  readonly normEpsilon: number;
  readonly params: Record<string, number[] | number[][]>;
  readonly inputs: number[][][];
  readonly initialState: number[][][];
  readonly outputWeights: number[][][];
  readonly outputs: number[][][];
  readonly finalState: number[][][];
  readonly gradients: Record<string, number[] | number[][] | number[][][]>;
}

const fixture = JSON.parse(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../fixtures/layernorm_lstm.json'), 'utf8'),
) as Fixture;
const paramNames = Object.keys(fixture.params);

function args<T>(params: readonly T[], inputs: T, initialState: T[]): SequenceArgs<T> {
  return {
    cell: layerNormLstm,
    options: resolveCellOptions(layerNormLstm, { normEpsilon: fixture.normEpsilon }),
    units: fixture.units,
    inputs,
    initialState,
    params: Object.fromEntries(paramNames.map((n, i) => [n, params[i]!])),
    returnSequences: true,
  };
}

/** `assertClose` on nested arrays, flattened (the fixture's are up to three deep). */
function expectClose(actual: unknown, expected: unknown, atol: number, rtol: number, what: string): void {
  assertClose(what, [actual].flat(3) as number[], [expected].flat(3) as number[], { atol, rtol });
}

describe('layerNormLstm against PyTorch', () => {
  it('forward on the float64 reference: every step and both final states within 1e-12', () => {
    const ref = createReferenceBackend();
    const result = runSequence(
      ref,
      args(
        paramNames.map((n) => ref.tensor(fixture.params[n]!)),
        ref.tensor(fixture.inputs),
        fixture.initialState.map((s) => ref.tensor(s)),
      ),
    );
    expectClose(ref.toArray(result.output), fixture.outputs, 1e-12, 0, 'outputs');
    result.state.forEach((s, k) => {
      expectClose(ref.toArray(s), fixture.finalState[k], 1e-12, 0, `final state ${k}`);
    });
  });

  const backends: [string, () => Promise<TfjsBackend>][] = [
    ['cpu', async () => createCpuBackend()],
    ['wasm', () => createWasmBackend()],
  ];
  for (const [name, make] of backends) {
    for (const policy of ['require', 'never'] as FusedPolicy[]) {
      const path = policy === 'require' ? 'compiled' : 'generic loop';
      it(`${name}, ${path}: outputs, states and the gradients of every parameter, the inputs and the initial states`, async () => {
        const b = await make();
        const params = paramNames.map((n) => b.tensor(fixture.params[n]!));
        const inputs = b.tensor(fixture.inputs);
        const initial = fixture.initialState.map((s) => b.tensor(s));
        const weights = b.tensor(fixture.outputWeights);
        const before = b.memory().numTensors;
        const leaves = [...params, inputs, ...initial];
        let outputs: number[] = [];
        let states: number[][] = [];
        const { value, grads } = b.valueAndGrads((...xs) => {
          const run = runSequence(
            b,
            args(xs.slice(0, params.length), xs[params.length]!, xs.slice(params.length + 1)),
            policy,
          );
          outputs = [...b.dataSync(run.output)];
          states = run.state.map((s) => [...b.dataSync(s)]);
          return b.sum(b.mul(run.output, weights));
        }, leaves);
        expectClose(outputs, fixture.outputs, 2e-5, 1e-4, 'outputs');
        states.forEach((s, k) => {
          expectClose(s, fixture.finalState[k], 2e-5, 1e-4, `final state ${k}`);
        });
        [...paramNames, 'inputs', 'initialH', 'initialC'].forEach((n, i) => {
          expectClose([...b.dataSync(grads[i]!)], fixture.gradients[n], 2e-5, 1e-4, `d ${n}`);
        });
        b.dispose([value, ...grads]);
        expect(b.memory().numTensors).toBe(before);
        b.dispose([...leaves, weights]);
      });
    }
  }
});

describe('layerNormLstm', () => {
  it('counts its parameters: an LSTM and a scale and offset per normalization', () => {
    expect(countParams(layerNormLstm, { inputSize: 45, units: 64 })).toBe(
      45 * 256 + 64 * 256 + 256 + 4 * 256 + 2 * 64,
    );
    expect(explainParamCount(layerNormLstm, { inputSize: 3, units: 2 }).formula).toBe(
      '(3*2)*4 + (2*2)*4 + 2*4 + 8 + 8 + 8 + 8 + 2 + 2 = 84',
    );
  });

  it('rejects bad options by name', () => {
    expect(() => countParams(layerNormLstm, { inputSize: 2, units: 2, normEpsilon: 0 })).toThrow(
      /layerNormLstm\.normEpsilon: expected a positive number, received 0/,
    );
    expect(() =>
      countParams(layerNormLstm, { inputSize: 2, units: 2, recurrentActivation: 'swoosh' }),
    ).toThrow(/layerNormLstm\.recurrentActivation: unknown activation "swoosh"/);
  });

  it('declares the CellPlugin contract it implements and is registered by the code that uses it', () => {
    expect(cellSpecificationVersions).toContain(layerNormLstm.specificationVersion);
    registerCell(layerNormLstm);
    expect(getCell('layerNormLstm')).toBe(layerNormLstm);
    unregisterCell('layerNormLstm');
  });
});

const configs = [
  { inputSize: 3, units: 4 },
  { inputSize: 2, units: 5, options: { activation: 'relu', useBias: false, unitForgetBias: false } },
];

describe('layerNormLstm conformance on the reference ops', () => {
  for (const check of cellConformanceChecks(layerNormLstm, createReferenceBackend(), { configs })) {
    it.skipIf(check.skip !== undefined)(check.name, check.run);
  }
});

// interpretedGpuBackend: the compiled kernel webgl and webgpu run for it, its programs interpreted in Node.
for (const backend of [createCpuBackend(), await createWasmBackend(), interpretedGpuBackend()]) {
  describe(`layerNormLstm compiled on ${backend.name}`, () => {
    for (const check of compiledCellChecks(layerNormLstm, backend, { configs })) {
      it.skipIf(check.skip !== undefined)(check.name, check.run);
    }
  });
}

// The GPU kernel launches one program per elementwise pass of its plan. Each normalization's two sums are products,
// which split the passes (its per-row values are read across the rows, and backward its sums' gradients too; the
// per-row values' gradients are sums again): 8 forward where an LSTM has 1 (counted here with the programs interpreted
// in Node; the browser suites count them on the GPU).
describe('layerNormLstm on webgl and webgpu: programs launched per time step', () => {
  const cases = [
    [{}, { forward: 8, backward: 11 }],
    [{ mask: true }, { forward: 8, backward: 12 }],
    [{ recurrentDropout: true }, { forward: 9, backward: 11 }],
    [
      { mask: true, recurrentDropout: true },
      { forward: 10, backward: 11 },
    ],
  ] as const;
  for (const [options, counts] of cases) {
    it(`${JSON.stringify(options)}: ${counts.forward} forward, ${counts.backward} backward`, () => {
      expect(interpretedLaunchesPerStep(layerNormLstm, options)).toEqual(counts);
    });
  }
});
