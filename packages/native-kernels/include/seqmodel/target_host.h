// The host target of the N-API addon (napi/addon.cc): what the addon needs besides the functors, for buffers in host
// memory. The device target (cuda/target_cuda.cuh) offers the same names for buffers in device memory.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>

#include "seqmodel/cpu_features.h"
#include "seqmodel/gemm.h"
#include "seqmodel/launch_cpu.h"
#include "seqmodel/sequence.h"
#include "seqmodel/thread_pool.h"

namespace seqmodel {
namespace target {

using seqmodel::kElementGrain;
using seqmodel::launch;
using seqmodel::sequence_backward;
using seqmodel::sequence_bias_gradient;
using seqmodel::sequence_forward;
using seqmodel::sequence_input_gradient;
using seqmodel::sequence_weight_gradients;
using seqmodel::gemm;
using seqmodel::gemm_kernel_name;
using seqmodel::force_portable;
using seqmodel::hardware_threads;
using seqmodel::set_thread_count;
using seqmodel::thread_count;

// Zero-filled, 64-byte aligned (the GEMM's panels and the AVX2 loops like whole cache lines).
inline void* allocate(std::size_t bytes) {
  std::size_t rounded = ((bytes < 1 ? 1 : bytes) + 63) / 64 * 64;
  void* data = std::aligned_alloc(64, rounded);
  if (data == nullptr) throw std::bad_alloc();
  std::memset(data, 0, rounded);
  return data;
}
inline void release(void* data) { std::free(data); }
inline void upload(void* to, const void* from, std::size_t bytes) { std::memcpy(to, from, bytes); }
inline void download(void* to, const void* from, std::size_t bytes) { std::memcpy(to, from, bytes); }

inline bool has_avx2_fma() { return cpu_features().avx2_fma; }
inline bool has_avx512f() { return cpu_features().avx512f; }

// Elements of a buffer readable on the host: the buffer itself here.
template <class T>
class HostCopy {
 public:
  HostCopy(const T* data, index_t) : data_(data) {}
  T operator[](index_t i) const { return data_[i]; }

 private:
  const T* data_;
};

}  // namespace target
}  // namespace seqmodel
