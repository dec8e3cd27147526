// The addon (@seqmodel/native-kernels' napi/addon.cc, with the host target) and the kernel library's host sources,
// compiled as one translation unit (node-gyp takes sources below the package only; their folder comes from
// @seqmodel/native-kernels/paths through binding.gyp's include path).
#include "napi/addon.cc"
#include "host/cpu_features.cc"
#include "host/gemm.cc"
#include "host/sequence.cc"
#include "host/thread_pool.cc"
