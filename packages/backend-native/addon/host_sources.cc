// The kernel library's host sources, compiled into the addon as one translation unit (node-gyp takes sources below
// the package only; their folder comes from @seqmodel/native-kernels/paths through binding.gyp's include path).
#include "host/cpu_features.cc"
#include "host/gemm.cc"
#include "host/sequence.cc"
#include "host/thread_pool.cc"
