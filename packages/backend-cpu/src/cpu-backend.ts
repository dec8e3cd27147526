/** The seqmodel backend on tfjs's pure-JavaScript CPU backend. */
import {
  createTfjsBackend,
  factoryKernelOptions,
  JsGemm,
  type TfjsBackend,
  type TfjsFusedKernelEntry,
  type TfjsKernelDefinition,
} from '@seqmodel/backend-tfjs';
import { checkBoolean, checkOptions, invalidArgument, optionKeys, SeqmodelError } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { cpuFusedKernels } from './fused-kernels.js';
import './register-tfjs-cpu.js';

export interface CpuBackendOptions {
  /**
   * More fused kernels of any kind, tried before the built-in ones and those registered for the backend's name
   * (core's `registerKernel`); `false` leaves out every fused kernel, built-in and registered, so that the generic
   * path runs everywhere.
   */
  readonly kernels?: readonly TfjsKernelDefinition[] | false;
  /**
   * Fused kernels by cell name, added to (and replacing) the built-in ones; `false` leaves out every fused kernel,
   * as `kernels: false` does.
   *
   * @deprecated Pass them as `kernels` (`{ kind: 'sequence', name: cellName, kernel }`), or `kernels: false`.
   */
  readonly fusedKernels?: Readonly<Record<string, TfjsFusedKernelEntry>> | false;
  /** Check sequence arguments for NaN and ±Infinity before every `runSequence` (default false). */
  readonly checkNumerics?: boolean;
}

const cpuOptionKeys = optionKeys<CpuBackendOptions>({
  kernels: true,
  fusedKernels: true,
  checkNumerics: true,
});

/**
 * A seqmodel backend on `@tensorflow/tfjs-backend-cpu`: pure JavaScript, runs in Node and every browser, and needs
 * no initialization. Every call creates a new seqmodel backend object; all of them share tfjs's one CPU backend.
 *
 * @example
 * const backend = createCpuBackend();
 * const x = backend.tensor([[1, 2], [3, 4]]);
 */
export function createCpuBackend(options: CpuBackendOptions = {}): TfjsBackend {
  if (typeof options !== 'object' || options === null) {
    invalidArgument('createCpuBackend(options)', options, 'an options object');
  }
  checkOptions('createCpuBackend(options)', options, cpuOptionKeys);
  if (options.checkNumerics !== undefined) {
    checkBoolean('createCpuBackend(options.checkNumerics)', options.checkNumerics);
  }
  // The CPU backend initializes synchronously, so this cannot leave an initialization pending.
  if (!tf.engine().findBackend('cpu')) {
    throw new SeqmodelError(
      'createCpuBackend: tfjs backend "cpu" failed to initialize (see tfjs\'s warning above)',
    );
  }
  return createTfjsBackend({
    name: 'cpu',
    tfjsBackendName: 'cpu',
    ...factoryKernelOptions(cpuFusedKernels, options, 'createCpuBackend'),
    // Tensors live in CPU memory: seqmodel's layout kernels beat tfjs's for the recurrent loop, its GEMM beats
    // tfjs-backend-cpu's matMul 5-8 times, and its scatter-add beats UnsortedSegmentSum, whose cost grows with the
    // vocabulary, for an Embedding's gradient.
    hostKernels: true,
    hostMatMul: new JsGemm(),
    hostGatherGradient: true,
    ...(options.checkNumerics === undefined ? {} : { checkNumerics: options.checkNumerics }),
  });
}
