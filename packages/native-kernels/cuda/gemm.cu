// Device matrix products for the addon and the sequence runner: C (+)= op(A)·op(B), row-major views as in gemm.h.
// cuBLAS (loaded with dlopen by runtime.cu; its prototypes are declared here, so no cuBLAS headers are needed to
// build) when it loaded, else a shared-memory tiled kernel: 64x64 tiles of C per block of 256 threads, each thread a
// 4x4 register tile, the operands staged through shared memory 16 deep.
#include <dlfcn.h>

#include <atomic>
#include <climits>
#include <cstdlib>
#include <mutex>
#include <stdexcept>

#include "target_cuda.cuh"

namespace seqmodel {
namespace cuda {

extern void* cublas_library;

namespace {

constexpr int kTileM = 64, kTileN = 64, kTileK = 16, kThreadM = 4, kThreadN = 4, kGemmThreads = 256;

__global__ __launch_bounds__(kGemmThreads) void gemm_tiled(index_t m, index_t n, index_t k, MatrixView a,
                                                           MatrixView b, float* c, index_t ldc, bool accumulate) {
  // Padded rows avoid shared-memory bank conflicts on the column reads.
  __shared__ float as[kTileK][kTileM + 4];
  __shared__ float bs[kTileK][kTileN + 4];
  const int tid = threadIdx.x, tx = tid % (kTileN / kThreadN), ty = tid / (kTileN / kThreadN);
  const index_t row0 = static_cast<index_t>(blockIdx.y) * kTileM, col0 = static_cast<index_t>(blockIdx.x) * kTileN;
  float acc[kThreadM][kThreadN] = {};
  for (index_t k0 = 0; k0 < k; k0 += kTileK) {
    for (int i = tid; i < kTileM * kTileK; i += kGemmThreads) {
      int r = i / kTileK, kk = i % kTileK;
      index_t gr = row0 + r, gk = k0 + kk;
      as[kk][r] = gr < m && gk < k ? a.data[a.at(gr, gk)] : 0.0f;
    }
    for (int i = tid; i < kTileK * kTileN; i += kGemmThreads) {
      int kk = i / kTileN, cc = i % kTileN;
      index_t gk = k0 + kk, gc = col0 + cc;
      bs[kk][cc] = gk < k && gc < n ? b.data[b.at(gk, gc)] : 0.0f;
    }
    __syncthreads();
#pragma unroll
    for (int kk = 0; kk < kTileK; ++kk) {
      float ar[kThreadM], br[kThreadN];
#pragma unroll
      for (int i = 0; i < kThreadM; ++i) ar[i] = as[kk][ty * kThreadM + i];
#pragma unroll
      for (int j = 0; j < kThreadN; ++j) br[j] = bs[kk][tx * kThreadN + j];
#pragma unroll
      for (int i = 0; i < kThreadM; ++i)
#pragma unroll
        for (int j = 0; j < kThreadN; ++j) acc[i][j] = fmaf(ar[i], br[j], acc[i][j]);
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < kThreadM; ++i) {
    index_t r = row0 + ty * kThreadM + i;
    if (r >= m) continue;
#pragma unroll
    for (int j = 0; j < kThreadN; ++j) {
      index_t col = col0 + tx * kThreadN + j;
      if (col < n) c[r * ldc + col] = accumulate ? c[r * ldc + col] + acc[i][j] : acc[i][j];
    }
  }
}

// cuBLAS's v2 entry points (cublas_api.h), by value types only.
using CublasCreate = int (*)(void** handle);
using CublasDestroy = int (*)(void* handle);
using CublasSgemm = int (*)(void* handle, int transa, int transb, int m, int n, int k, const float* alpha,
                            const float* a, int lda, const float* b, int ldb, const float* beta, float* c, int ldc);
constexpr int kCublasOpN = 0, kCublasOpT = 1;

struct Cublas {
  void* handle = nullptr;
  CublasSgemm sgemm = nullptr;
  bool tried = false;
};

Cublas state;
std::mutex state_mutex;

}  // namespace

void release_libraries() {
  std::lock_guard<std::mutex> lock(state_mutex);
  if (state.handle != nullptr && cublas_library != nullptr) {
    // The handle's device memory (its workspace among it) goes back; a later product (another exit handler's)
    // runs on the tiled kernel: `tried` stays set, so no handle is created that nothing would destroy.
    if (auto destroy = reinterpret_cast<CublasDestroy>(dlsym(cublas_library, "cublasDestroy_v2"))) destroy(state.handle);
  }
  state.handle = nullptr;
  state.sgemm = nullptr;
}

namespace {

// A copy taken under the lock: the handle and entry point a product uses.
Cublas cublas() {
  std::lock_guard<std::mutex> lock(state_mutex);
  if (!state.tried) {
    state.tried = true;
    runtime_report();
    if (cublas_library != nullptr) {
      auto create = reinterpret_cast<CublasCreate>(dlsym(cublas_library, "cublasCreate_v2"));
      auto sgemm = reinterpret_cast<CublasSgemm>(dlsym(cublas_library, "cublasSgemm_v2"));
      if (create != nullptr && sgemm != nullptr && create(&state.handle) == 0) {
        state.sgemm = sgemm;
        // Registered after the CUDA runtime's own exit handler (which the device query above installed), so it runs
        // first: the handle and its workspace go back while the context still exists. Once per process.
        static const bool registered = std::atexit(release_libraries) == 0;
        (void)registered;
      }
    }
  }
  return state;
}

std::atomic<bool> own_only{false};
const char* last_kernel = "tiled";

}  // namespace

void set_own_kernels_only(bool own) { own_only = own; }
bool own_kernels_only() { return own_only; }

}  // namespace cuda

namespace target {

void gemm(index_t m, index_t n, index_t k, MatrixView a, MatrixView b, float* c, index_t ldc, bool accumulate) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate) {
      for (index_t r = 0; r < m; ++r) check(cudaMemset(c + r * ldc, 0, static_cast<std::size_t>(n) * sizeof(float)), "cudaMemset");
    }
    return;
  }
  const auto blas = cuda::cublas();
  const bool fits = m < INT_MAX && n < INT_MAX && k < INT_MAX && a.ld < INT_MAX && b.ld < INT_MAX && ldc < INT_MAX;
  if (blas.sgemm != nullptr && !cuda::own_only && fits) {
    // Row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ: the row-major views read as column-major
    // matrices are already the transposes, so the operands swap and keep their flags.
    const float alpha = 1.0f, beta = accumulate ? 1.0f : 0.0f;
    int status = blas.sgemm(blas.handle, b.transposed ? cuda::kCublasOpT : cuda::kCublasOpN,
                            a.transposed ? cuda::kCublasOpT : cuda::kCublasOpN, static_cast<int>(n),
                            static_cast<int>(m), static_cast<int>(k), &alpha, b.data, static_cast<int>(b.ld), a.data,
                            static_cast<int>(a.ld), &beta, c, static_cast<int>(ldc));
    if (status != 0) throw std::runtime_error("seqmodel cuda: cublasSgemm_v2 failed with status " + std::to_string(status));
    cuda::last_kernel = "cublas";
    return;
  }
  dim3 grid(static_cast<unsigned>((n + cuda::kTileN - 1) / cuda::kTileN),
            static_cast<unsigned>((m + cuda::kTileM - 1) / cuda::kTileM));
  if (grid.y > 65535u) throw std::runtime_error("seqmodel cuda: gemm: more than 65535 row tiles");
  cuda::gemm_tiled<<<grid, cuda::kGemmThreads>>>(m, n, k, a, b, c, ldc, accumulate);
  check(cudaGetLastError(), "gemm kernel launch");
  cuda::last_kernel = "tiled";
}

const char* gemm_kernel_name() { return cuda::last_kernel; }

}  // namespace target
}  // namespace seqmodel
