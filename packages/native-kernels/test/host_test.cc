// Host unit tests of the kernel library without Node: the GEMM (both micro kernels, every transpose, accumulate,
// leading dimensions, packed operands) against a double-precision loop, fast_exp against exp, and the thread pool.
// Built and run by src/host.test.ts (with AddressSanitizer and UBSan where the compiler has them); prints
// "N passed, M failed" and exits non-zero on a failure.
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "seqmodel/cpu_features.h"
#include "seqmodel/gemm.h"
#include "seqmodel/launch_cpu.h"
#include "seqmodel/math.h"
#include "seqmodel/thread_pool.h"

using namespace seqmodel;

static int passed = 0, failed = 0;

static void check(bool ok, const char* what, double detail) {
  if (ok) {
    ++passed;
  } else {
    ++failed;
    std::printf("FAIL %s (%g)\n", what, detail);
  }
}

static void gemm_case(index_t m, index_t n, index_t k, bool ta, bool tb, bool accumulate, bool packed, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  // Leading dimensions wider than the operands, so that strides are exercised.
  index_t lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 5, ldc = n + 2;
  std::vector<float> a((ta ? k : m) * lda), b((tb ? n : k) * ldb), c(m * ldc);
  for (auto& v : a) v = u(rng);
  for (auto& v : b) v = u(rng);
  for (auto& v : c) v = u(rng);
  std::vector<float> before = c;
  MatrixView va{a.data(), lda, ta}, vb{b.data(), ldb, tb};
  if (packed) {
    PackedMatrix p(vb, k, n);
    gemm_packed(m, va, p, c.data(), ldc, accumulate);
  } else {
    gemm(m, n, k, va, vb, c.data(), ldc, accumulate);
  }
  double worst = 0.0;
  for (index_t i = 0; i < m; ++i) {
    for (index_t j = 0; j < n; ++j) {
      double s = accumulate ? before[i * ldc + j] : 0.0;
      for (index_t p = 0; p < k; ++p) s += static_cast<double>(a[va.at(i, p)]) * b[vb.at(p, j)];
      worst = std::fmax(worst, std::fabs(s - c[i * ldc + j]) / (1.0 + std::fabs(s)));
    }
    // Columns past n keep their values.
    for (index_t j = n; j < ldc; ++j) worst = std::fmax(worst, before[i * ldc + j] != c[i * ldc + j] ? 1.0 : 0.0);
  }
  char what[160];
  std::snprintf(what, sizeof what, "gemm %s m=%lld n=%lld k=%lld ta=%d tb=%d acc=%d packed=%d", gemm_kernel_name(),
                static_cast<long long>(m), static_cast<long long>(n), static_cast<long long>(k), ta, tb, accumulate,
                packed);
  // float32 sums of k terms of size <= 1: k * 2^-24 relative, with margin.
  check(worst < 1e-6 * (k + 10), what, worst);
}

int main() {
  std::mt19937 rng(1234);
  const index_t sizes[][3] = {{1, 1, 1}, {3, 5, 7},   {6, 16, 4},    {7, 17, 300}, {33, 40, 9},
                              {97, 31, 513}, {64, 128, 256}, {200, 20, 3}, {5, 1030, 2}};
  for (int portable = 0; portable < 2; ++portable) {
    force_portable(portable == 1);
    for (int threads : {1, 3}) {
      set_thread_count(threads);
      for (const auto& s : sizes)
        for (int t = 0; t < 4; ++t)
          for (int flags = 0; flags < 4; ++flags) gemm_case(s[0], s[1], s[2], t & 1, t & 2, flags & 1, flags & 2, rng);
    }
  }
  force_portable(false);
  // k = 0: the product is zero (or C is kept).
  {
    std::vector<float> c(6, 5.0f);
    float dummy = 0.0f;
    gemm(2, 3, 0, MatrixView{&dummy, 1, false}, MatrixView{&dummy, 1, false}, c.data(), 3, false);
    check(c[0] == 0.0f && c[5] == 0.0f, "gemm k=0 zeroes C", c[0]);
  }
  // fast_exp within a few float ulps of exp over the gates' range.
  double worst = 0.0;
  for (float x = -87.0f; x <= 88.0f; x += 0.0137f) {
    double e = std::exp(static_cast<double>(x));
    worst = std::fmax(worst, std::fabs(fast_exp(x) - e) / e);
  }
  check(worst < 4e-7, "fast_exp relative error", worst);
  check(fast_sigmoid(-100.0f) >= 0.0f && fast_sigmoid(100.0f) == 1.0f, "fast_sigmoid saturates", fast_sigmoid(100.0f));
  check(fast_tanh(-50.0f) == -1.0f && fast_tanh(50.0f) == 1.0f, "fast_tanh saturates", fast_tanh(50.0f));
  // fast_tanh keeps its relative accuracy near 0 (the formula alone gave 0 below ~3e-8), both signs, up to 4.
  worst = 0.0;
  for (double e = -38.0; e <= 0.6; e += 0.0031) {
    for (double sign : {1.0, -1.0}) {
      float x = static_cast<float>(sign * std::pow(10.0, e));
      double want = std::tanh(static_cast<double>(x));
      worst = std::fmax(worst, std::fabs(fast_tanh(x) - want) / std::fabs(want));
    }
  }
  // The series is within ~1.2e-7 below 0.2; above it the formula, up to ~4.1e-7 (at |v| = 0.29: fast_exp's error,
  // amplified).
  check(worst < 5e-7, "fast_tanh relative error", worst);
  check(fast_tanh(0.0f) == 0.0f && std::isnan(fast_tanh(NAN)), "fast_tanh(0) is 0, fast_tanh(NaN) NaN", fast_tanh(0.0f));
  check(std::isnan(fast_exp(NAN)), "fast_exp(NaN) is NaN", 0);
  // The pool covers every index exactly once, for any thread count and grain, nested calls included.
  for (int threads : {1, 2, 5}) {
    set_thread_count(threads);
    for (index_t n : {0, 1, 7, 1000, 100003}) {
      std::vector<int> hits(n, 0);
      parallel_for(n, 16, [&](index_t b, index_t e) {
        for (index_t i = b; i < e; ++i) hits[i]++;
        parallel_for(2, 1, [](index_t, index_t) {});
      });
      bool ok = true;
      for (int h : hits) ok = ok && h == 1;
      check(ok, "parallel_for covers each index once", static_cast<double>(n));
    }
    std::vector<float> y(5000);
    launch(5000, [&](index_t i) { y[i] = static_cast<float>(i); }, 64);
    check(y[4999] == 4999.0f && y[0] == 0.0f, "launch writes every element", y[4999]);
  }
  set_thread_count(1);
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
