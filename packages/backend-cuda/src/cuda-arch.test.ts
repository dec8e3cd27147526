/**
 * scripts/cuda-arch.mjs: the architectures binding.gyp and gpu-check.sh compile the addon for (SEQMODEL_CUDA_ARCH).
 * Which GPUs each build runs on was checked on an H200: an sm_75-only addon ran the kits through its PTX, an
 * sm_100-only one was refused by isAvailable() with the rebuild hint (gpu-check.sh does both).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const script = join(import.meta.dirname, '..', 'scripts', 'cuda-arch.mjs');

function flags(arch: string | undefined): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.SEQMODEL_CUDA_ARCH;
  if (arch !== undefined) env.SEQMODEL_CUDA_ARCH = arch;
  return spawnSync(process.execPath, [script, '--flags'], { encoding: 'utf8', env });
}

describe('cuda-arch.mjs', () => {
  it('defaults to Turing, Ampere and Hopper code, with Hopper PTX for later GPUs', () => {
    const result = flags(undefined);
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      '-gencode',
      'arch=compute_75,code=sm_75',
      '-gencode',
      'arch=compute_80,code=sm_80',
      '-gencode',
      'arch=compute_90,code=sm_90',
      '-gencode',
      'arch=compute_90,code=compute_90',
    ]);
  });

  it('sorts a list, drops repeats and adds PTX of the highest', () => {
    const result = flags(' sm_90, sm_86,sm_90 ');
    expect(result.stdout.trim().split('\n')).toEqual([
      '-gencode',
      'arch=compute_86,code=sm_86',
      '-gencode',
      'arch=compute_90,code=sm_90',
      '-gencode',
      'arch=compute_90,code=compute_90',
    ]);
    expect(flags('sm_100').stdout).toContain('arch=compute_100,code=compute_100');
  });

  it('says what it expects when run without --flags', () => {
    const result = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('cuda-arch.mjs: expected --flags, received ""');
  });

  it.each(['90', 'sm_90a', 'compute_90', 'sm_90;rm -rf /', 'sm_9'])(
    'refuses %j, naming the variable and what it expects',
    (arch) => {
      const result = flags(arch);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim()).toBe(
        `SEQMODEL_CUDA_ARCH: expected a comma-separated list of GPU architectures such as sm_80,sm_90, received ${JSON.stringify(arch)} (${JSON.stringify(arch.split(',')[0]!.trim())} is not sm_XY)`,
      );
    },
  );
});
