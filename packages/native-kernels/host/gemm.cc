#include "seqmodel/gemm.h"

#include <immintrin.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "seqmodel/cpu_features.h"
#include "seqmodel/thread_pool.h"

namespace seqmodel {
namespace {

constexpr index_t MR = 6;
constexpr index_t NR = 16;
constexpr index_t KC = 256;
constexpr index_t MC = 96;

float* aligned_floats(index_t count) {
  void* p = nullptr;
  std::size_t bytes = static_cast<std::size_t>(std::max<index_t>(count, 1)) * sizeof(float);
  bytes = (bytes + 63) / 64 * 64;
  p = std::aligned_alloc(64, bytes);
  if (p == nullptr) throw std::bad_alloc();
  return static_cast<float*>(p);
}

// Packs op(B) rows [k0, k0 + kc) into panels: panel q holds columns [q NR, q NR + NR) as kc rows of NR (zero
// beyond n). Untransposed B is read row by row (sequential reads, one 64-byte write per panel); transposed B column
// by column of op(B), which are its rows.
void pack_b_block(MatrixView b, index_t k0, index_t kc, index_t n, index_t panelBegin, index_t panelEnd, float* out) {
  if (!b.transposed) {
    index_t fullEnd = std::min(panelEnd, n / NR);
    for (index_t p = 0; p < kc; ++p) {
      const float* src = b.data + (k0 + p) * b.ld;
      for (index_t q = panelBegin; q < fullEnd; ++q) std::memcpy(out + (q * kc + p) * NR, src + q * NR, NR * sizeof(float));
      for (index_t q = std::max(panelBegin, fullEnd); q < panelEnd; ++q) {
        float* row = out + (q * kc + p) * NR;
        index_t j0 = q * NR, width = std::min(NR, n - j0), j = 0;
        for (; j < width; ++j) row[j] = src[j0 + j];
        for (; j < NR; ++j) row[j] = 0.0f;
      }
    }
    return;
  }
  for (index_t q = panelBegin; q < panelEnd; ++q) {
    float* dst = out + q * kc * NR;
    index_t j0 = q * NR, width = std::min(NR, n - j0);
    for (index_t j = 0; j < NR; ++j) {
      if (j >= width) {
        for (index_t p = 0; p < kc; ++p) dst[p * NR + j] = 0.0f;
        continue;
      }
      // op(B)(p, j0 + j) = B[j0 + j, k0 + p]: a contiguous run of B's row.
      const float* src = b.data + (j0 + j) * b.ld + k0;
      for (index_t p = 0; p < kc; ++p) dst[p * NR + j] = src[p];
    }
  }
}

// Packs op(A) rows [i0, i0 + mc), depth [k0, k0 + kc) into MR-row panels (zero beyond the last row).
void pack_a_block(MatrixView a, index_t i0, index_t mc, index_t k0, index_t kc, float* out) {
  for (index_t r = 0; r < mc; r += MR) {
    float* dst = out + r * kc;
    index_t height = std::min(MR, mc - r);
    if (a.transposed) {
      // op(A)(i, p) = A[p, i]: rows of A are contiguous in i.
      for (index_t p = 0; p < kc; ++p) {
        const float* src = a.data + (k0 + p) * a.ld + i0 + r;
        index_t i = 0;
        for (; i < height; ++i) dst[p * MR + i] = src[i];
        for (; i < MR; ++i) dst[p * MR + i] = 0.0f;
      }
    } else {
      for (index_t i = 0; i < MR; ++i) {
        if (i < height) {
          const float* src = a.data + (i0 + r + i) * a.ld + k0;
          for (index_t p = 0; p < kc; ++p) dst[p * MR + i] = src[p];
        } else {
          for (index_t p = 0; p < kc; ++p) dst[p * MR + i] = 0.0f;
        }
      }
    }
  }
}

// C[mr, nr] (+)= Apanel[kc, MR] · Bpanel[kc, NR].
__attribute__((target("avx2,fma"))) void micro_avx2(index_t kc, const float* a, const float* b, float* c,
                                                     index_t ldc, bool add, index_t mr, index_t nr) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps(),
         c11 = _mm256_setzero_ps(), c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps(),
         c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps(), c40 = _mm256_setzero_ps(),
         c41 = _mm256_setzero_ps(), c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  for (index_t p = 0; p < kc; ++p) {
    __m256 b0 = _mm256_load_ps(b + p * NR);
    __m256 b1 = _mm256_load_ps(b + p * NR + 8);
    const float* ap = a + p * MR;
    __m256 x = _mm256_broadcast_ss(ap);
    c00 = _mm256_fmadd_ps(x, b0, c00);
    c01 = _mm256_fmadd_ps(x, b1, c01);
    x = _mm256_broadcast_ss(ap + 1);
    c10 = _mm256_fmadd_ps(x, b0, c10);
    c11 = _mm256_fmadd_ps(x, b1, c11);
    x = _mm256_broadcast_ss(ap + 2);
    c20 = _mm256_fmadd_ps(x, b0, c20);
    c21 = _mm256_fmadd_ps(x, b1, c21);
    x = _mm256_broadcast_ss(ap + 3);
    c30 = _mm256_fmadd_ps(x, b0, c30);
    c31 = _mm256_fmadd_ps(x, b1, c31);
    x = _mm256_broadcast_ss(ap + 4);
    c40 = _mm256_fmadd_ps(x, b0, c40);
    c41 = _mm256_fmadd_ps(x, b1, c41);
    x = _mm256_broadcast_ss(ap + 5);
    c50 = _mm256_fmadd_ps(x, b0, c50);
    c51 = _mm256_fmadd_ps(x, b1, c51);
  }
  alignas(32) float t[MR * NR];
  _mm256_store_ps(t, c00);
  _mm256_store_ps(t + 8, c01);
  _mm256_store_ps(t + 16, c10);
  _mm256_store_ps(t + 24, c11);
  _mm256_store_ps(t + 32, c20);
  _mm256_store_ps(t + 40, c21);
  _mm256_store_ps(t + 48, c30);
  _mm256_store_ps(t + 56, c31);
  _mm256_store_ps(t + 64, c40);
  _mm256_store_ps(t + 72, c41);
  _mm256_store_ps(t + 80, c50);
  _mm256_store_ps(t + 88, c51);
  if (mr == MR && nr == NR) {
    for (index_t i = 0; i < MR; ++i) {
      float* row = c + i * ldc;
      __m256 lo = _mm256_load_ps(t + i * NR), hi = _mm256_load_ps(t + i * NR + 8);
      if (add) {
        lo = _mm256_add_ps(lo, _mm256_loadu_ps(row));
        hi = _mm256_add_ps(hi, _mm256_loadu_ps(row + 8));
      }
      _mm256_storeu_ps(row, lo);
      _mm256_storeu_ps(row + 8, hi);
    }
    return;
  }
  for (index_t i = 0; i < mr; ++i)
    for (index_t j = 0; j < nr; ++j) c[i * ldc + j] = add ? c[i * ldc + j] + t[i * NR + j] : t[i * NR + j];
}

void micro_portable(index_t kc, const float* a, const float* b, float* c, index_t ldc, bool add, index_t mr,
                    index_t nr) {
  float t[MR * NR] = {};
  for (index_t p = 0; p < kc; ++p)
    for (index_t i = 0; i < MR; ++i) {
      float x = a[p * MR + i];
      for (index_t j = 0; j < NR; ++j) t[i * NR + j] += x * b[p * NR + j];
    }
  for (index_t i = 0; i < mr; ++i)
    for (index_t j = 0; j < nr; ++j) c[i * ldc + j] = add ? c[i * ldc + j] + t[i * NR + j] : t[i * NR + j];
}

using Micro = void (*)(index_t, const float*, const float*, float*, index_t, bool, index_t, index_t);

Micro micro() { return cpu_features().avx2_fma ? micro_avx2 : micro_portable; }

// One depth block: C (+)= op(A)[:, k0 : k0 + kc] · packed B block, split into tasks of (row block, column range).
void multiply_block(index_t m, index_t n, MatrixView a, index_t k0, index_t kc, const float* packed, float* c,
                    index_t ldc, bool add) {
  const index_t panels = (n + NR - 1) / NR;
  const index_t rowBlocks = (m + MC - 1) / MC;
  const int threads = thread_count();
  // Enough tasks for every thread; column groups of whole panels when rows alone do not make enough.
  index_t columnGroups = 1;
  if (rowBlocks < 2 * threads) columnGroups = std::min<index_t>(panels, (2 * threads + rowBlocks - 1) / rowBlocks);
  const index_t tasks = rowBlocks * columnGroups;
  const Micro kernel = micro();
  // Work per task (multiply-adds) decides whether to split at all.
  const index_t grain = (m * n * kc) / tasks < 32768 ? tasks : 1;
  parallel_for(tasks, grain, [&](index_t begin, index_t end) {
    float* pa = aligned_floats(MC * KC);
    for (index_t task = begin; task < end; ++task) {
      index_t rb = task / columnGroups, cg = task % columnGroups;
      index_t i0 = rb * MC, mc = std::min(MC, m - i0);
      index_t q0 = panels * cg / columnGroups, q1 = panels * (cg + 1) / columnGroups;
      pack_a_block(a, i0, mc, k0, kc, pa);
      for (index_t q = q0; q < q1; ++q) {
        index_t j0 = q * NR, nr = std::min(NR, n - j0);
        const float* pb = packed + q * kc * NR;
        for (index_t r = 0; r < mc; r += MR) {
          kernel(kc, pa + r * kc, pb, c + (i0 + r) * ldc + j0, ldc, add, std::min(MR, mc - r), nr);
        }
      }
    }
    std::free(pa);
  });
}

void zero_or_keep(index_t m, index_t n, float* c, index_t ldc, bool accumulate) {
  if (accumulate) return;
  for (index_t i = 0; i < m; ++i) std::memset(c + i * ldc, 0, static_cast<std::size_t>(n) * sizeof(float));
}

}  // namespace

PackedMatrix::PackedMatrix(MatrixView b, index_t k, index_t n)
    : k_(k), n_(n), padded_((n + NR - 1) / NR * NR), data_(aligned_floats(k * ((n + NR - 1) / NR * NR))) {
  const index_t panels = padded_ / NR;
  for (index_t k0 = 0; k0 < k; k0 += KC) {
    index_t kc = std::min(KC, k - k0);
    float* out = data_ + k0 * padded_;
    parallel_for(panels, 8, [&](index_t begin, index_t end) { pack_b_block(b, k0, kc, n, begin, end, out); });
  }
}

PackedMatrix::~PackedMatrix() { std::free(data_); }

void gemm_packed(index_t m, MatrixView a, const PackedMatrix& b, float* c, index_t ldc, bool accumulate) {
  const index_t k = b.rows(), n = b.cols();
  if (m == 0 || n == 0) return;
  if (k == 0) return zero_or_keep(m, n, c, ldc, accumulate);
  for (index_t k0 = 0; k0 < k; k0 += KC) {
    multiply_block(m, n, a, k0, std::min(KC, k - k0), b.block(k0), c, ldc, accumulate || k0 > 0);
  }
}

void gemm(index_t m, index_t n, index_t k, MatrixView a, MatrixView b, float* c, index_t ldc, bool accumulate) {
  if (m == 0 || n == 0) return;
  if (k == 0) return zero_or_keep(m, n, c, ldc, accumulate);
  const index_t panels = (n + NR - 1) / NR;
  float* packed = aligned_floats(std::min(KC, k) * panels * NR);
  for (index_t k0 = 0; k0 < k; k0 += KC) {
    index_t kc = std::min(KC, k - k0);
    parallel_for(panels, 8, [&](index_t begin, index_t end) { pack_b_block(b, k0, kc, n, begin, end, packed); });
    multiply_block(m, n, a, k0, kc, packed, c, ldc, accumulate || k0 > 0);
  }
  std::free(packed);
}

const char* gemm_kernel_name() { return cpu_features().avx2_fma ? "avx2-fma" : "portable"; }

}  // namespace seqmodel
