// The addon's N-API layer, compiled by nvcc with the device target (SEQMODEL_TARGET_CUDA, set by binding.gyp): the
// same source as @seqmodel/backend-native's addon (node-gyp takes sources below the package only; the folder comes
// from @seqmodel/native-kernels/paths through the include path).
#include "napi/addon.cc"
