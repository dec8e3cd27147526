// The recurrent cells' per-step arithmetic, forward and backward, as functors over one (row b, unit j) pair each:
// the host runs a row's units in an inner loop (which vectorizes for Keras' default activations), the device one
// thread per pair. The time loop, the products and the masks' bookkeeping live in sequence.h / sequence.cc; these
// functors are the part a cell compiler's C++ generator would emit for another cell: read the step's projection
// row, the recurrent product row and the states, write activated gates (kept for the backward pass) and next states.
//
// Launchers call `active(b)` once per row and `operator()(b, j)` only for active rows (masked steps of the backward
// pass skip whole rows). Optional operands are never null inside the loops (a zero bias, a scratch row for what only
// training keeps): the host's inner loops then have no branches and vectorize.
//
// Layout (as @seqmodel/backend-tfjs's fused/sequence-run.ts): the projection P = X·W has rows n = b * time + tau and
// `gates * units` columns, gate blocks side by side; a step's recurrent product has rows b. Equations are in
// packages/backend-tfjs/src/fused/cells/{simple-rnn,lstm,gru}.ts, which these functors mirror line by line.
#pragma once

#include "config.h"
#include "math.h"

namespace seqmodel {

// What every step functor knows about the step: sizes, the time index tau of processing step s, and the mask.
struct StepShape {
  index_t batch, time, units;
  index_t tau, step;
  // [batch, time], nonzero marks a valid step; null: every step is valid.
  const float* mask;
  SEQ_HOST_DEVICE SEQ_INLINE index_t n(index_t b) const { return b * time + tau; }
  SEQ_HOST_DEVICE SEQ_INLINE bool valid(index_t b) const { return mask == nullptr || mask[b * time + tau] != 0.0f; }
};

// Functors that run on every row.
struct EveryRow {
  SEQ_HOST_DEVICE SEQ_INLINE bool active(index_t) const { return true; }
};

// Where a functor writes what only training keeps, row b of step tau: element (b * rowStride + tau * stepStride + j)
// of `data`. Training: [batch * time, units] (rowStride time * units, stepStride units); inference: a scratch
// [batch, units] (units, 0).
struct KeptRows {
  float* data;
  index_t rowStride, stepStride;
  SEQ_HOST_DEVICE SEQ_INLINE float* row(index_t b, index_t tau) const { return data + b * rowStride + tau * stepStride; }
};

// Before a forward step: h̃ = h · recurrentMask, and when training the states before the step.
struct ForwardPrologue : EveryRow {
  StepShape s;
  const float* h;
  const float* c;
  const float* recurrentMask;
  float* ht;
  float* previousH;
  float* previousC;
  SEQ_HOST_DEVICE SEQ_INLINE void operator()(index_t b, index_t j) const {
    index_t row = b * s.units + j;
    float hv = h[row];
    if (recurrentMask) ht[row] = hv * recurrentMask[row];
    if (previousH) previousH[s.n(b) * s.units + j] = hv;
    if (previousC) previousC[s.n(b) * s.units + j] = c[row];
  }
};

// After a forward step: masked rows keep their states; the output repeats the last valid one (or is zero).
struct ForwardEpilogue : EveryRow {
  StepShape s;
  const float* state0;
  const float* state1;
  float* next0;
  float* next1;
  float* lastOutput;
  float* outputs;
  bool zeroMaskedOutputs;
  SEQ_HOST_DEVICE SEQ_INLINE void operator()(index_t b, index_t j) const {
    index_t row = b * s.units + j;
    if (s.valid(b)) {
      lastOutput[row] = next0[row];
    } else {
      next0[row] = state0[row];
      if (next1) next1[row] = state1[row];
      if (zeroMaskedOutputs) lastOutput[row] = 0.0f;
    }
    if (outputs) outputs[(b * s.time + s.step) * s.units + j] = lastOutput[row];
  }
};

// h' = act(x·W + b + h̃·U).
template <int A>
struct SimpleRnnForward : EveryRow {
  StepShape s;
  float* projection;
  const float* product;
  const float* bias;
  float* hNext;
  int activation;
  SEQ_HOST_DEVICE SEQ_INLINE void operator()(index_t b, index_t j) const {
    float* x = projection + s.n(b) * s.units;
    float v = x[j] + product[b * s.units + j] + bias[j];
    float y = act<A>(activation, v);
    x[j] = y;
    hNext[b * s.units + j] = y;
  }
};

// i, f, g, o = σ, σ, act, σ of x·W + b + h̃·U; c' = f c + i g; h' = o act(c').
template <int Rec, int Act>
struct LstmForward : EveryRow {
  StepShape s;
  float* projection;
  const float* product;
  const float* bias;
  const float* c;
  float* cNext;
  float* hNext;
  // act(c'); the activated gates are written over the projection (the backward pass reads both when training).
  KeptRows activatedCell;
  int recurrentActivation, activation;
  SEQ_HOST_DEVICE SEQ_INLINE void operator()(index_t b, index_t j) const {
    index_t u = s.units;
    float* z = projection + s.n(b) * 4 * u;
    const float* r = product + b * 4 * u;
    float i = act<Rec>(recurrentActivation, z[j] + r[j] + bias[j]);
    float f = act<Rec>(recurrentActivation, z[u + j] + r[u + j] + bias[u + j]);
    float g = act<Act>(activation, z[2 * u + j] + r[2 * u + j] + bias[2 * u + j]);
    float o = act<Rec>(recurrentActivation, z[3 * u + j] + r[3 * u + j] + bias[3 * u + j]);
    index_t row = b * u + j;
    float cv = f * c[row] + i * g;
    cNext[row] = cv;
    float a = act<Act>(activation, cv);
    hNext[row] = o * a;
    z[j] = i;
    z[u + j] = f;
    z[2 * u + j] = g;
    z[3 * u + j] = o;
    activatedCell.row(b, s.tau)[j] = a;
  }
};

// GRU with resetAfter: z, r = σ(x_zr + b_in + h̃·U_zr + b_rec); ĥ = act(x_h + b_in,h + r (h̃·U_h + b_rec,h));
// h' = z h̃ + (1 − z) ĥ. Bias [2, 3 units].
template <int Rec, int Act>
struct GruForwardResetAfter : EveryRow {
  StepShape s;
  float* projection;
  const float* product;
  const float* bias;
  const float* ht;
  float* hNext;
  // h̃·U_h + b_rec,h (kept for the backward pass when training).
  KeptRows recurrentH;
  int recurrentActivation, activation;
  SEQ_HOST_DEVICE SEQ_INLINE void operator()(index_t b, index_t j) const {
    index_t u = s.units, w = 3 * u;
    float* x = projection + s.n(b) * w;
    const float* r = product + b * w;
    float zg = act<Rec>(recurrentActivation, x[j] + r[j] + bias[j] + bias[w + j]);
    float rg = act<Rec>(recurrentActivation, x[u + j] + r[u + j] + bias[u + j] + bias[w + u + j]);
    x[j] = zg;
    x[u + j] = rg;
    float recurrent = r[2 * u + j] + bias[w + 2 * u + j];
    recurrentH.row(b, s.tau)[j] = recurrent;
    float candidate = act<Act>(activation, x[2 * u + j] + bias[2 * u + j] + rg * recurrent);
    x[2 * u + j] = candidate;
    index_t row = b * u + j;
    hNext[row] = zg * ht[row] + (1.0f - zg) * candidate;
  }
};

// GRU without resetAfter, first half: z, r = σ(x_zr + h̃·U_zr + b_zr), and r h̃ for the second product.
template <int Rec>
struct GruForwardGates : EveryRow {
  StepShape s;
  float* projection;
  const float* product;  // [batch, 2 units]
  const float* bias;
  const float* ht;
  float* resetH;
  int recurrentActivation;
  SEQ_HOST_DEVICE SEQ_INLINE void operator()(index_t b, index_t j) const {
    index_t u = s.units;
    float* x = projection + s.n(b) * 3 * u;
    const float* r = product + b * 2 * u;
    float zg = act<Rec>(recurrentActivation, x[j] + r[j] + bias[j]);
    float rg = act<Rec>(recurrentActivation, x[u + j] + r[u + j] + bias[u + j]);
    x[j] = zg;
    x[u + j] = rg;
    resetH[b * u + j] = rg * ht[b * u + j];
  }
};

// Second half: ĥ = act(x_h + (r h̃)·U_h + b_h); h' = z h̃ + (1 − z) ĥ.
template <int Act>
struct GruForwardCandidate : EveryRow {
  StepShape s;
  float* projection;
  const float* product;  // [batch, units]
  const float* bias;
  const float* ht;
  float* hNext;
  int activation;
  SEQ_HOST_DEVICE SEQ_INLINE void operator()(index_t b, index_t j) const {
    index_t u = s.units;
    float* x = projection + s.n(b) * 3 * u;
    index_t row = b * u + j;
    float candidate = act<Act>(activation, x[2 * u + j] + product[row] + bias[2 * u + j]);
    x[2 * u + j] = candidate;
    float zg = x[j];
    hNext[row] = zg * ht[row] + (1.0f - zg) * candidate;
  }
};

// Before a backward step: this step's h̃ from the saved states, d loss / d h' (output gradient included), and the
// previous states' gradients started (zero for valid rows, passed through for masked ones).
struct BackwardPrologue : EveryRow {
  StepShape s;
  const float* previousH;
  const float* recurrentMask;
  float* ht;
  // Gradient of the outputs [batch, time, units] with returnSequences (else null: `carried` starts as dOutput).
  const float* dOutputs;
  float* carried;
  float* dNew;
  const float* dState0;
  const float* dState1;
  float* dPrevious0;
  float* dPrevious1;
  bool zeroMaskedOutputs;
  SEQ_HOST_DEVICE SEQ_INLINE void operator()(index_t b, index_t j) const {
    index_t u = s.units, row = b * u + j;
    float hv = previousH[s.n(b) * u + j];
    ht[row] = recurrentMask ? hv * recurrentMask[row] : hv;
    float g = carried[row] + (dOutputs ? dOutputs[(b * s.time + s.step) * u + j] : 0.0f);
    if (s.valid(b)) {
      dNew[row] = dState0[row] + g;
      carried[row] = 0.0f;
      dPrevious0[row] = 0.0f;
      if (dPrevious1) dPrevious1[row] = 0.0f;
    } else {
      dPrevious0[row] = dState0[row];
      if (dPrevious1) dPrevious1[row] = dState1[row];
      carried[row] = zeroMaskedOutputs ? 0.0f : g;
    }
  }
};

template <int A>
struct SimpleRnnBackward {
  StepShape s;
  SEQ_HOST_DEVICE SEQ_INLINE bool active(index_t b) const { return s.valid(b); }
  const float* projection;
  float* dProjection;
  const float* dNew;
  int activation;
  SEQ_HOST_DEVICE SEQ_INLINE void operator()(index_t b, index_t j) const {
    index_t k = s.n(b) * s.units + j;
    dProjection[k] = dNew[b * s.units + j] * dact<A>(activation, projection[k]);
  }
};

template <int Rec, int Act>
struct LstmBackward {
  StepShape s;
  SEQ_HOST_DEVICE SEQ_INLINE bool active(index_t b) const { return s.valid(b); }
  const float* projection;  // activated gates
  float* dProjection;
  const float* activatedCell;
  const float* previousC;
  const float* dNew;
  const float* dc;
  float* dcPrevious;
  int recurrentActivation, activation;
  SEQ_HOST_DEVICE SEQ_INLINE void operator()(index_t b, index_t j) const {
    index_t u = s.units, n = s.n(b), row = b * u + j;
    const float* z = projection + n * 4 * u;
    float* dz = dProjection + n * 4 * u;
    float i = z[j], f = z[u + j], g = z[2 * u + j], o = z[3 * u + j];
    float a = activatedCell[n * u + j];
    float dh = dNew[row];
    float dct = dc[row] + dh * o * dact<Act>(activation, a);
    dz[j] = dct * g * dact<Rec>(recurrentActivation, i);
    dz[u + j] = dct * previousC[n * u + j] * dact<Rec>(recurrentActivation, f);
    dz[2 * u + j] = dct * i * dact<Act>(activation, g);
    dz[3 * u + j] = dh * a * dact<Rec>(recurrentActivation, o);
    dcPrevious[row] += dct * f;
  }
};

// The GRU's backward step. With resetAfter, also d loss / d (h̃·U + b_rec) into dRecurrent; without, the first of
// two halves (d z before σ', d ĥ, d h̃ direct), GruBackwardReset being the second.
template <int Rec, int Act, bool ResetAfter>
struct GruBackward {
  StepShape s;
  SEQ_HOST_DEVICE SEQ_INLINE bool active(index_t b) const { return s.valid(b); }
  const float* projection;
  float* dProjection;
  const float* ht;
  const float* dNew;
  float* dDirect;
  const float* recurrentH;
  float* dRecurrent;
  int recurrentActivation, activation;
  SEQ_HOST_DEVICE SEQ_INLINE void operator()(index_t b, index_t j) const {
    index_t u = s.units, w = 3 * u, n = s.n(b), row = b * u + j;
    const float* x = projection + n * w;
    float* dx = dProjection + n * w;
    float zg = x[j], candidate = x[2 * u + j], d = dNew[row];
    float dz = d * (ht[row] - candidate);
    float da = d * (1.0f - zg) * dact<Act>(activation, candidate);
    dx[2 * u + j] = da;
    dDirect[row] = d * zg;
    if constexpr (!ResetAfter) {
      dx[j] = dz * dact<Rec>(recurrentActivation, zg);
      return;
    }
    float rg = x[u + j];
    float* dr = dRecurrent + n * w;
    dr[2 * u + j] = da * rg;
    float dzs = dz * dact<Rec>(recurrentActivation, zg);
    float drs = da * recurrentH[n * u + j] * dact<Rec>(recurrentActivation, rg);
    dx[j] = dzs;
    dx[u + j] = drs;
    dr[j] = dzs;
    dr[u + j] = drs;
  }
};

// GRU without resetAfter, after d(r h̃) = d a · U_hᵀ: d r (before σ') and d h̃ += d(r h̃) · r.
template <int Rec>
struct GruBackwardReset {
  StepShape s;
  SEQ_HOST_DEVICE SEQ_INLINE bool active(index_t b) const { return s.valid(b); }
  float* dProjection;
  const float* projection;
  const float* ht;
  const float* dReset;
  float* dDirect;
  int recurrentActivation;
  SEQ_HOST_DEVICE SEQ_INLINE void operator()(index_t b, index_t j) const {
    index_t u = s.units, n = s.n(b), row = b * u + j;
    float rg = projection[n * 3 * u + u + j];
    float d = dReset[row];
    dProjection[n * 3 * u + u + j] = d * ht[row] * dact<Rec>(recurrentActivation, rg);
    dDirect[row] += d * rg;
  }
};

// d loss / d h̃ of the step (plus a direct part, zeros for cells without one) into the previous h's gradient,
// through the recurrent mask when Masked.
template <bool Masked>
struct RecurrentGradient {
  StepShape s;
  SEQ_HOST_DEVICE SEQ_INLINE bool active(index_t b) const { return s.valid(b); }
  const float* dRecurrentProduct;
  const float* direct;
  const float* recurrentMask;
  const float* previousH;
  float* dhPrevious;
  float* dRecurrentMask;
  SEQ_HOST_DEVICE SEQ_INLINE void operator()(index_t b, index_t j) const {
    index_t row = b * s.units + j;
    float d = dRecurrentProduct[row] + direct[row];
    if constexpr (Masked) {
      dhPrevious[row] += d * recurrentMask[row];
      dRecurrentMask[row] += d * previousH[s.n(b) * s.units + j];
    } else {
      dhPrevious[row] += d;
    }
  }
};

}  // namespace seqmodel
