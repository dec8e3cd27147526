/**
 * Checks of a backend package's compiled-kernel factory with options (`cpuCompiledKernelWith`,
 * `wasmCompiledKernelWith`): `wrapGemm` sees the provider of every kernel the backend makes, every product of a
 * training step goes through what it returns, the results are those of the backend's default compiled kernel, and
 * bad options are named.
 */
import { initParamTensors, runSequence, SeqmodelError, type SequenceArgs } from '@seqmodel/core';
import type { ConformanceCheck } from '@seqmodel/core/testing';
import type * as tf from '@tensorflow/tfjs-core';
import { anyCell, type CompiledKernelOptions } from '../fused/compiled-sequence-kernels.js';
import { type GemmProvider, interceptGemm } from '../fused/gemm.js';
import type { FactoryKernelOptions, TfjsBackend, TfjsFusedKernelEntry } from '../tfjs-backend.js';
import { expectSeqmodelError, expectSeqmodelErrorAsync } from './bad-input-checks.js';
import { minimalGatedUnit } from './plugin-cell.js';

type Tensor = tf.Tensor;

/** `gemm` with every method call counted in `calls`, by name. */
function countingGemm(gemm: GemmProvider, calls: Map<string, number>): GemmProvider {
  return interceptGemm(gemm, (method, call) => {
    calls.set(method, (calls.get(method) ?? 0) + 1);
    return call();
  });
}

/** The loss (the output's sum) and the parameters' gradients of a training step of the plugin cell, read back. */
function trainingStep(b: TfjsBackend): number[][] {
  const params = initParamTensors(b, minimalGatedUnit, { inputSize: 3, units: 4 }, 7);
  const names = Object.keys(params);
  const inputs = b.tensor(
    Array.from({ length: 2 * 5 * 3 }, (_, i) => Math.sin(i)),
    [2, 5, 3],
  );
  try {
    const { value, grads } = b.valueAndGrads(
      (...ps) => {
        const args: SequenceArgs<Tensor> = {
          cell: minimalGatedUnit,
          units: 4,
          inputs,
          params: Object.fromEntries(names.map((n, i) => [n, ps[i]!])),
        };
        return b.sum(runSequence(b, args, 'require').output);
      },
      names.map((n) => params[n]!),
    );
    const read = [value, ...grads].map((t) => Array.from(b.dataSync(t!)));
    b.dispose([value, ...grads.filter((g) => g !== undefined)]);
    return read;
  } finally {
    b.dispose([inputs, ...Object.values(params)]);
  }
}

/**
 * @param name The factory's name, as its errors give it (`cpuCompiledKernelWith`).
 * @param kernelWith The factory.
 * @param create The backend factory (`createCpuBackend`), called with kernel options only.
 *
 * @example
 * for (const check of compiledKernelWithChecks('cpuCompiledKernelWith', cpuCompiledKernelWith, createCpuBackend)) {
 *   it(check.name, check.run);
 * }
 */
export function compiledKernelWithChecks(
  name: string,
  kernelWith: (options: CompiledKernelOptions) => TfjsFusedKernelEntry,
  create: (options: FactoryKernelOptions) => TfjsBackend | Promise<TfjsBackend>,
): ConformanceCheck[] {
  return [
    {
      name: `${name}: wrapGemm wraps the products of each kernel made, and the results are the default kernel's`,
      async run() {
        const calls = new Map<string, number>();
        let wrapped = 0;
        const kernel = kernelWith({
          wrapGemm: (gemm) => {
            wrapped++;
            return countingGemm(gemm, calls);
          },
        });
        const b = await create({ kernels: [{ kind: 'sequence', name: anyCell, kernel }] });
        const label = b.kernels.lookup('sequence', minimalGatedUnit.name)[0]?.label ?? '';
        if (wrapped !== 1 || !label.startsWith('compiled')) {
          throw new SeqmodelError(
            `${name}: expected one wrapped provider for a compiled kernel, received ${wrapped} for ${label || 'no kernel'}`,
          );
        }
        const ours = trainingStep(b);
        const products = (calls.get('multiply') ?? 0) + (calls.get('multiplyPrepared') ?? 0);
        // The input projection, and per step the recurrent products forward and backward: more than the steps.
        if (products <= 5 || (calls.get('prepare') ?? 0) === 0) {
          throw new SeqmodelError(
            `${name}: a training step's products did not go through the wrapped provider (${JSON.stringify([...calls])})`,
          );
        }
        const theirs = trainingStep(await create({}));
        if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
          throw new SeqmodelError(
            `${name}: the wrapped kernel's loss and gradients differ from the default kernel's`,
          );
        }
      },
    },
    {
      name: `${name}: bad options are named`,
      async run() {
        expectSeqmodelError(
          `${name}: an unknown option`,
          () => kernelWith({ wrapGem: () => undefined } as never),
          [`${name}(options): unknown option "wrapGem"`],
        );
        expectSeqmodelError(`${name}: wrapGemm not a function`, () => kernelWith({ wrapGemm: 3 as never }), [
          `${name}(options.wrapGemm)`,
          'a function',
          '3',
        ]);
        // The backend makes its kernels when it is created: a wrapGemm giving no provider fails there.
        const kernel = kernelWith({ wrapGemm: () => ({}) as GemmProvider });
        await expectSeqmodelErrorAsync(
          `${name}: a wrapGemm returning {}`,
          async () => create({ kernels: [{ kind: 'sequence', name: anyCell, kernel }] }),
          [`${name}(options.wrapGemm)(gemm)`, 'a GemmProvider'],
        );
      },
    },
  ];
}
