// Row kernels: reductions over the last axis of a [rows, cols] view (the caller moves reduced axes last), argmax,
// softmax and log-softmax. One functor call per row.
#pragma once

#include <cmath>

#include "config.h"

namespace seqmodel {

enum ReduceOp : int { kSum = 0, kMax, kMin, kMean, kProd, kAny, kAll, kReduceCount };

template <class T>
struct RowReduce {
  const T* x;
  T* out;
  index_t cols;
  int op;
  SEQ_HOST_DEVICE void operator()(index_t row) const {
    const T* p = x + row * cols;
    switch (op) {
      case kSum:
      case kMean: {
        // Accumulated in double: sums of thousands of float32 terms (losses, bias gradients) keep their digits.
        double s = 0.0;
        for (index_t j = 0; j < cols; ++j) s += static_cast<double>(p[j]);
        if (op == kMean && cols > 0) s /= static_cast<double>(cols);
        out[row] = static_cast<T>(s);
        return;
      }
      case kProd: {
        double s = 1.0;
        for (index_t j = 0; j < cols; ++j) s *= static_cast<double>(p[j]);
        out[row] = static_cast<T>(s);
        return;
      }
      case kMax:
      case kMin: {
        T m = p[0];
        for (index_t j = 1; j < cols; ++j) {
          T v = p[j];
          // NaN wins, as in tfjs's CPU backend.
          if (v != v || (op == kMax ? v > m : v < m)) m = v;
          if (m != m) break;
        }
        out[row] = m;
        return;
      }
      case kAny: {
        T r = T(0);
        for (index_t j = 0; j < cols; ++j) if (p[j] != T(0)) { r = T(1); break; }
        out[row] = r;
        return;
      }
      case kAll: {
        T r = T(1);
        for (index_t j = 0; j < cols; ++j) if (p[j] == T(0)) { r = T(0); break; }
        out[row] = r;
        return;
      }
      default: out[row] = T(0);
    }
  }
};

// Index of the first maximum (or minimum) of each row.
template <class T>
struct RowArgExtreme {
  const T* x;
  std::int32_t* out;
  index_t cols;
  bool minimum;
  SEQ_HOST_DEVICE void operator()(index_t row) const {
    const T* p = x + row * cols;
    index_t best = 0;
    for (index_t j = 1; j < cols; ++j) {
      if (minimum ? p[j] < p[best] : p[j] > p[best]) best = j;
    }
    out[row] = static_cast<std::int32_t>(best);
  }
};

struct RowSoftmax {
  const float* x;
  float* out;
  index_t cols;
  bool logarithm;
  SEQ_HOST_DEVICE void operator()(index_t row) const {
    const float* p = x + row * cols;
    float* q = out + row * cols;
    float m = p[0];
    for (index_t j = 1; j < cols; ++j) m = fmaxf(m, p[j]);
    double s = 0.0;
    for (index_t j = 0; j < cols; ++j) s += static_cast<double>(expf(p[j] - m));
    if (logarithm) {
      float l = static_cast<float>(log(s));
      for (index_t j = 0; j < cols; ++j) q[j] = p[j] - m - l;
    } else {
      float inv = static_cast<float>(1.0 / s);
      for (index_t j = 0; j < cols; ++j) q[j] = expf(p[j] - m) * inv;
    }
  }
};

// Column sums of a [rows, cols] block with row stride `stride`, in double (the bias gradients of a sequence).
struct ColumnSum {
  const float* x;
  float* out;
  index_t rows, stride;
  SEQ_HOST_DEVICE void operator()(index_t j) const {
    double s = 0.0;
    for (index_t r = 0; r < rows; ++r) s += static_cast<double>(x[r * stride + j]);
    out[j] = static_cast<float>(s);
  }
};

}  // namespace seqmodel
