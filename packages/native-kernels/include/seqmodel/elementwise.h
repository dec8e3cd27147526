// Elementwise kernels: unary, binary with NumPy broadcasting (through strides, 0 on a broadcast axis), select,
// cast and fill. One functor call computes one output element. The op numbers are the addon's contract with
// @seqmodel/backend-native's TypeScript (src/ops.ts): append, never renumber.
#pragma once

#include <cmath>

#include "config.h"
#include "math.h"

namespace seqmodel {

enum UnaryOp : int {
  kNeg = 0, kExp, kLog, kSqrt, kAbs, kSigmoidOp, kTanhOp, kReluOp, kSquare, kSoftplusOp,
  kSeluOp, kEluOp, kStep, kClip, kLogicalNot, kRsqrt, kReciprocal, kFloor, kSign, kRelu6,
  kLeakyRelu, kRound, kCeil, kExpm1, kLog1p, kSin, kCos, kErf, kIdentity,
  kUnaryCount
};

enum BinaryOp : int {
  kAdd = 0, kSub, kMul, kDiv, kMaximum, kMinimum, kPow, kSquaredDifference, kFloorDiv, kMod,
  kEqual, kNotEqual, kGreater, kGreaterEqual, kLess, kLessEqual, kLogicalAnd, kLogicalOr,
  kBinaryCount
};

// Comparisons and logical ops produce bool (one byte).
SEQ_HOST_DEVICE SEQ_INLINE bool is_predicate(int op) { return op >= kEqual; }

template <class T>
SEQ_HOST_DEVICE SEQ_INLINE T unary_value(int op, T x, float a, float b) {
  float v = static_cast<float>(x);
  switch (op) {
    case kNeg: return static_cast<T>(-v);
    case kExp: return static_cast<T>(expf(v));
    case kLog: return static_cast<T>(logf(v));
    case kSqrt: return static_cast<T>(sqrtf(v));
    case kAbs: return static_cast<T>(fabsf(v));
    case kSigmoidOp: return static_cast<T>(1.0f / (1.0f + expf(-v)));
    case kTanhOp: return static_cast<T>(tanhf(v));
    // tfjs-cpu's Relu: NaN stays NaN (and -0 gives +0).
    case kReluOp: return static_cast<T>(v > 0.0f || v != v ? v : 0.0f);
    case kSquare: return static_cast<T>(v * v);
    case kSoftplusOp: return static_cast<T>(fmaxf(v, 0.0f) + log1pf(expf(-fabsf(v))));
    case kSeluOp: return static_cast<T>(v > 0.0f ? kSeluScale * v : kSeluScale * kSeluAlpha * expm1f(v));
    case kEluOp: return static_cast<T>(v > 0.0f ? v : expm1f(v));
    // tfjs's Step: 1 for x > 0, alpha otherwise, NaN stays NaN.
    case kStep: return static_cast<T>(v != v ? v : (v > 0.0f ? 1.0f : a));
    // tfjs-cpu's ClipByValue: by comparisons, so NaN stays NaN and -0 inside the bounds stays -0 (fminf(-0, +0) may be
    // either).
    case kClip: return static_cast<T>(v < a ? a : (v > b ? b : v));
    case kLogicalNot: return static_cast<T>(v == 0.0f ? 1.0f : 0.0f);
    case kRsqrt: return static_cast<T>(1.0f / sqrtf(v));
    case kReciprocal: return static_cast<T>(1.0f / v);
    case kFloor: return static_cast<T>(floorf(v));
    case kSign: return static_cast<T>(v > 0.0f ? 1.0f : (v < 0.0f ? -1.0f : 0.0f));
    case kRelu6: return static_cast<T>(fminf(fmaxf(v, 0.0f), 6.0f));
    case kLeakyRelu: return static_cast<T>(v < 0.0f ? a * v : v);
    // tfjs rounds half to even.
    case kRound: return static_cast<T>(rintf(v));
    case kCeil: return static_cast<T>(ceilf(v));
    case kExpm1: return static_cast<T>(expm1f(v));
    case kLog1p: return static_cast<T>(log1pf(v));
    case kSin: return static_cast<T>(sinf(v));
    case kCos: return static_cast<T>(cosf(v));
    case kErf: return static_cast<T>(erff(v));
    default: return x;
  }
}

// Integer arithmetic stays integer (int32 tensors: indices, counts); everything else computes in float.
template <class T>
SEQ_HOST_DEVICE SEQ_INLINE T arithmetic_value(int op, T x, T y) {
  switch (op) {
    case kAdd: return x + y;
    case kSub: return x - y;
    case kMul: return x * y;
    case kDiv: return x / y;
    case kMaximum: return x > y || x != x ? x : y;
    case kMinimum: return x < y || x != x ? x : y;
    case kPow: return static_cast<T>(powf(static_cast<float>(x), static_cast<float>(y)));
    case kSquaredDifference: return (x - y) * (x - y);
    case kFloorDiv: return static_cast<T>(floorf(static_cast<float>(x) / static_cast<float>(y)));
    case kMod: {
      // tfjs's Mod takes the sign of the divisor.
      float fx = static_cast<float>(x), fy = static_cast<float>(y);
      float m = fmodf(fx, fy);
      if (m != 0.0f && ((m < 0.0f) != (fy < 0.0f))) m += fy;
      return static_cast<T>(m);
    }
    default: return x;
  }
}

template <>
SEQ_HOST_DEVICE SEQ_INLINE std::int32_t arithmetic_value<std::int32_t>(int op, std::int32_t x, std::int32_t y) {
  switch (op) {
    case kAdd: return x + y;
    case kSub: return x - y;
    case kMul: return x * y;
    // tfjs's RealDiv of int32 tensors computes in float and truncates on storage; integer division by 0 must
    // not trap.
    case kDiv: return y == 0 ? 0 : static_cast<std::int32_t>(static_cast<float>(x) / static_cast<float>(y));
    case kMaximum: return x > y ? x : y;
    case kMinimum: return x < y ? x : y;
    case kPow: return static_cast<std::int32_t>(powf(static_cast<float>(x), static_cast<float>(y)));
    case kSquaredDifference: return (x - y) * (x - y);
    case kFloorDiv: return y == 0 ? 0 : static_cast<std::int32_t>(floorf(static_cast<float>(x) / static_cast<float>(y)));
    case kMod: {
      if (y == 0) return 0;
      std::int32_t m = x % y;
      if (m != 0 && ((m < 0) != (y < 0))) m += y;
      return m;
    }
    default: return x;
  }
}

template <class T>
SEQ_HOST_DEVICE SEQ_INLINE std::uint8_t predicate_value(int op, T x, T y) {
  switch (op) {
    case kEqual: return x == y;
    case kNotEqual: return x != y;
    case kGreater: return x > y;
    case kGreaterEqual: return x >= y;
    case kLess: return x < y;
    case kLessEqual: return x <= y;
    case kLogicalAnd: return x != T(0) && y != T(0);
    case kLogicalOr: return x != T(0) || y != T(0);
    default: return 0;
  }
}

// The offsets in two strided operands of output element i (row-major over `shape`).
SEQ_HOST_DEVICE SEQ_INLINE void broadcast_offsets(index_t i, const Dims& shape, const Dims& sa, const Dims& sb,
                                                  index_t* ia, index_t* ib) {
  index_t a = 0, b = 0;
  for (int d = shape.rank - 1; d >= 0; --d) {
    index_t extent = shape.v[d];
    index_t k = i % extent;
    i /= extent;
    a += k * sa.v[d];
    b += k * sb.v[d];
  }
  *ia = a;
  *ib = b;
}

template <class T, class R>
struct UnaryKernel {
  const T* x;
  R* y;
  int op;
  float a, b;
  SEQ_HOST_DEVICE void operator()(index_t i) const { y[i] = static_cast<R>(unary_value<T>(op, x[i], a, b)); }
};

// a and b of the output's shape (no broadcasting): the common case, kept apart so that the host loop vectorizes.
template <class T>
struct ArithmeticSameShape {
  const T* a;
  const T* b;
  T* out;
  int op;
  SEQ_HOST_DEVICE void operator()(index_t i) const { out[i] = arithmetic_value<T>(op, a[i], b[i]); }
};

template <class T>
struct ArithmeticBroadcast {
  const T* a;
  const T* b;
  T* out;
  int op;
  Dims shape, sa, sb;
  SEQ_HOST_DEVICE void operator()(index_t i) const {
    index_t ia, ib;
    broadcast_offsets(i, shape, sa, sb, &ia, &ib);
    out[i] = arithmetic_value<T>(op, a[ia], b[ib]);
  }
};

template <class T>
struct PredicateBroadcast {
  const T* a;
  const T* b;
  std::uint8_t* out;
  int op;
  Dims shape, sa, sb;
  SEQ_HOST_DEVICE void operator()(index_t i) const {
    index_t ia, ib;
    broadcast_offsets(i, shape, sa, sb, &ia, &ib);
    out[i] = predicate_value<T>(op, a[ia], b[ib]);
  }
};

// out = condition ? a : b, all three broadcast to the output's shape.
template <class T>
struct SelectKernel {
  const std::uint8_t* condition;
  const T* a;
  const T* b;
  T* out;
  Dims shape, sc, sa, sb;
  SEQ_HOST_DEVICE void operator()(index_t i) const {
    index_t ic = 0, ia = 0, ib = 0, rest = i;
    for (int d = shape.rank - 1; d >= 0; --d) {
      index_t k = rest % shape.v[d];
      rest /= shape.v[d];
      ic += k * sc.v[d];
      ia += k * sa.v[d];
      ib += k * sb.v[d];
    }
    out[i] = condition[ic] ? a[ia] : b[ib];
  }
};

template <class From, class To>
struct CastKernel {
  const From* x;
  To* y;
  SEQ_HOST_DEVICE void operator()(index_t i) const { y[i] = static_cast<To>(x[i]); }
};

// float -> bool: nonzero (NaN included) is true, as in tfjs.
template <class T>
struct CastToBool {
  const T* x;
  std::uint8_t* y;
  SEQ_HOST_DEVICE void operator()(index_t i) const { y[i] = x[i] != T(0); }
};

template <class T>
struct FillKernel {
  T* y;
  T value;
  SEQ_HOST_DEVICE void operator()(index_t i) const { y[i] = value; }
};

}  // namespace seqmodel
