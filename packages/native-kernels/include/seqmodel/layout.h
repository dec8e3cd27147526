// Layout kernels: one strided copy (transpose, slice, strided slice, reverse, broadcast, tile, concat, pack,
// unpack, split and pad are all strided views of an input written into a strided view of the output), gather,
// one-hot and segment sums. One functor call per output element, except SegmentSumColumn (one per column).
#pragma once

#include "config.h"

namespace seqmodel {

// out[outOffset + Σ k_d·outStrides_d] = in[inOffset + Σ k_d·inStrides_d] for every index k of `shape`.
// Input strides may be 0 (broadcast) or negative (reverse).
template <class T>
struct StridedCopy {
  const T* in;
  T* out;
  index_t inOffset, outOffset;
  Dims shape, inStrides, outStrides;
  SEQ_HOST_DEVICE void operator()(index_t i) const {
    index_t from = inOffset, to = outOffset, rest = i;
    for (int d = shape.rank - 1; d >= 0; --d) {
      index_t k = rest % shape.v[d];
      rest /= shape.v[d];
      from += k * inStrides.v[d];
      to += k * outStrides.v[d];
    }
    out[to] = in[from];
  }
};

// x viewed as [outer, axisSize, inner]; out as [outer, count, inner] with out[o, n, j] = x[o, indices[n], j].
// Indices were checked against axisSize before the launch; an index out of range reads 0 (never out of bounds).
template <class T>
struct GatherKernel {
  const T* x;
  const std::int32_t* indices;
  T* out;
  index_t axisSize, inner, count;
  SEQ_HOST_DEVICE void operator()(index_t i) const {
    index_t j = i % inner;
    index_t n = (i / inner) % count;
    index_t o = i / (inner * count);
    std::int32_t k = indices[n];
    out[i] = (k >= 0 && k < axisSize) ? x[(o * axisSize + k) * inner + j] : T(0);
  }
};

// out[n, d] = d == indices[n] ? on : off.
template <class T>
struct OneHotKernel {
  const std::int32_t* indices;
  T* out;
  index_t depth;
  T on, off;
  SEQ_HOST_DEVICE void operator()(index_t i) const { out[i] = indices[i / depth] == i % depth ? on : off; }
};

// One column j of out[numSegments, inner] += x[r, j] for every row r with segment ids[r] (ids out of range are
// dropped, as tfjs does). Columns are independent, so a launch over columns needs no atomics.
template <class T>
struct SegmentSumColumn {
  const T* x;
  const std::int32_t* ids;
  T* out;
  index_t rows, inner, numSegments;
  SEQ_HOST_DEVICE void operator()(index_t j) const {
    for (index_t s = 0; s < numSegments; ++s) out[s * inner + j] = T(0);
    for (index_t r = 0; r < rows; ++r) {
      std::int32_t s = ids[r];
      if (s >= 0 && s < numSegments) out[s * inner + j] += x[r * inner + j];
    }
  }
};

}  // namespace seqmodel
