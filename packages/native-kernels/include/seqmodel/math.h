// Scalar math shared by host and device: the accurate functions of the elementwise kernels, the fast exp of the
// gate arithmetic, and the recurrent cells' activations with their derivatives expressed through the activation's
// OUTPUT (what the backward pass keeps), matching @seqmodel/backend-tfjs's fused/activations.ts.
#pragma once

#include <cmath>
#include <cstring>

#include "config.h"

namespace seqmodel {

SEQ_HOST_DEVICE SEQ_INLINE float bits_to_float(std::int32_t bits) {
#if defined(__CUDA_ARCH__)
  return __int_as_float(bits);
#else
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
#endif
}

SEQ_HOST_DEVICE SEQ_INLINE std::int32_t float_to_bits(float f) {
#if defined(__CUDA_ARCH__)
  return __float_as_int(f);
#else
  std::int32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
#endif
}

// e^v to ~2 ulp on [-87, 88] (clamped outside): e^v = 2^k · e^r with |r| <= ln2 / 2, e^r by a degree-6 polynomial.
// Branch-free and without library calls (k is rounded by adding 1.5·2^23, which leaves it in the low mantissa
// bits), so host compilers vectorize the gate loops that call it.
SEQ_HOST_DEVICE SEQ_INLINE float fast_exp(float v) {
  // Ternaries rather than fminf/fmaxf: compilers turn them into vector min/max without fast-math flags.
  float x = v < -87.0f ? -87.0f : v;
  x = x > 88.0f ? 88.0f : x;
  constexpr float kShifter = 12582912.0f;  // 1.5 * 2^23, bits 0x4B400000
  float t = x * 1.44269504088896341f + kShifter;
  float k = t - kShifter;
  std::int32_t ki = float_to_bits(t) - 0x4B400000;
  float r = x - k * 0.693145751953125f - k * 1.428606765330187e-06f;
  float p = 1.0f + r * (1.0f + r * (0.5f + r * (0.166666672f + r * (0.0416666418f + r * (0.00833336f + r * 0.00138889f)))));
  return p * bits_to_float((ki + 127) << 23);
}

SEQ_HOST_DEVICE SEQ_INLINE float fast_sigmoid(float v) { return 1.0f / (1.0f + fast_exp(-v)); }
// tanh(v) = 1 − 2 / (1 + e^{2v}), which loses its relative accuracy near 0 to cancellation (3e-5 at 1e-3, and 0
// below ~3e-8 in float32), so |v| <= 0.2 takes the series v − v³/3 + 2v⁵/15 − 17v⁷/315 (as backend-wasm's and the
// shaders' tanh): within ~1.2e-7 relative there. A select, not a branch, so gate loops still vectorize.
SEQ_HOST_DEVICE SEQ_INLINE float fast_tanh(float v) {
  float v2 = v * v;
  float series = v * (1.0f + v2 * (-0.333333343f + v2 * (0.13333334f - v2 * 0.053968254f)));
  float formula = 1.0f - 2.0f / (1.0f + fast_exp(2.0f * v));
  return v2 <= 0.04f ? series : formula;
}

constexpr float kSeluAlpha = 1.6732632423543772f;
constexpr float kSeluScale = 1.0507009873554805f;

// The activations a fused recurrent kernel implements, in the order of fusedActivationNames in
// @seqmodel/backend-tfjs (the addon receives these numbers).
enum Activation : int {
  kLinear = 0,
  kTanh = 1,
  kSigmoid = 2,
  kRelu = 3,
  kHardSigmoid = 4,
  kHardSigmoidKeras3 = 5,
  kSoftsign = 6,
  kSoftplus = 7,
  kElu = 8,
  kSelu = 9,
  kExponential = 10,
  kActivationCount = 11,
};

SEQ_HOST_DEVICE SEQ_INLINE float activate(int act, float v) {
  switch (act) {
    case kTanh: return fast_tanh(v);
    case kSigmoid: return fast_sigmoid(v);
    case kRelu: return fmaxf(v, 0.0f);
    case kHardSigmoid: return fminf(fmaxf(0.2f * v + 0.5f, 0.0f), 1.0f);
    case kHardSigmoidKeras3: return fminf(fmaxf(v / 6.0f + 0.5f, 0.0f), 1.0f);
    case kSoftsign: return v / (1.0f + fabsf(v));
    case kSoftplus: return fmaxf(v, 0.0f) + log1pf(expf(-fabsf(v)));
    case kElu: return v > 0.0f ? v : expm1f(v);
    case kSelu: return kSeluScale * (v > 0.0f ? v : kSeluAlpha * expm1f(v));
    case kExponential: return expf(v);
    default: return v;
  }
}

// f'(x) from y = f(x).
SEQ_HOST_DEVICE SEQ_INLINE float derivative(int act, float y) {
  switch (act) {
    case kTanh: return 1.0f - y * y;
    case kSigmoid: return y * (1.0f - y);
    case kRelu: return y > 0.0f ? 1.0f : 0.0f;
    case kHardSigmoid: return y > 0.0f && y < 1.0f ? 0.2f : 0.0f;
    case kHardSigmoidKeras3: return y > 0.0f && y < 1.0f ? 1.0f / 6.0f : 0.0f;
    case kSoftsign: {
      float a = 1.0f - fabsf(y);
      return a * a;
    }
    case kSoftplus: return -expm1f(-y);
    case kElu: return y > 0.0f ? 1.0f : y + 1.0f;
    case kSelu: return y > 0.0f ? kSeluScale : y + kSeluScale * kSeluAlpha;
    case kExponential: return y;
    default: return 1.0f;
  }
}

// An activation fixed at compile time (A >= 0) or chosen at run time (A == kRuntime): the gate functors are
// instantiated for Keras' defaults (sigmoid gates, tanh candidate) so that their loops vectorize, and once with
// run-time activations for everything else.
constexpr int kRuntime = -1;

template <int A>
SEQ_HOST_DEVICE SEQ_INLINE float act(int runtime, float v) {
  if constexpr (A == kSigmoid) return fast_sigmoid(v);
  else if constexpr (A == kTanh) return fast_tanh(v);
  else return activate(runtime, v);
}

template <int A>
SEQ_HOST_DEVICE SEQ_INLINE float dact(int runtime, float y) {
  if constexpr (A == kSigmoid) return y * (1.0f - y);
  else if constexpr (A == kTanh) return 1.0f - y * y;
  else return derivative(runtime, y);
}

}  // namespace seqmodel
