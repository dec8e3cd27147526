/**
 * The device path of the one kernel source, compiled with nvcc for sm_90 (Hopper, the H200 the CUDA backend
 * targets) with warnings as errors: cuda/device_check.cu (every functor in CUDA kernels), the device target's
 * translation units (runtime, tiled GEMM, sequence runner, generated programs) and the N-API addon with the device target. Compile checks:
 * no GPU, cuBLAS or cuDNN is needed (@seqmodel/backend-cuda links and loads them). Skipped, with the reason, without
 * nvcc; the addon without Node's headers.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { findTool, run } from './toolchain.js';

const root = join(import.meta.dirname, '..');
const nvcc = findTool([process.env.NVCC, 'nvcc', '/usr/local/cuda/bin/nvcc'], 'nvcc (CUDA compiler)');
const work = mkdtempSync(join(tmpdir(), 'seqmodel-nvcc-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const nodeHeaders = join(dirname(process.execPath), '..', 'include', 'node');

const sources: { file: string; flags: string[]; skip?: string }[] = [
  { file: 'cuda/device_check.cu', flags: [] },
  { file: 'cuda/runtime.cu', flags: [] },
  { file: 'cuda/gemm.cu', flags: [] },
  { file: 'cuda/sequence.cu', flags: [] },
  { file: 'cuda/programs.cu', flags: [] },
  {
    file: 'napi/addon.cc',
    flags: ['-x', 'cu', '-DSEQMODEL_TARGET_CUDA', '-I', nodeHeaders],
    ...(existsSync(join(nodeHeaders, 'node_api.h')) ? {} : { skip: `no node_api.h in ${nodeHeaders}` }),
  },
];

for (const source of sources) {
  const skip = nvcc.reason ?? source.skip;
  it.skipIf(skip !== undefined)(
    `${source.file} compiles for the device with nvcc${skip ? ` (skipped: ${skip})` : ''}`,
    () => {
      const result = run(
        nvcc.command!,
        [
          '-std=c++17',
          '-c',
          '-arch=sm_90',
          '-Werror',
          'all-warnings',
          ...source.flags,
          '-I',
          join(root, 'include'),
          '-I',
          root,
          join(root, source.file),
          '-o',
          join(work, `${source.file.replace(/[/.]/g, '_')}.o`),
        ],
        600_000,
      );
      expect(result.status, result.output).toBe(0);
    },
    600_000,
  );
}
