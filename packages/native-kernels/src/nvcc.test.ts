/**
 * The device path of the one kernel source: `nvcc -c` of cuda/device_check.cu, which instantiates every functor in
 * CUDA kernels. A compile check (no GPU is needed, nor cuBLAS or cuDNN); skipped, with the reason, without nvcc.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { findTool, run } from './toolchain.js';

const root = join(import.meta.dirname, '..');
const nvcc = findTool([process.env.NVCC, 'nvcc', '/usr/local/cuda/bin/nvcc'], 'nvcc (CUDA compiler)');
const work = mkdtempSync(join(tmpdir(), 'seqmodel-nvcc-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

it.skipIf(!nvcc.command)(
  `every kernel functor compiles for the device with nvcc${nvcc.reason ? ` (skipped: ${nvcc.reason})` : ''}`,
  () => {
    const object = join(work, 'device_check.o');
    // sm_90 (Hopper, the H200 the CUDA phase targets) and the CUDA runtime headers only.
    const result = run(
      nvcc.command!,
      [
        '-std=c++17',
        '-c',
        '-arch=sm_90',
        '-Werror',
        'all-warnings',
        '-I',
        join(root, 'include'),
        join(root, 'cuda', 'device_check.cu'),
        '-o',
        object,
      ],
      300_000,
    );
    expect(result.status, result.output).toBe(0);
  },
  600_000,
);
