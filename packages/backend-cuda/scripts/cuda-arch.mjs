#!/usr/bin/env node
// The GPU architectures the CUDA addon is compiled for, from SEQMODEL_CUDA_ARCH: a comma-separated list of sm_XY
// (default sm_75,sm_80,sm_90). Each gets machine code (SASS); the highest also gets PTX, which the driver compiles
// for newer GPUs at load. SASS for sm_X0 runs on every X.Y GPU with Y >= 0 (sm_80 on A100, A10, RTX 30 and 40
// series, Jetson Orin; sm_75 on T4 and RTX 20; sm_90 on H100/H200), so the default covers Turing to Hopper natively
// and later GPUs through the PTX; CUDA 13 dropped everything before sm_75.
//   node scripts/cuda-arch.mjs --flags   prints nvcc's -gencode arguments, one per line (binding.gyp, gpu-check.sh),
//                                        or exits 1 naming the variable when its value is not a list of sm_XY
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const defaultCudaArch = 'sm_75,sm_80,sm_90';

/** The architectures as numbers (`sm_86` -> 86), ascending and without repeats; throws naming the variable. */
export function cudaArchitectures(value = process.env.SEQMODEL_CUDA_ARCH) {
  const text = value === undefined || value.trim() === '' ? defaultCudaArch : value;
  const items = text.split(',').map((s) => s.trim());
  const bad = items.find((s) => !/^sm_[1-9][0-9]{1,2}$/.test(s));
  if (bad !== undefined) {
    throw new Error(
      `SEQMODEL_CUDA_ARCH: expected a comma-separated list of GPU architectures such as sm_80,sm_90, received ${JSON.stringify(value)} (${JSON.stringify(bad)} is not sm_XY)`,
    );
  }
  return [...new Set(items.map((s) => s.slice(3)))].sort(
    (a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10),
  );
}

/** nvcc's arguments: SASS for every architecture, and PTX of the highest for GPUs newer than all of them. */
export function gencodeFlags(architectures) {
  const last = architectures.at(-1);
  return [
    ...architectures.flatMap((a) => ['-gencode', `arch=compute_${a},code=sm_${a}`]),
    '-gencode',
    `arch=compute_${last},code=compute_${last}`,
  ];
}

// Run as a script (through a symlink too), not imported by build-addon.mjs.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!process.argv.includes('--flags')) {
    console.error(
      `cuda-arch.mjs: expected --flags, received ${JSON.stringify(process.argv.slice(2).join(' '))}`,
    );
    process.exit(1);
  }
  try {
    process.stdout.write(`${gencodeFlags(cudaArchitectures()).join('\n')}\n`);
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
