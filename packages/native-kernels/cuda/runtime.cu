// The device target's runtime: errors, device memory, and what this process found (driver, devices, cuBLAS,
// cuDNN). The CUDA runtime is linked statically and loads the driver (libcuda.so.1) itself on first use; the driver
// is looked for with dlopen first so that a machine without one gets "no NVIDIA driver" rather than the runtime's
// "driver version is insufficient". cuBLAS and cuDNN are optional: looked for with dlopen (libcublas.so.*,
// libcudnn.so.*) so that the addon builds and runs where they are not installed.
#include <dlfcn.h>

#include <cstdio>
#include <cstring>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>

#include "target_cuda.cuh"

namespace seqmodel {
namespace target {

void check(cudaError_t status, const char* what) {
  if (status == cudaSuccess) return;
  // A sticky error (an illegal address in a kernel) poisons the context; the message says which.
  throw std::runtime_error(std::string("seqmodel cuda: ") + what + ": " + cudaGetErrorName(status) + " (" +
                           cudaGetErrorString(status) + ")");
}

static void require_device() {
  const auto& report = cuda::runtime_report();
  if (!report.usable) throw std::runtime_error(std::string("seqmodel cuda: ") + report.reason);
}

void* allocate(std::size_t bytes) {
  require_device();
  void* data = nullptr;
  std::size_t rounded = ((bytes < 1 ? 1 : bytes) + 255) / 256 * 256;
  cudaError_t status = cudaMalloc(&data, rounded);
  if (status == cudaErrorMemoryAllocation) {
    cudaGetLastError();
    throw std::bad_alloc();
  }
  check(status, "cudaMalloc");
  check(cudaMemset(data, 0, rounded), "cudaMemset");
  return data;
}

void release(void* data) {
  // Called from finalizers too: a failure here is not worth a throw through N-API's finalizer.
  cudaFree(data);
}

void upload(void* to, const void* from, std::size_t bytes) {
  check(cudaMemcpy(to, from, bytes, cudaMemcpyHostToDevice), "cudaMemcpy to the device");
}

void download(void* to, const void* from, std::size_t bytes) {
  check(cudaMemcpy(to, from, bytes, cudaMemcpyDeviceToHost), "cudaMemcpy from the device");
}

}  // namespace target

namespace cuda {

static const char* first_loadable(const char* const* names, void** handle) {
  for (const char* const* name = names; *name != nullptr; ++name) {
    void* h = dlopen(*name, RTLD_NOW | RTLD_LOCAL);
    if (h != nullptr) {
      *handle = h;
      return *name;
    }
  }
  *handle = nullptr;
  return "";
}

void* cublas_library = nullptr;

// An empty kernel: whether its attributes can be read says whether the addon holds code this GPU runs (SASS for its
// architecture, or PTX the driver can compile for it). Without it the first real launch would fail with "no kernel
// image is available".
__global__ void probe_kernel() {}

static RuntimeReport make_report() {
  RuntimeReport r{};
  static std::string reason;
  void* driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (driver == nullptr) {
    const char* why = dlerror();
    reason = std::string("no NVIDIA driver: libcuda.so.1 did not load (") + (why ? why : "not found") + ")";
    r.reason = reason.c_str();
  } else {
    int count = 0;
    cudaError_t status = cudaGetDeviceCount(&count);
    if (status != cudaSuccess || count < 1) {
      reason = status != cudaSuccess ? std::string("cudaGetDeviceCount failed: ") + cudaGetErrorName(status) + " (" +
                                           cudaGetErrorString(status) + ")"
                                     : std::string("the NVIDIA driver reports no CUDA device");
      cudaGetLastError();
      r.reason = reason.c_str();
    } else {
      cudaDeviceProp prop{};
      cudaGetDeviceProperties(&prop, 0);
      r.devices = count;
      std::snprintf(r.deviceName, sizeof r.deviceName, "%s", prop.name);
      r.computeMajor = prop.major;
      r.computeMinor = prop.minor;
      cudaFuncAttributes attributes{};
      cudaError_t image = cudaFuncGetAttributes(&attributes, probe_kernel);
      if (image == cudaSuccess) {
        r.usable = true;
      } else {
        cudaGetLastError();
        const std::string gpu = std::string(prop.name) + ", compute capability " + std::to_string(prop.major) + "." +
                                std::to_string(prop.minor);
        if (image == cudaErrorNoKernelImageForDevice || image == cudaErrorInvalidDeviceFunction ||
            image == cudaErrorUnsupportedPtxVersion || image == cudaErrorInvalidPtx) {
          char arch[16];
          std::snprintf(arch, sizeof arch, "sm_%d%d", prop.major, prop.minor);
          reason = "the CUDA addon has no code for this GPU (" + gpu + ": " + cudaGetErrorName(image) +
                   "): rebuild it for the GPU with SEQMODEL_CUDA_ARCH=" + arch +
                   " npm run build:addon in @seqmodel/backend-cuda (see cuda-arch.mjs)";
        } else {
          // The probe is the first call that needs a context: a GPU held by another process in exclusive mode, or
          // out of memory, fails here.
          reason = "the CUDA context could not be created on device 0 (" + gpu + "): " + cudaGetErrorName(image) +
                   " (" + cudaGetErrorString(image) + ")";
        }
        r.reason = reason.c_str();
      }
    }
  }
  if (r.reason == nullptr) r.reason = "";
  static const char* const cublasNames[] = {"libcublas.so", "libcublas.so.13", "libcublas.so.12", "libcublas.so.11",
                                            nullptr};
  static const char* const cudnnNames[] = {"libcudnn.so", "libcudnn.so.9", "libcudnn.so.8", nullptr};
  r.cublas = first_loadable(cublasNames, &cublas_library);
  void* cudnn = nullptr;
  r.cudnn = first_loadable(cudnnNames, &cudnn);
  r.cudnnNote = *r.cudnn ? "cuDNN found, not used: the recurrent sequences run the own fused kernels (no cuDNN RNN binding yet)"
                         : "cuDNN not found: the recurrent sequences run the own fused kernels";
  return r;
}

std::string library_notes() {
  const auto& r = runtime_report();
  const char* gemm = !*r.cublas          ? "cuBLAS not found: the tiled kernel runs the matrix products"
                     : own_kernels_only() ? "the tiled kernel runs the matrix products (ownKernelsOnly; cuBLAS loaded)"
                                          : "cuBLAS runs the matrix products";
  const std::string nvrtc = nvrtc_report();
  const std::string programs =
      nvrtc.empty() ? nvrtc_reason() + ": plugin cells run their compiled JavaScript on the host"
                    : "NVRTC (" + nvrtc + ") compiles the plugin cells' step programs";
  return std::string(gemm) + "; " + r.cudnnNote + "; " + programs;
}

const RuntimeReport& runtime_report() {
  static const RuntimeReport report = make_report();
  return report;
}

}  // namespace cuda
}  // namespace seqmodel
