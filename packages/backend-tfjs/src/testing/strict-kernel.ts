/**
 * A fused kernel made strict for checks that must run on it. The kits compare a fused kernel with the generic loop
 * only on the cases the kernel says it supports, and a backend runs a declined case on its next kernel or the generic
 * loop, so a kernel that declined every variant but one would pass them. Strict, it takes every case and throws with
 * its reason on one it declines.
 *
 * @example
 * const backend = createTfjsBackend({ ..., kernels: [{ kind: 'sequence', name: anyName, kernel: strictKernel(k) }] });
 */
import { SeqmodelError } from '@seqmodel/core';
import type { TfjsBackend, TfjsFusedKernel, TfjsFusedKernelEntry } from '../tfjs-backend.js';

export function strictKernel(entry: TfjsFusedKernelEntry): (backend: TfjsBackend) => TfjsFusedKernel {
  return (backend) => {
    const kernel = typeof entry === 'function' ? entry(backend) : entry;
    return {
      label: `${kernel.label ?? 'fused'} (strict)`,
      supports: () => undefined,
      run(args) {
        const reason = kernel.supports(args);
        if (reason !== undefined) {
          throw new SeqmodelError(`strictKernel: the ${args.cell.name} kernel declined a case: ${reason}`);
        }
        return kernel.run(args);
      },
    };
  };
}
