/**
 * The robustness suite's share for the binding's factory: bad options of `createTfjsBackend` and
 * `factoryKernelOptions`, each classified by core's rule and required to be a clear error.
 */
import '@tensorflow/tfjs-backend-cpu';
import { type RobustnessCase, robustnessChecks } from '@seqmodel/core/testing';
import { describe, it } from 'vitest';
import { initTfjsBackend } from './backend-switching.js';
import { builtInCellBindings } from './fused/cell-bindings.js';
import { hostFusedKernels, hostSequenceKernel } from './fused/host-sequence-kernels.js';
import { JsGemm } from './fused/js-gemm.js';
import { createTfjsBackend, factoryKernelOptions } from './tfjs-backend.js';

await initTfjsBackend('cpu');
const base = { name: 'test', tfjsBackendName: 'cpu' };
const create = (options: unknown) => () => createTfjsBackend(options as never);
const badValues = (key: string, values: unknown[]): RobustnessCase[] =>
  values.map((value) => ({
    entry: 'createTfjsBackend',
    argument: `createTfjsBackend(options.${key})`,
    received: `${key}: ${JSON.stringify(value) ?? String(value)}`,
    call: create({ ...base, [key]: value }),
  }));
const cases: RobustnessCase[] = [
  {
    entry: 'createTfjsBackend',
    argument: 'unknown option "tfjsBackend"',
    received: 'a misspelt option',
    call: create({ name: 'x', tfjsBackend: 'cpu' }),
  },
  {
    entry: 'createTfjsBackend',
    argument: 'unknown option "hostMatmul"',
    received: 'a misspelt option',
    call: create({ ...base, hostMatmul: {} }),
  },
  ...[5, 'cpu', null, undefined].map((value) => ({
    entry: 'createTfjsBackend',
    argument: 'createTfjsBackend(options)',
    received: String(value),
    call: create(value),
  })),
  ...badValues('name', ['', 5, null]),
  ...badValues('tfjsBackendName', ['', 5, 'no-such-backend']),
  ...[
    'registeredKernels',
    'checkNumerics',
    'checkIndices',
    'hostKernels',
    'explicitTransposes',
    'hostGatherGradient',
  ].flatMap((key) => badValues(key, ['yes', 1])),
  ...badValues('hostMatMul', [true, {}, 'js']),
  ...badValues('kernels', ['all', {}, 3]),
  {
    entry: 'hostFusedKernels',
    argument: 'unknown option "gem"',
    received: 'a misspelt option',
    call: () => hostFusedKernels({ gem: () => new JsGemm() } as never),
  },
  ...[undefined, new JsGemm(), 'js'].map((gemm) => ({
    entry: 'hostFusedKernels',
    argument: 'hostFusedKernels(config.gemm)',
    received: `gemm: ${String(gemm)}`,
    call: () => hostFusedKernels({ gemm } as never),
  })),
  ...[{ gem: new JsGemm() }, { gemm: () => new JsGemm() }, null].map((config) => ({
    entry: 'hostSequenceKernel',
    argument: 'hostSequenceKernel(config',
    received: JSON.stringify(config),
    call: () => hostSequenceKernel(createTfjsBackend(base), builtInCellBindings[0]!, config as never),
  })),
  {
    entry: 'factoryKernelOptions',
    argument: 'createXBackend(options.kernels)',
    received: 'a string',
    call: () => factoryKernelOptions({}, { kernels: 'all' as never }, 'createXBackend'),
  },
];
const checks = await robustnessChecks(cases, { suite: '@seqmodel/backend-tfjs' });

describe('createTfjsBackend robustness: every bad option is a clear error', () => {
  for (const check of checks) it(check.name, check.run);
});
