// Shared definitions for code compiled both by a host C++ compiler and by nvcc.
//
// Every kernel in this library is a functor whose call operator is marked SEQ_HOST_DEVICE and computes ONE index
// of an index space (an element, a row, a (row, unit) pair). The host launches it with a loop over a thread pool
// (launch_cpu.h); the device launches it with a grid (cuda/launch_cuda.cuh). Functors hold only raw pointers and
// sizes, so they can be copied to the device by value.
#pragma once

#include <cstdint>

#if defined(__CUDACC__)
#define SEQ_HOST_DEVICE __host__ __device__
#define SEQ_INLINE __forceinline__
#else
#define SEQ_HOST_DEVICE
#define SEQ_INLINE inline __attribute__((always_inline))
#endif

namespace seqmodel {

// Indices are 64-bit: a [64, 100, 1024] gate tensor has 26 million elements, and products of sizes overflow int.
using index_t = std::int64_t;

// The largest rank a strided kernel takes (tfjs's own kernels stop at 6 for most layout ops).
constexpr int kMaxRank = 8;

// A fixed-size array of extents or strides, copyable to the device by value.
struct Dims {
  index_t v[kMaxRank];
  int rank;
};

}  // namespace seqmodel
