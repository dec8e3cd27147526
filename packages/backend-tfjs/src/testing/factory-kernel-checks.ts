/**
 * Checks of a backend package's factory options for fused kernels (`createCpuBackend`, `createWasmBackend`,
 * `createNativeBackend`): its default `sequence` kernels (the compiled kernel for every cell, or kernels of its own by
 * cell name), the `kernels` option tried before them, kernels registered for
 * the backend's name after the backend's own for that name, `kernels: false` and the deprecated `fusedKernels:
 * false` leaving every fused kernel out, and the deprecated `fusedKernels` record still adding kernels by cell name.
 */
import {
  type AnyCellPlugin,
  type Backend,
  findKernel,
  initParamTensors,
  lstm,
  registerKernel,
  runSequence,
  SeqmodelError,
  type SequenceArgs,
  type SequenceResult,
  scanCell,
  unregisterKernel,
} from '@seqmodel/core';
import type { ConformanceCheck } from '@seqmodel/core/testing';
import type * as tf from '@tensorflow/tfjs-core';
import type { FactoryKernelOptions, TfjsBackend, TfjsFusedKernel } from '../tfjs-backend.js';
import { expectSeqmodelError } from './bad-input-checks.js';
import { minimalGatedUnit } from './plugin-cell.js';

type Tensor = tf.Tensor;

/** A sequence kernel that records its runs and computes with the generic loop. */
function countingKernel(
  b: Backend<Tensor>,
  runs: string[],
  label: string,
  supports: (args: SequenceArgs<Tensor>) => string | undefined = () => undefined,
): TfjsFusedKernel {
  return {
    supports,
    run: (args): SequenceResult<Tensor> => {
      runs.push(label);
      return scanCell(b, args);
    },
  };
}

function sequenceArgs(b: Backend<Tensor>, cell: AnyCellPlugin, masked = false): SequenceArgs<Tensor> {
  return {
    cell,
    units: 2,
    inputs: b.fill([1, 3, 2], 0.5),
    params: initParamTensors(b, cell, { inputSize: 2, units: 2 }, 3),
    ...(masked ? { mask: b.fill([1, 3], 1) } : {}),
  };
}

/** Runs a sequence with `require` and frees everything. */
function runRequired(b: Backend<Tensor>, args: SequenceArgs<Tensor>): void {
  try {
    const r = runSequence(b, args, 'require');
    b.dispose([r.output, ...r.state]);
  } finally {
    b.dispose([args.inputs, ...Object.values(args.params), ...(args.mask ? [args.mask] : [])]);
  }
}

function expectEqual(what: string, actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new SeqmodelError(
      `${what}: expected ${JSON.stringify(expected)}, received ${JSON.stringify(actual)}`,
    );
  }
}

/** The `sequence` kernels a factory files by default. */
export interface FactoryDefaultKernels {
  /** Cells with a kernel of their own, in the order `kernels.names('sequence')` lists them. */
  readonly named: readonly string[];
  /** Whether a compiled kernel under `*` serves every cell (and those named ones that decline). */
  readonly compiled: boolean;
}

/**
 * Every check for `factory` (its name in errors), creating backends with `create`; `defaults` are the kernels it
 * files by default (the compiled kernel alone, as the cpu and wasm backends do, unless said otherwise).
 *
 * @example
 * for (const check of factoryKernelChecks('createCpuBackend', (options) => createCpuBackend(options))) it(check.name, check.run);
 */
export function factoryKernelChecks(
  factory: string,
  create: (options: FactoryKernelOptions) => TfjsBackend | Promise<TfjsBackend>,
  defaults: FactoryDefaultKernels = { named: [], compiled: true },
): ConformanceCheck[] {
  const label = `${factory} kernels`;
  return [
    {
      name: `${label}: the default kernels (${[...defaults.named, ...(defaults.compiled ? ['compiled'] : [])].join(', ')}), also through the deprecated fusedKernels`,
      async run() {
        const b = await create({});
        expectEqual(`${label}: specificationVersion`, b.specificationVersion, 'v1');
        expectEqual(`${label}: kernels.kinds()`, b.kernels.kinds(), ['sequence']);
        // names lists cells with a kernel of their own, never '*'.
        expectEqual(`${label}: kernels.names('sequence')`, b.kernels.names('sequence'), defaults.named);
        for (const cell of [lstm, minimalGatedUnit]) {
          const named = defaults.named.includes(cell.name);
          // Its own kernel first where it has one, then the compiled one (under '*').
          const kernels = b.kernels.lookup('sequence', cell.name);
          expectEqual(
            `${label}: ${cell.name}'s kernel count`,
            kernels.length,
            (named ? 1 : 0) + (defaults.compiled ? 1 : 0),
          );
          const kernel = kernels[0];
          if (!named && !defaults.compiled) {
            if (kernel !== undefined)
              throw new SeqmodelError(`${label}: ${cell.name} has an unexpected kernel`);
            continue;
          }
          const compiled = kernel?.label?.startsWith('compiled') ?? false;
          if (kernel === undefined || compiled === named) {
            throw new SeqmodelError(
              `${label}: ${cell.name}'s kernel is ${kernel?.label ?? (kernel ? 'unlabelled' : 'missing')}, expected ${named ? 'its own' : 'a compiled one'}`,
            );
          }
          // Several kernels are answered as one that tries each in turn.
          const legacy = b.fusedKernels.get(cell.name);
          if (kernels.length === 1 ? legacy !== findKernel(b, 'sequence', cell.name) : legacy === undefined) {
            throw new SeqmodelError(`${label}: fusedKernels.get('${cell.name}') is not the table's kernel`);
          }
          runRequired(b, sequenceArgs(b, cell));
        }
      },
    },
    {
      name: `${label}: the kernels option, of any kind, is tried before the built-in (compiled) kernel`,
      async run() {
        const runs: string[] = [];
        const b = await create({
          kernels: [
            {
              kind: 'sequence',
              name: 'lstm',
              kernel: (backend) =>
                countingKernel(backend, runs, 'own', (a) => (a.mask ? 'own takes no mask' : undefined)),
            },
            {
              kind: 'attention',
              name: 'testDotProduct',
              kernel: (backend) => countingKernel(backend, runs, 'attention'),
            },
          ],
        });
        expectEqual(`${label}: kinds`, b.kernels.kinds(), ['sequence', 'attention']);
        // The option's, the backend's own (where it has one) and the compiled one (where it has it).
        expectEqual(
          `${label}: lstm kernels`,
          b.kernels.lookup('sequence', 'lstm').length,
          1 + (defaults.named.includes('lstm') ? 1 : 0) + (defaults.compiled ? 1 : 0),
        );
        runRequired(b, sequenceArgs(b, lstm));
        expectEqual(`${label}: runs`, runs, ['own']);
        // Declined by the option's kernel: the backend's own runs.
        runRequired(b, sequenceArgs(b, lstm, true));
        expectEqual(`${label}: runs after a masked call`, runs, ['own']);
        // The factory may be asynchronous (wasm): its error then comes as a rejection.
        const error = await Promise.resolve()
          .then(() => create({ kernels: 'lstm' as never }))
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expectSeqmodelError(`${label}: kernels not an array`, () => {
          if (error !== undefined) throw error;
        }, [
          `${factory}(options.kernels): expected an array of kernel definitions or false, received "lstm"`,
        ]);
      },
    },
    {
      name: `${label}: kernels registered for the backend's name come after its own; kernels: false and fusedKernels: false leave them out`,
      async run() {
        const runs: string[] = [];
        const made = await create({});
        const key = { backend: made.name, kind: 'sequence', name: minimalGatedUnit.name };
        registerKernel<TfjsBackend>({
          ...key,
          kernel: (backend) => countingKernel(backend, runs, 'registered'),
        });
        try {
          const off = [await create({ kernels: false }), await create({ fusedKernels: false })];
          runRequired(made, sequenceArgs(made, minimalGatedUnit));
          expectEqual(`${label}: runs`, runs, ['registered']);
          for (const b of off) {
            expectEqual(`${label}: kinds with kernels off`, b.kernels.kinds(), []);
            expectSeqmodelError(
              `${label}: kernels off`,
              () => runRequired(b, sequenceArgs(b, minimalGatedUnit)),
              [
                `fused kernel required but unavailable: backend ${b.name} has no fused kernel for ${minimalGatedUnit.name}`,
              ],
            );
          }
        } finally {
          unregisterKernel(key);
        }
      },
    },
    {
      name: `${label}: the deprecated fusedKernels record still adds a kernel by cell name`,
      async run() {
        const runs: string[] = [];
        const b = await create({
          fusedKernels: { lstm: (backend) => countingKernel(backend, runs, 'record') },
        });
        // The record's kernel (in place of the backend's own lstm kernel), then the compiled one.
        expectEqual(
          `${label}: lstm kernels`,
          b.kernels.lookup('sequence', 'lstm').length,
          defaults.compiled ? 2 : 1,
        );
        runRequired(b, sequenceArgs(b, lstm));
        expectEqual(`${label}: runs`, runs, ['record']);
      },
    },
  ];
}
