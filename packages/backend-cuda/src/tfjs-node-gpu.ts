/**
 * The classic path: seqmodel on `@tensorflow/tfjs-node-gpu` (TensorFlow's C library with CUDA), bound through the
 * shared tfjs binding. An optional peer dependency, imported lazily, never installed or built by this repository:
 * its install downloads libtensorflow 2.9.1, built for CUDA 11.2 and cuDNN 8.1; it fails to load on CUDA 12 and
 * later (tfjs issues 8362, 8269) and has no kernels for Hopper GPUs. `createCudaBackend()` is the path for today's
 * GPUs.
 */

import type { Availability } from '@seqmodel/backend-native';
import { createTfjsBackend, initTfjsBackend, type TfjsBackend } from '@seqmodel/backend-tfjs';
import { SeqmodelError } from '@seqmodel/core';

const packageName = '@tensorflow/tfjs-node-gpu';

let loading: Promise<Availability> | undefined;

/**
 * Whether `@tensorflow/tfjs-node-gpu` is installed and loads here (it registers the tfjs backend `tensorflow`),
 * and if not, why, in one line. Never throws.
 */
export function tfjsNodeGpuAvailability(): Promise<Availability> {
  loading ??= (async (): Promise<Availability> => {
    try {
      // A variable specifier: bundlers and TypeScript leave the optional peer alone.
      const specifier = packageName;
      await import(/* @vite-ignore */ specifier);
      return { available: true };
    } catch (error) {
      const message = (error as Error).message.split('\n')[0] ?? String(error);
      const missing = (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND';
      return {
        available: false,
        reason: missing
          ? `${packageName} is not installed (an optional peer: npm install ${packageName}@4.22.0, which downloads libtensorflow for CUDA 11.2 and cuDNN 8.1)`
          : `${packageName} did not load (${message}); it needs CUDA 11.2 and cuDNN 8.1 and fails on CUDA 12 and later`,
      };
    }
  })();
  return loading;
}

/**
 * A seqmodel backend on `@tensorflow/tfjs-node-gpu` (tfjs backend `tensorflow`); throws a `SeqmodelError` with the
 * reason when the package is missing or does not load.
 */
export async function createTfjsNodeGpuBackend(): Promise<TfjsBackend> {
  const availability = await tfjsNodeGpuAvailability();
  if (!availability.available) throw new SeqmodelError(`createTfjsNodeGpuBackend: ${availability.reason}`);
  await initTfjsBackend('tensorflow');
  return createTfjsBackend({ name: 'tfjs-node-gpu', tfjsBackendName: 'tensorflow' });
}
