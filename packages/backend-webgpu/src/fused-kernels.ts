/**
 * The fused kernels `createWebgpuBackend()` uses by default, keyed by cell name.
 */
import type { TfjsFusedKernelEntry } from '@seqmodel/backend-tfjs';

export const webgpuFusedKernels: Readonly<Record<string, TfjsFusedKernelEntry>> = {};
