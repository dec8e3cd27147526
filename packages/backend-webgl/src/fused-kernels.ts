/**
 * The fused kernels `createWebglBackend()` uses by default, keyed by cell name.
 */
import type { TfjsFusedKernelEntry } from '@seqmodel/backend-tfjs';

export const webglFusedKernels: Readonly<Record<string, TfjsFusedKernelEntry>> = {};
