// The device launcher: the same functors as launch_cpu.h, one thread per index of their space, grid-stride loops.
// Used by the device target (target_cuda.cuh, sequence.cu) and by cuda/device_check.cu, which instantiates every
// functor of the library for the device.
#pragma once

#include <cuda_runtime.h>

#include "seqmodel/config.h"

namespace seqmodel {
namespace cuda {

template <class F>
__global__ void flat_kernel(F f, index_t n) {
  for (index_t i = blockIdx.x * static_cast<index_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<index_t>(gridDim.x) * blockDim.x) {
    f(i);
  }
}

// The (row, unit) space of the gate functors, flattened: consecutive threads take consecutive units of a row, so
// their loads of the gate blocks coalesce.
template <class F>
__global__ void rows_kernel(F f, index_t rows, index_t units) {
  index_t n = rows * units;
  for (index_t i = blockIdx.x * static_cast<index_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<index_t>(gridDim.x) * blockDim.x) {
    index_t b = i / units;
    if (f.active(b)) f(b, i % units);
  }
}

constexpr int kThreads = 256;

inline int blocks_for(index_t n) {
  index_t b = (n + kThreads - 1) / kThreads;
  return static_cast<int>(b < 1 ? 1 : (b > 65535 ? 65535 : b));
}

template <class F>
cudaError_t launch(index_t n, const F& f, cudaStream_t stream = nullptr) {
  if (n <= 0) return cudaSuccess;
  flat_kernel<<<blocks_for(n), kThreads, 0, stream>>>(f, n);
  return cudaGetLastError();
}

template <class F>
cudaError_t launch_rows(index_t rows, index_t units, const F& f, cudaStream_t stream = nullptr) {
  if (rows <= 0 || units <= 0) return cudaSuccess;
  rows_kernel<<<blocks_for(rows * units), kThreads, 0, stream>>>(f, rows, units);
  return cudaGetLastError();
}

}  // namespace cuda
}  // namespace seqmodel
