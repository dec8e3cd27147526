// The device target's translation units from @seqmodel/native-kernels (runtime, GEMM, sequence runner, generated
// programs), compiled by nvcc as one unit beside the addon.
#include "cuda/runtime.cu"
#include "cuda/gemm.cu"
#include "cuda/sequence.cu"
#include "cuda/programs.cu"
