// The device target of the N-API addon (napi/addon.cc compiled by nvcc with SEQMODEL_TARGET_CUDA): buffers in device
// memory, the library's functors launched by the grid launcher, matrix products by cuBLAS when its library loads
// (dlopen) and by the tiled kernel otherwise, the whole-sequence kernels by sequence_runner.h over this target.
// The same names as seqmodel/target_host.h. Every CUDA error becomes a C++ exception naming the call, which the
// addon turns into a JavaScript error.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "launch_cuda.cuh"
#include "seqmodel/config.h"
#include "seqmodel/gemm.h"
#include "seqmodel/sequence.h"

namespace seqmodel {
namespace target {

// The host launcher's grain has no meaning on the device; kept for the addon's shared call sites.
constexpr index_t kElementGrain = 1 << 15;

// Throws std::runtime_error("seqmodel cuda: <what>: <CUDA's message>") for an error.
void check(cudaError_t status, const char* what);

template <class F>
void launch(index_t n, const F& f, index_t = kElementGrain) {
  check(cuda::launch(n, f), "kernel launch");
}

void* allocate(std::size_t bytes);
void release(void* data);
void upload(void* to, const void* from, std::size_t bytes);
void download(void* to, const void* from, std::size_t bytes);

void gemm(index_t m, index_t n, index_t k, MatrixView a, MatrixView b, float* c, index_t ldc, bool accumulate);
// "cublas" when cuBLAS loaded and ran the last product, "tiled" for the own kernel.
const char* gemm_kernel_name();

void sequence_forward(const SequenceConfig& config, const ForwardBuffers& buffers);
void sequence_backward(const SequenceConfig& config, const BackwardBuffers& buffers);
void sequence_weight_gradients(const SequenceConfig& config, const float* x, const float* previousH,
                               const float* recurrentMask, const float* projection, const float* dProjection,
                               const float* dRecurrent, float* dKernel, float* dRecurrentKernel);
void sequence_input_gradient(const SequenceConfig& config, const float* kernel, const float* dProjection,
                             float* dInputs);
void sequence_bias_gradient(const SequenceConfig& config, const float* dProjection, const float* dRecurrent,
                            float* dBias);

// The host's pool does not exist here: one "thread", no CPU instruction sets, nothing to make portable.
inline int thread_count() { return 1; }
inline void set_thread_count(int) {}
inline int hardware_threads() { return 1; }
inline bool has_avx2_fma() { return false; }
inline bool has_avx512f() { return false; }
inline void force_portable(bool) {}

// Device elements copied to the host, for checks that must read them (gather's indices).
template <class T>
class HostCopy {
 public:
  HostCopy(const T* data, index_t n) : values_(static_cast<std::size_t>(n)) {
    if (n > 0) download(values_.data(), data, static_cast<std::size_t>(n) * sizeof(T));
  }
  T operator[](index_t i) const { return values_[static_cast<std::size_t>(i)]; }

 private:
  std::vector<T> values_;
};

}  // namespace target

namespace cuda {

// What this process found: the driver, the devices, cuBLAS and cuDNN (each a library path, or why not).
struct RuntimeReport {
  bool usable;              // a driver and at least one device
  const char* reason;       // why not, when not usable
  int devices;
  char deviceName[256];
  int computeMajor, computeMinor;
  const char* cublas;       // the library loaded, or "" when none
  const char* cudnn;        // the library found, or ""
  const char* cudnnNote;    // whether cuDNN was found and why it is not used, one clause
};
const RuntimeReport& runtime_report();
// Forces the tiled GEMM even when cuBLAS loaded (to compare the two on a device).
void set_own_kernels_only(bool own);
bool own_kernels_only();
// Which GEMM runs the products and what of cuBLAS / cuDNN is used, one line (ownKernelsOnly taken into account).
std::string library_notes();
// Destroys the cuBLAS handle (and the device memory it holds: ~64 MiB of workspace on an H200); runs at process exit,
// so that nothing the addon allocated stays on the device (compute-sanitizer's leak check counts it otherwise).
void release_libraries();

// A program generated at run time (programs.cu): compiled by NVRTC, loaded as a CUDA library. Unloaded when deleted.
struct Program {
  cudaLibrary_t library = nullptr;
  cudaKernel_t kernel = nullptr;
  std::vector<index_t> inputElements;  // the elements each input must hold
  index_t outputElements = 0;          // the elements it writes
  int uniforms = 0;
  Program() = default;
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;
  ~Program();
};
// The NVRTC library loaded and its version ("libnvrtc.so.13 13.0"), or "" with nvrtc_reason() saying why not.
std::string nvrtc_report();
std::string nvrtc_reason();
// Compiles `source` (entry point `seqmodel_program`, see programs.cu) for device 0; throws with NVRTC's log.
std::unique_ptr<Program> compile_program(const std::string& source, std::vector<index_t> inputElements,
                                         index_t outputElements, int uniforms);
// Launches `program` on the current stream, one thread per output element; the caller checked the buffers.
void run_program(const Program& program, const std::vector<const float*>& inputs, float* output,
                 const std::vector<int>& uniforms);

}  // namespace cuda
}  // namespace seqmodel
