// The whole-sequence recurrent kernels written once over an executor, for the device: the CUDA target instantiates
// them with its grid launcher and tiled (or cuBLAS) GEMM (cuda/sequence.cu), and the tests instantiate them with the
// host launcher and GEMM (test/runner_test.cc), checking this code path against sequence.cc on the CPU. The algorithm
// and the buffers are sequence.cc's (see sequence.h); the differences are the ones a device needs: no packed
// panels (the executor's GEMM reads strided views), scratch buffers from the executor, and the two whole-sequence
// loops that sequence.cc runs as host lambdas (masked states, r · h̃) as functors.
//
// An executor provides:
//   float* alloc(index_t n)                                   n zero floats in its memory
//   void release(float* p)
//   void copy(float* to, const float* from, index_t n)        within its memory
//   void zero(float* p, index_t n)
//   void gemm(m, n, k, MatrixView a, MatrixView b, float* c, index_t ldc, bool accumulate)
//   template <class F> void rows(index_t rows, index_t units, const F& f)    the gate functors' launcher
//   template <class F> void flat(index_t n, const F& f)                      the flat launcher
#pragma once

#include <utility>

#include "seqmodel/config.h"
#include "seqmodel/gates.h"
#include "seqmodel/gemm.h"
#include "seqmodel/reduce.h"
#include "seqmodel/sequence.h"

namespace seqmodel {
namespace runner {

// previousH · recurrentMask, row n = b * time + tau of [batch * time, units].
struct MaskedStates {
  const float* previousH;
  const float* recurrentMask;
  float* out;
  index_t time, units;
  SEQ_HOST_DEVICE SEQ_INLINE void operator()(index_t i) const {
    index_t n = i / units, j = i % units;
    out[i] = previousH[i] * recurrentMask[(n / time) * units + j];
  }
};

// r · h̃ for the GRU without resetAfter: r is the second gate block of the activated projection.
struct ResetStates {
  const float* projection;
  const float* states;
  float* out;
  index_t units, width;
  SEQ_HOST_DEVICE SEQ_INLINE void operator()(index_t i) const {
    out[i] = projection[(i / units) * width + units + i % units] * states[i];
  }
};

// A scratch buffer of the executor, released at scope exit.
template <class Exec>
class Scratch {
 public:
  Scratch(Exec& exec, index_t n) : exec_(exec), data_(n > 0 ? exec.alloc(n) : nullptr) {}
  ~Scratch() {
    if (data_) exec_.release(data_);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  float* get() const { return data_; }

 private:
  Exec& exec_;
  float* data_;
};

template <class Fn>
void with_activations(int recurrent, int activation, Fn&& fn) {
  if (recurrent == kSigmoid && activation == kTanh) fn(std::integral_constant<int, kSigmoid>{}, std::integral_constant<int, kTanh>{});
  else fn(std::integral_constant<int, kRuntime>{}, std::integral_constant<int, kRuntime>{});
}
template <class Fn>
void with_activation(int activation, Fn&& fn) {
  if (activation == kTanh) fn(std::integral_constant<int, kTanh>{});
  else fn(std::integral_constant<int, kRuntime>{});
}

template <class Exec>
void forward(Exec& exec, const SequenceConfig& c, const ForwardBuffers& io) {
  const index_t B = c.batch, T = c.time, U = c.units, G = gate_count(c), W = G * U, size = B * U;
  const bool lstm = c.cell == kLstm, gru = c.cell == kGru;
  const bool training = io.projection != nullptr;
  Scratch<Exec> ownProjection(exec, training ? 0 : B * T * W);
  float* P = training ? io.projection : ownProjection.get();
  exec.gemm(B * T, W, c.inputSize, MatrixView{io.x, c.inputSize, false}, MatrixView{io.kernel, W, false}, P, W, false);

  Scratch<Exec> h0(exec, size), h1(exec, size), c0(exec, lstm ? size : 0), c1(exec, lstm ? size : 0);
  float *h = h0.get(), *hNext = h1.get(), *cs = c0.get(), *cNext = c1.get();
  if (io.initialState[0]) exec.copy(h, io.initialState[0], size);
  if (lstm && io.initialState[1]) exec.copy(cs, io.initialState[1], size);
  Scratch<Exec> htBuffer(exec, io.recurrentMask ? size : 0), lastBuffer(exec, size);
  float *ht = htBuffer.get(), *last = lastBuffer.get();
  const index_t biasSize = gru && c.resetAfter ? 2 * W : W;
  Scratch<Exec> zeroBias(exec, io.bias ? 0 : biasSize);
  const float* bias = io.bias ? io.bias : zeroBias.get();
  Scratch<Exec> scratch(exec, training ? 0 : size);
  const KeptRows kept = training ? KeptRows{nullptr, T * U, U} : KeptRows{scratch.get(), U, 0};
  KeptRows activatedCell = kept, recurrentH = kept;
  activatedCell.data = training ? io.activatedCell : scratch.get();
  recurrentH.data = training ? io.recurrentH : scratch.get();
  const bool twoProducts = gru && !c.resetAfter;
  const index_t productWidth = twoProducts ? 2 * U : W;
  Scratch<Exec> product(exec, B * productWidth), productH(exec, twoProducts ? size : 0),
      resetH(exec, twoProducts ? size : 0);
  float* outputs = c.returnSequences ? io.output : nullptr;

  for (index_t s = 0; s < T; ++s) {
    StepShape sh{B, T, U, c.goBackwards ? T - 1 - s : s, s, io.mask};
    exec.rows(B, U, ForwardPrologue{{}, sh, h, lstm ? cs : nullptr, io.recurrentMask, ht,
                                    training ? io.previousH : nullptr, training && lstm ? io.previousC : nullptr});
    const float* hIn = io.recurrentMask ? ht : h;
    exec.gemm(B, productWidth, U, MatrixView{hIn, U, false}, MatrixView{io.recurrentKernel, W, false}, product.get(),
              productWidth, false);
    if (c.cell == kSimpleRnn) {
      with_activation(c.activation, [&](auto A) {
        exec.rows(B, U, SimpleRnnForward<decltype(A)::value>{{}, sh, P, product.get(), bias, hNext, c.activation});
      });
    } else if (lstm) {
      with_activations(c.recurrentActivation, c.activation, [&](auto R, auto A) {
        exec.rows(B, U, LstmForward<decltype(R)::value, decltype(A)::value>{
                            {}, sh, P, product.get(), bias, cs, cNext, hNext, activatedCell, c.recurrentActivation,
                            c.activation});
      });
    } else if (c.resetAfter) {
      with_activations(c.recurrentActivation, c.activation, [&](auto R, auto A) {
        exec.rows(B, U, GruForwardResetAfter<decltype(R)::value, decltype(A)::value>{
                            {}, sh, P, product.get(), bias, hIn, hNext, recurrentH, c.recurrentActivation,
                            c.activation});
      });
    } else {
      with_activations(c.recurrentActivation, c.activation, [&](auto R, auto A) {
        exec.rows(B, U, GruForwardGates<decltype(R)::value>{{}, sh, P, product.get(), bias, hIn, resetH.get(),
                                                            c.recurrentActivation});
        exec.gemm(B, U, U, MatrixView{resetH.get(), U, false}, MatrixView{io.recurrentKernel + 2 * U, W, false},
                  productH.get(), U, false);
        exec.rows(B, U, GruForwardCandidate<decltype(A)::value>{{}, sh, P, productH.get(), bias, hIn, hNext,
                                                                c.activation});
      });
    }
    exec.rows(B, U, ForwardEpilogue{{}, sh, h, lstm ? cs : nullptr, hNext, lstm ? cNext : nullptr, last, outputs,
                                    c.zeroMaskedOutputs});
    std::swap(h, hNext);
    if (lstm) std::swap(cs, cNext);
  }
  if (!c.returnSequences) exec.copy(io.output, last, size);
  if (io.finalState[0]) exec.copy(io.finalState[0], h, size);
  if (lstm && io.finalState[1]) exec.copy(io.finalState[1], cs, size);
}

template <class Exec>
void backward(Exec& exec, const SequenceConfig& c, const BackwardBuffers& io) {
  const index_t B = c.batch, T = c.time, U = c.units, G = gate_count(c), W = G * U, size = B * U;
  const bool lstm = c.cell == kLstm, gru = c.cell == kGru, twoProducts = gru && !c.resetAfter;
  exec.zero(io.dProjection, B * T * W);
  if (io.dRecurrent) exec.zero(io.dRecurrent, B * T * W);
  if (io.dRecurrentMask) exec.zero(io.dRecurrentMask, size);
  const int states = state_count(c);
  Scratch<Exec> s0(exec, size), s1(exec, lstm ? size : 0), p0(exec, size), p1(exec, lstm ? size : 0);
  float* dState[2] = {s0.get(), s1.get()};
  float* dPrevious[2] = {p0.get(), p1.get()};
  for (int k = 0; k < states; ++k)
    if (io.dFinalState[k]) exec.copy(dState[k], io.dFinalState[k], size);
  Scratch<Exec> carried(exec, size), dNew(exec, size), ht(exec, size), dRec(exec, size), dDirect(exec, size),
      dReset(exec, twoProducts ? size : 0);
  if (!c.returnSequences) exec.copy(carried.get(), io.dOutput, size);
  float* dP = io.dProjection;
  const index_t recurrentDepth = twoProducts ? 2 * U : W;

  for (index_t s = T - 1; s >= 0; --s) {
    StepShape sh{B, T, U, c.goBackwards ? T - 1 - s : s, s, io.mask};
    const index_t tau = sh.tau;
    exec.rows(B, U, BackwardPrologue{{}, sh, io.previousH, io.recurrentMask, ht.get(),
                                     c.returnSequences ? io.dOutput : nullptr, carried.get(), dNew.get(), dState[0],
                                     lstm ? dState[1] : nullptr, dPrevious[0], lstm ? dPrevious[1] : nullptr,
                                     c.zeroMaskedOutputs});
    const float* dRows = dP + tau * W;
    if (c.cell == kSimpleRnn) {
      with_activation(c.activation, [&](auto A) {
        exec.rows(B, U, SimpleRnnBackward<decltype(A)::value>{sh, io.projection, dP, dNew.get(), c.activation});
      });
    } else if (lstm) {
      with_activations(c.recurrentActivation, c.activation, [&](auto R, auto A) {
        exec.rows(B, U, LstmBackward<decltype(R)::value, decltype(A)::value>{
                            sh, io.projection, dP, io.activatedCell, io.previousC, dNew.get(), dState[1],
                            dPrevious[1], c.recurrentActivation, c.activation});
      });
    } else {
      with_activations(c.recurrentActivation, c.activation, [&](auto R, auto A) {
        constexpr int r = decltype(R)::value, a = decltype(A)::value;
        if (c.resetAfter) {
          exec.rows(B, U, GruBackward<r, a, true>{sh, io.projection, dP, ht.get(), dNew.get(), dDirect.get(),
                                                  io.recurrentH, io.dRecurrent, c.recurrentActivation, c.activation});
        } else {
          exec.rows(B, U, GruBackward<r, a, false>{sh, io.projection, dP, ht.get(), dNew.get(), dDirect.get(),
                                                   io.recurrentH, io.dRecurrent, c.recurrentActivation, c.activation});
        }
        if (twoProducts) {
          exec.gemm(B, U, U, MatrixView{dP + tau * W + 2 * U, T * W, false},
                    MatrixView{io.recurrentKernel + 2 * U, W, true}, dReset.get(), U, false);
          exec.rows(B, U, GruBackwardReset<r>{sh, dP, io.projection, ht.get(), dReset.get(), dDirect.get(),
                                              c.recurrentActivation});
        }
      });
      if (c.resetAfter) dRows = io.dRecurrent + tau * W;
    }
    exec.gemm(B, U, recurrentDepth, MatrixView{dRows, T * W, false}, MatrixView{io.recurrentKernel, W, true},
              dRec.get(), U, false);
    if (io.recurrentMask) {
      exec.rows(B, U, RecurrentGradient<true>{sh, dRec.get(), dDirect.get(), io.recurrentMask, io.previousH,
                                              dPrevious[0], io.dRecurrentMask});
    } else {
      exec.rows(B, U, RecurrentGradient<false>{sh, dRec.get(), dDirect.get(), nullptr, io.previousH, dPrevious[0],
                                               nullptr});
    }
    for (int k = 0; k < states; ++k) std::swap(dState[k], dPrevious[k]);
  }
  for (int k = 0; k < states; ++k)
    if (io.dInitialState[k]) exec.copy(io.dInitialState[k], dState[k], size);
}

template <class Exec>
void weight_gradients(Exec& exec, const SequenceConfig& c, const float* x, const float* previousH,
                      const float* recurrentMask, const float* projection, const float* dP, const float* dRecurrent,
                      float* dKernel, float* dRecurrentKernel) {
  const index_t T = c.time, U = c.units, W = gate_count(c) * U, rows = c.batch * T;
  if (dKernel) exec.gemm(c.inputSize, W, rows, MatrixView{x, c.inputSize, true}, MatrixView{dP, W, false}, dKernel, W, false);
  if (!dRecurrentKernel) return;
  Scratch<Exec> masked(exec, recurrentMask ? rows * U : 0);
  const float* hs = previousH;
  if (recurrentMask) {
    exec.flat(rows * U, MaskedStates{previousH, recurrentMask, masked.get(), T, U});
    hs = masked.get();
  }
  if (c.cell != kGru || c.resetAfter) {
    const float* d = c.cell == kGru ? dRecurrent : dP;
    exec.gemm(U, W, rows, MatrixView{hs, U, true}, MatrixView{d, W, false}, dRecurrentKernel, W, false);
    return;
  }
  exec.gemm(U, 2 * U, rows, MatrixView{hs, U, true}, MatrixView{dP, W, false}, dRecurrentKernel, W, false);
  Scratch<Exec> resetH(exec, rows * U);
  exec.flat(rows * U, ResetStates{projection, hs, resetH.get(), U, W});
  exec.gemm(U, U, rows, MatrixView{resetH.get(), U, true}, MatrixView{dP + 2 * U, W, false}, dRecurrentKernel + 2 * U,
            W, false);
}

template <class Exec>
void input_gradient(Exec& exec, const SequenceConfig& c, const float* kernel, const float* dP, float* dInputs) {
  const index_t W = gate_count(c) * c.units;
  exec.gemm(c.batch * c.time, c.inputSize, W, MatrixView{dP, W, false}, MatrixView{kernel, W, true}, dInputs,
            c.inputSize, false);
}

// Column sums one column per index (ColumnSum): neighbouring device threads read neighbouring columns.
template <class Exec>
void bias_gradient(Exec& exec, const SequenceConfig& c, const float* dP, const float* dRecurrent, float* dBias) {
  const index_t W = gate_count(c) * c.units, rows = c.batch * c.time;
  exec.flat(W, ColumnSum{dP, dBias, rows, W});
  if (c.cell == kGru && c.resetAfter) exec.flat(W, ColumnSum{dRecurrent, dBias + W, rows, W});
}

}  // namespace runner
}  // namespace seqmodel
