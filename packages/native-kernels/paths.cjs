// Where the kernel library's sources are, for build files (binding.gyp, a CMake list, an nvcc command line):
// `node -p "require('@seqmodel/native-kernels/paths').includeDirectory"`. Plain `exports.x =` assignments, so that
// Node detects the names for ESM imports (`import { includeDirectory } from '@seqmodel/native-kernels/paths'`).
const path = require('node:path');

/** Add to the include path: `#include "seqmodel/gates.h"`. */
exports.includeDirectory = path.join(__dirname, 'include');
/** The host sources (thread pool, GEMM, CPU features, sequence runner), compiled into a host addon. */
exports.sourceDirectory = path.join(__dirname, 'host');
exports.hostSources = ['cpu_features.cc', 'gemm.cc', 'sequence.cc', 'thread_pool.cc'].map((f) =>
  path.join(__dirname, 'host', f),
);
/** The N-API addon's source (napi/addon.cc), one for the host target and the device target. */
exports.napiDirectory = path.join(__dirname, 'napi');
/** The device sources (launcher, target, tiled GEMM, sequence runner, cuBLAS/cuDNN loading), for nvcc. */
exports.cudaDirectory = path.join(__dirname, 'cuda');
/** The device translation units compiled beside the addon by a CUDA build. */
exports.cudaSources = ['runtime.cu', 'gemm.cu', 'sequence.cu'].map((f) => path.join(__dirname, 'cuda', f));
/** The addon build script (an ES module: `await import(pathToFileURL(buildScript).href)`), see build-addon.mjs. */
exports.buildScript = path.join(__dirname, 'build-addon.mjs');
