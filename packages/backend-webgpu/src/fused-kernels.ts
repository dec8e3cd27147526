/**
 * The fused kernels `createWebgpuBackend()` uses by default, keyed by cell name: simpleRNN, LSTM and GRU (both
 * `resetAfter` variants) from `@seqmodel/backend-tfjs`'s GPU sequence kernels, their step programs compiled to WGSL
 * compute shaders (`wgsl-launcher.ts`): one dispatch per time step forward (two for GRU without `resetAfter`), two
 * per step backward (three). Arguments they do not support (softmax activations, plugin cells) run through core's
 * generic loop, with the reason logged.
 */
import { gpuFusedKernels, type TfjsFusedKernelEntry } from '@seqmodel/backend-tfjs';
import { WgslLauncher } from './wgsl-launcher.js';

export const webgpuFusedKernels: Readonly<Record<string, TfjsFusedKernelEntry>> = gpuFusedKernels(
  (backend) => new WgslLauncher(backend),
);
