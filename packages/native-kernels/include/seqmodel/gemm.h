// Single-precision matrix products on the host: C (+)= op(A)·op(B), row-major with leading dimensions, op
// transposing where asked. Blocked (KC x MC panels of A, KC x NR panels of B, packed), with a 6x16 AVX2/FMA micro
// kernel chosen at run time and a portable one elsewhere, split over the thread pool by blocks of rows and columns.
// A right-hand operand used by many products (the recurrent kernel, once per time step) can be packed once.
#pragma once

#include <cstddef>
#include <memory>

#include "config.h"

namespace seqmodel {

struct MatrixView {
  const float* data;
  index_t ld;
  bool transposed;
  // Element (row, col) of op(M).
  SEQ_HOST_DEVICE index_t at(index_t row, index_t col) const { return transposed ? col * ld + row : row * ld + col; }
};

// op(B) [k, n] packed into the micro kernel's panels.
class PackedMatrix {
 public:
  PackedMatrix(MatrixView b, index_t k, index_t n);
  ~PackedMatrix();
  PackedMatrix(const PackedMatrix&) = delete;
  PackedMatrix& operator=(const PackedMatrix&) = delete;
  index_t rows() const { return k_; }
  index_t cols() const { return n_; }
  // The panel block of depth rows [kBegin, kBegin + KC).
  const float* block(index_t kBegin) const { return data_ + kBegin * padded_; }
  index_t padded_cols() const { return padded_; }

 private:
  index_t k_, n_, padded_;
  float* data_;
};

// C [m, n] (ld ldc) = op(A) [m, k] · op(B) [k, n], or += with accumulate.
void gemm(index_t m, index_t n, index_t k, MatrixView a, MatrixView b, float* c, index_t ldc, bool accumulate);
void gemm_packed(index_t m, MatrixView a, const PackedMatrix& b, float* c, index_t ldc, bool accumulate);

// Which micro kernel runs: "avx2-fma" or "portable".
const char* gemm_kernel_name();

}  // namespace seqmodel
