/**
 * The fused kernels `createWebgpuBackend()` uses by default: simpleRNN, LSTM and GRU (both `resetAfter` variants) from
 * `@seqmodel/backend-tfjs`'s GPU sequence kernels, their step programs compiled to WGSL compute shaders
 * (`wgsl-launcher.ts`): one dispatch per time step forward (two for GRU without `resetAfter`), two per step backward
 * (three); and under `*` the compiled GPU kernel for every other cell core's compiler accepts (plugin cells): one
 * dispatch per elementwise pass of the cell's plan per step. Arguments they do not support (softmax activations, a
 * cell the compiler declines, a program over WebGPU's 7 inputs) run through core's generic loop, with the reason
 * logged.
 */
import { gpuFusedKernels, type TfjsFusedKernelEntry } from '@seqmodel/backend-tfjs';
import { WgslLauncher } from './wgsl-launcher.js';

export const webgpuFusedKernels: Readonly<Record<string, TfjsFusedKernelEntry>> = gpuFusedKernels(
  (backend) => new WgslLauncher(backend),
);
