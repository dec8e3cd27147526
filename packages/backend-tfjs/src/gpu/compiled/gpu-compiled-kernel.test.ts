import '@tensorflow/tfjs-backend-cpu';
import {
  type AnyCellPlugin,
  findKernel,
  gru,
  initParams,
  initParamTensors,
  lstm,
  resolveCellOptions,
  runSequence,
  simpleRNN,
} from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initTfjsBackend } from '../../backend-switching.js';
import { compiledCellChecks } from '../../testing/compiled-kernel-checks.js';
import {
  boundsCell,
  gpuCompilerCornerCells,
  inputProductChainCell,
  wideReadsCell,
} from '../../testing/corner-cells.js';
import { compiledEdgeValueChecks } from '../../testing/edge-value-checks.js';
import { gpuCompiledBuiltInCells } from '../../testing/fused-kernel-checks.js';
import {
  InterpretingLauncher,
  interpretedGpuBackend,
  interpretedLaunchesPerStep,
  type LaunchCountOptions,
} from '../../testing/interpreting-launcher.js';
import { leakyRnn } from '../../testing/leaky-rnn.js';
import { minimalGatedUnit } from '../../testing/plugin-cell.js';
import { randomCellChecks, randomCellRun } from '../../testing/random-cells.js';
import { gpuCompiledSequenceKernel } from './gpu-compiled-kernel.js';
import { recordCompiledGpuPrograms } from './record-programs.js';

await initTfjsBackend('cpu');

const backend = interpretedGpuBackend();

const cases = [
  { cell: minimalGatedUnit, configs: [{ inputSize: 3, units: 4 }] },
  {
    cell: leakyRnn,
    configs: [
      { inputSize: 3, units: 4 },
      { inputSize: 2, units: 5, options: { leak: 0.25, activation: 'relu' } },
    ],
  },
  ...gpuCompiledBuiltInCells,
];
// The kit's cases on a strict kernel: one it declines fails instead of running the generic loop.
const strict = interpretedGpuBackend(undefined, { strict: true });
for (const { cell, configs } of [...cases, ...gpuCompilerCornerCells]) {
  describe(`compiled GPU programs (interpreted) for ${cell.name}`, () => {
    for (const check of compiledCellChecks(cell, strict, { configs })) {
      it.skipIf(check.skip !== undefined)(check.name, check.run);
    }
  });
}

describe('compiled GPU programs (interpreted, in float32) at float32 ties, signed zeros and NaN', () => {
  // The programs' logic; a real GPU leaves NaN through max, min and clamp to its shader compiler.
  for (const check of compiledEdgeValueChecks(strict)) it(check.name, check.run);
});

describe('compiled GPU programs (interpreted) of random cells match the generic loop', () => {
  // At WebGPU's 7 inputs and at 4 (packing reads side by side); 500 seeds passed at 7 when the check was written.
  for (const check of randomCellChecks(strict, randomCellRun({ seeds: 60 })))
    it.skipIf(check.skip !== undefined)(check.name, check.run);
  const narrow = interpretedGpuBackend(new InterpretingLauncher(4), { strict: true });
  for (const check of randomCellChecks(narrow, randomCellRun({ seeds: 30 })))
    it.skipIf(check.skip !== undefined)(check.name, check.run);
});

describe('constants GPU programs cannot write', () => {
  it('decline the kernel, naming the constant, and the generic loop runs', () => {
    const args = {
      cell: boundsCell,
      units: 3,
      inputs: backend.fill([2, 4, 2], 0.5),
      params: initParamTensors(backend, boundsCell, { inputSize: 2, units: 3 }, 7),
    };
    const kernel = findKernel(backend, 'sequence', boundsCell.name)!;
    expect(kernel.supports(args)).toMatch(/cannot be written: the constant -?Infinity has no shader literal/);
    expect(kernel.supports({ ...args, options: { bound: 0.5 } })).toBeUndefined();
    const { output, state } = runSequence(backend, args);
    expect(output.shape).toEqual([2, 3]);
    backend.dispose([output, ...state, args.inputs, ...Object.values(args.params)]);
  });
});

describe('launches per step', () => {
  // Forward, backward: one launch per elementwise pass of the plan, products inline, except a product a pass would
  // recompute for more than 4 times its width (maxInlineRecomputation), a launch of its own where the pass stays
  // within the input limit (the backward passes of LSTM and GRU). With a mask the same (the output and the carried
  // gradient are columns of the passes' outputs).
  const expected: [AnyCellPlugin, LaunchCountOptions, { forward: number; backward: number }][] = [
    [minimalGatedUnit, {}, { forward: 2, backward: 2 }],
    [minimalGatedUnit, { mask: true }, { forward: 2, backward: 2 }],
    [leakyRnn, {}, { forward: 1, backward: 1 }],
    [simpleRNN, {}, { forward: 1, backward: 1 }],
    [simpleRNN, { mask: true, recurrentDropout: true }, { forward: 2, backward: 2 }],
    [lstm, {}, { forward: 1, backward: 2 }],
    [lstm, { mask: true, recurrentDropout: true }, { forward: 2, backward: 2 }],
    [gru, { options: { resetAfter: true } }, { forward: 1, backward: 2 }],
    [gru, { options: { resetAfter: false } }, { forward: 2, backward: 3 }],
    // Q's gradient needs ((x·W)·V) of every step, a record reading its step's row of the input products: one
    // launch per step copies it (3 backward without it, when the gradient was wrong).
    [inputProductChainCell, {}, { forward: 2, backward: 4 }],
    // With a mask, a backward pass reading more than 7 tensors first packs some of them side by side: one launch of
    // its own (4 backward where a program may read 16). Without a mask, a state's masked value is not bound (5 when
    // it was: one more input for nothing, and a pack).
    [wideReadsCell, { mask: true }, { forward: 3, backward: 5 }],
    [wideReadsCell, {}, { forward: 3, backward: 4 }],
  ];
  for (const [cell, options, counts] of expected) {
    it(`${cell.name} ${JSON.stringify(options)}: ${counts.forward} forward, ${counts.backward} backward`, () => {
      expect(interpretedLaunchesPerStep(cell, options)).toEqual(counts);
    });
  }
});

describe('gradients asked for', () => {
  it('training the parameters alone skips the input gradient (its product dZ·Wᵀ); the same parameter gradients', async () => {
    const [batch, time, inputSize, units] = [2, 4, 3, 4];
    const options = resolveCellOptions(minimalGatedUnit, {});
    const host = initParams(minimalGatedUnit, { inputSize, units }, 1);
    const names = Object.keys(host);
    const params = names.map((n) => backend.tensor(host[n]!.values, host[n]!.shape));
    const inputs = backend.tensor(
      Float32Array.from({ length: batch * time * inputSize }, (_, i) => Math.cos(i)),
      [batch, time, inputSize],
    );
    const loss = (x: tf.Tensor, ps: tf.Tensor[]) =>
      backend.sum(
        runSequence(backend, {
          cell: minimalGatedUnit,
          options,
          units,
          inputs: x,
          params: Object.fromEntries(names.map((n, i) => [n, ps[i]!])),
        }).output,
      );
    const run = async (withInputs: boolean) => {
      let values: Float32Array[] = [];
      const profile = await tf.profile(() => {
        const { value, grads } = withInputs
          ? backend.valueAndGrads((x, ...ps) => loss(x!, ps), [inputs, ...params])
          : backend.valueAndGrads((...ps) => loss(inputs, ps), params);
        values = grads.slice(withInputs ? 1 : 0).map((g) => backend.dataSync(g) as Float32Array);
        backend.dispose([value, ...grads]);
      });
      return { values, products: profile.kernels.filter((k) => k.name === 'BatchMatMul').length };
    };
    const paramsOnly = await run(false);
    const withInputs = await run(true);
    // MGU has one input product (both gates' columns): its input gradient is one more product.
    expect(withInputs.products - paramsOnly.products).toBe(1);
    paramsOnly.values.forEach((v, i) => {
      expect(Array.from(v)).toEqual(Array.from(withInputs.values[i]!));
    });
    backend.dispose([...params, inputs]);
  });
});

describe('refusals', () => {
  it('declines a program that would read more tensors than the launcher allows, naming it', () => {
    const [batch, time, inputSize, units] = [2, 3, 3, 4];
    const options = resolveCellOptions(gru, { resetAfter: false });
    const host = initParams(gru, { inputSize, units, resetAfter: false }, 1);
    const params = Object.fromEntries(
      Object.entries(host).map(([n, p]) => [n, backend.tensor(p.values, p.shape)]),
    );
    const inputs = backend.tensor(new Float32Array(batch * time * inputSize), [batch, time, inputSize]);
    const mask = backend.tensor(new Float32Array(batch * time).fill(1), [batch, time]);
    const recurrentMask = backend.tensor(new Float32Array(batch * units).fill(1), [batch, units]);
    const args = { cell: gru, options, units, inputs, params, mask, recurrentMask, returnSequences: true };
    // Within WebGPU's 7, and within 4 by packing what a pass reads side by side; not within 3.
    expect(gpuCompiledSequenceKernel(backend, new InterpretingLauncher(7)).supports(args)).toBeUndefined();
    expect(gpuCompiledSequenceKernel(backend, new InterpretingLauncher(4)).supports(args)).toBeUndefined();
    const narrow = gpuCompiledSequenceKernel(backend, new InterpretingLauncher(3));
    expect(narrow.supports(args)).toMatch(
      /its program gru (forward|backward) \d would read \d tensors, more than the 3/,
    );
    backend.dispose([...Object.values(params), inputs, mask, recurrentMask]);
  });

  it("declines what the compiler declines, with the compiler's reason", () => {
    const kernel = gpuCompiledSequenceKernel(backend, new InterpretingLauncher(7));
    const options = resolveCellOptions(simpleRNN, { activation: 'softmax' });
    const host = initParams(simpleRNN, { inputSize: 3, units: 4 }, 1);
    const params = Object.fromEntries(
      Object.entries(host).map(([n, p]) => [n, backend.tensor(p.values, p.shape)]),
    );
    const inputs = backend.tensor(new Float32Array(2 * 3 * 3), [2, 3, 3]);
    expect(kernel.supports({ cell: simpleRNN, options, units: 4, inputs, params })).toMatch(/not compiled/);
    backend.dispose([...Object.values(params), inputs]);
  });
});

describe('recordCompiledGpuPrograms', () => {
  const lang = new InterpretingLauncher().lang;
  const [batch, time, inputSize, units] = [2, 3, 3, 4];
  const argsOf = (cell: AnyCellPlugin, variant: Record<string, unknown>) => {
    const host = initParams(cell, { inputSize, units, ...variant }, 1);
    return {
      cell,
      options: resolveCellOptions(cell, variant),
      units,
      inputs: backend.tensor(new Float32Array(batch * time * inputSize).fill(0.5), [batch, time, inputSize]),
      params: Object.fromEntries(
        Object.entries(host).map(([n, p]) => [n, backend.tensor(p.values, p.shape)]),
      ),
    };
  };

  it('records what the kernel launches: the forward programs, and the backward ones when training', () => {
    const args = argsOf(minimalGatedUnit, {});
    const before = backend.memory().numTensors;
    const training = recordCompiledGpuPrograms(backend, args, { lang, maxInputs: 7 });
    const inference = recordCompiledGpuPrograms(backend, args, { lang, maxInputs: 7, training: false });
    expect(backend.memory().numTensors).toBe(before);
    if (typeof training === 'string' || typeof inference === 'string') throw new Error('declined');
    // Inference: forward programs only (the first step's, without a previous state, apart from the later steps').
    expect(inference.length).toBeGreaterThanOrEqual(2);
    for (const p of inference) expect(p.name).toMatch(/^testMinimalGatedUnit forward \d$/);
    expect(training.length).toBeGreaterThan(inference.length);
    expect(training.some((p) => /backward/.test(p.name))).toBe(true);
    for (const p of training) expect(p.inputs.length).toBeLessThanOrEqual(7);
    backend.dispose([args.inputs, ...Object.values(args.params)]);
  });

  it("returns the kernel's reason where it declines", () => {
    const args = argsOf(simpleRNN, { activation: 'softmax' });
    expect(recordCompiledGpuPrograms(backend, args, { lang, maxInputs: 7 })).toMatch(/not compiled/);
    backend.dispose([args.inputs, ...Object.values(args.params)]);
  });
});
