// Where the kernel library's sources are, for build files (binding.gyp, a CMake list, an nvcc command line):
// `node -p "require('@seqmodel/native-kernels/paths').includeDirectory"`.
const path = require('node:path');

module.exports = {
  /** Add to the include path: `#include "seqmodel/gates.h"`. */
  includeDirectory: path.join(__dirname, 'include'),
  /** The host sources (thread pool, GEMM, CPU features, sequence runner), compiled into a host addon. */
  sourceDirectory: path.join(__dirname, 'host'),
  hostSources: ['cpu_features.cc', 'gemm.cc', 'sequence.cc', 'thread_pool.cc'].map((f) =>
    path.join(__dirname, 'host', f),
  ),
  /** The device translation unit (instantiates every functor in __global__ kernels). */
  cudaDirectory: path.join(__dirname, 'cuda'),
};
