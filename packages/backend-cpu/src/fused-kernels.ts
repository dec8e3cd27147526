/**
 * The fused kernels `createCpuBackend()` uses by default, keyed by cell name. None yet: every cell runs through
 * core's generic loop (`scanCell`). A fused kernel goes in its own file beside this one (`fused-lstm.ts`, say),
 * built on `@seqmodel/backend-tfjs`'s `customGradient`, and is listed here; the cell conformance tests then check
 * it against the generic loop, forward and backward.
 */
import type { TfjsFusedKernelEntry } from '@seqmodel/backend-tfjs';

export const cpuFusedKernels: Readonly<Record<string, TfjsFusedKernelEntry>> = {};
