#!/usr/bin/env node
// Builds the CUDA addon (build/Release/seqmodel_cuda.node) with node-gyp and nvcc when nvcc, a CUDA installation
// (its static runtime) and a C++ compiler are present; the install never fails without them: isAvailable() then says
// what is missing. The steps and the status file are @seqmodel/native-kernels' build-addon.mjs.
//   SEQMODEL_NVCC       nvcc to use (default: $CUDA_HOME/bin/nvcc, nvcc on PATH, /usr/local/cuda/bin/nvcc)
//   SEQMODEL_CUDA_HOME  the CUDA installation (default: $CUDA_HOME, $CUDA_PATH, /usr/local/cuda, nvcc's parent)
//   SEQMODEL_CUDA_ARCH  the GPU architectures, comma-separated (default sm_75,sm_80,sm_90: Turing to Hopper, and
//                       later GPUs through PTX; see cuda-arch.mjs)
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cudaArchitectures } from './cuda-arch.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const packageName = '@seqmodel/backend-cuda';
let build;
try {
  build = await import(
    pathToFileURL(createRequire(import.meta.url)('@seqmodel/native-kernels/paths').buildScript).href
  );
} catch (error) {
  console.log(
    `${packageName}: CUDA addon not built: @seqmodel/native-kernels is not installed (${error.message})`,
  );
  process.exit(0);
}

// The CUDA installation: the folder whose lib64 holds the static runtime.
function cudaHome(nvcc) {
  const candidates = [
    process.env.SEQMODEL_CUDA_HOME,
    process.env.CUDA_HOME,
    process.env.CUDA_PATH,
    '/usr/local/cuda',
  ];
  // nvcc's own folder's parent (through symlinks and wrapper scripts `nvcc --dryrun` would reveal; the parent is
  // enough for the usual layouts).
  const which = spawnSync('sh', ['-c', `command -v ${JSON.stringify(nvcc)}`], {
    encoding: 'utf8',
  }).stdout.trim();
  if (which) candidates.push(dirname(dirname(realpathSync(which))));
  return candidates.find((c) => c && existsSync(join(c, 'lib64', 'libcudart_static.a')));
}

build.buildAddon({
  root,
  packageName,
  what: 'CUDA addon',
  addonName: 'seqmodel_cuda',
  // cuda-arch.mjs holds the default architectures: a change to them rebuilds.
  sources: [join(root, 'binding.gyp'), join(root, 'addon'), join(root, 'scripts', 'cuda-arch.mjs')],
  environment: ['SEQMODEL_CUDA_ARCH'],
  requirements: () => {
    try {
      cudaArchitectures();
    } catch (error) {
      return { missing: error.message };
    }
    const nvcc = build.findCommand([
      process.env.SEQMODEL_NVCC,
      process.env.CUDA_HOME && join(process.env.CUDA_HOME, 'bin', 'nvcc'),
      'nvcc',
      '/usr/local/cuda/bin/nvcc',
    ]);
    if (!nvcc.found) {
      return {
        missing: `no nvcc found (tried ${nvcc.tried.join(', ')}): install the CUDA toolkit or set SEQMODEL_NVCC, then run "npm run build:addon" in ${packageName}`,
      };
    }
    const home = cudaHome(nvcc.found);
    if (!home) {
      return {
        missing: `nvcc found (${nvcc.found}) but no CUDA installation with lib64/libcudart_static.a (set SEQMODEL_CUDA_HOME)`,
      };
    }
    const compiler = build.findCommand([process.env.CXX, 'c++', 'g++', 'clang++']);
    if (!compiler.found) {
      return { missing: `no C++ compiler found to link the addon (tried ${compiler.tried.join(', ')})` };
    }
    return {
      env: {
        SEQMODEL_NVCC: nvcc.found,
        SEQMODEL_CUDA_HOME: home,
        CXX: process.env.CXX || compiler.found,
      },
    };
  },
});
