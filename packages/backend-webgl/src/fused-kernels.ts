/**
 * The fused kernels `createWebglBackend()` uses by default: simpleRNN, LSTM and GRU (both `resetAfter` variants) from
 * `@seqmodel/backend-tfjs`'s GPU sequence kernels, their step programs compiled to GLSL fragment shaders
 * (`glsl-launcher.ts`): one program per time step forward (two for GRU without `resetAfter`), two per step backward
 * (three); and under `*` the compiled GPU kernel for every other cell core's compiler accepts (plugin cells): one
 * program per elementwise pass of the cell's plan per step. Arguments they do not support (softmax activations, a
 * cell the compiler declines) run through core's generic loop, with the reason logged.
 */
import { gpuFusedKernels, type TfjsFusedKernelEntry } from '@seqmodel/backend-tfjs';
import { GlslLauncher } from './glsl-launcher.js';

export const webglFusedKernels: Readonly<Record<string, TfjsFusedKernelEntry>> = gpuFusedKernels(
  (backend) => new GlslLauncher(backend),
);
