#include "seqmodel/sequence.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "seqmodel/gates.h"
#include "seqmodel/gemm.h"
#include "seqmodel/launch_cpu.h"
#include "seqmodel/reduce.h"
#include "seqmodel/thread_pool.h"

namespace seqmodel {
namespace {

template <int V>
using Int = std::integral_constant<int, V>;

// Calls fn(Int<Rec>, Int<Act>) with the activations fixed at compile time for Keras' defaults (σ gates, tanh
// candidate), or with kRuntime for any other pair.
template <class Fn>
void with_activations(int recurrent, int activation, Fn&& fn) {
  if (recurrent == kSigmoid && activation == kTanh) fn(Int<kSigmoid>{}, Int<kTanh>{});
  else fn(Int<kRuntime>{}, Int<kRuntime>{});
}
template <class Fn>
void with_activation(int activation, Fn&& fn) {
  if (activation == kTanh) fn(Int<kTanh>{});
  else fn(Int<kRuntime>{});
}

using Buffer = std::vector<float>;

void copy(float* to, const float* from, index_t count) {
  std::memcpy(to, from, static_cast<std::size_t>(count) * sizeof(float));
}

}  // namespace

void sequence_forward(const SequenceConfig& c, const ForwardBuffers& io) {
  const index_t B = c.batch, T = c.time, U = c.units, G = gate_count(c), W = G * U, size = B * U;
  const bool lstm = c.cell == kLstm, gru = c.cell == kGru;
  const bool training = io.projection != nullptr;
  Buffer ownProjection(training ? 0 : B * T * W);
  float* P = training ? io.projection : ownProjection.data();
  gemm(B * T, W, c.inputSize, MatrixView{io.x, c.inputSize, false}, MatrixView{io.kernel, W, false}, P, W, false);

  Buffer h(size, 0.0f), hNext(size), cs(lstm ? size : 0, 0.0f), cNext(lstm ? size : 0);
  if (io.initialState[0]) copy(h.data(), io.initialState[0], size);
  if (lstm && io.initialState[1]) copy(cs.data(), io.initialState[1], size);
  Buffer ht(io.recurrentMask ? size : 0), last(size, 0.0f);
  // The gate functors never test for a missing bias (their loops stay branch-free): zeros stand in.
  const index_t biasSize = gru && c.resetAfter ? 2 * W : W;
  Buffer zeroBias(io.bias ? 0 : biasSize, 0.0f);
  const float* bias = io.bias ? io.bias : zeroBias.data();
  // What only training keeps goes to a scratch row per batch row otherwise.
  Buffer scratch(training ? 0 : size);
  const KeptRows kept = training ? KeptRows{nullptr, T * U, U} : KeptRows{scratch.data(), U, 0};
  KeptRows activatedCell = kept, recurrentH = kept;
  activatedCell.data = training ? io.activatedCell : scratch.data();
  recurrentH.data = training ? io.recurrentH : scratch.data();
  const bool twoProducts = gru && !c.resetAfter;
  Buffer product(B * (twoProducts ? 2 * U : W)), productH(twoProducts ? size : 0), resetH(twoProducts ? size : 0);
  // The recurrent kernel packed once for the whole sequence (in its two column parts without resetAfter).
  PackedMatrix recurrent(MatrixView{io.recurrentKernel, W, false}, U, twoProducts ? 2 * U : W);
  std::unique_ptr<PackedMatrix> candidatePart(
      twoProducts ? new PackedMatrix(MatrixView{io.recurrentKernel + 2 * U, W, false}, U, U) : nullptr);
  float* outputs = c.returnSequences ? io.output : nullptr;

  for (index_t s = 0; s < T; ++s) {
    StepShape sh{B, T, U, c.goBackwards ? T - 1 - s : s, s, io.mask};
    launch_rows(B, U, ForwardPrologue{{}, sh, h.data(), lstm ? cs.data() : nullptr, io.recurrentMask, ht.data(),
                                      training ? io.previousH : nullptr, training && lstm ? io.previousC : nullptr});
    const float* hIn = io.recurrentMask ? ht.data() : h.data();
    gemm_packed(B, MatrixView{hIn, U, false}, recurrent, product.data(), recurrent.cols(), false);
    if (c.cell == kSimpleRnn) {
      with_activation(c.activation, [&](auto A) {
        launch_rows(B, U, SimpleRnnForward<decltype(A)::value>{{}, sh, P, product.data(), bias, hNext.data(), c.activation});
      });
    } else if (lstm) {
      with_activations(c.recurrentActivation, c.activation, [&](auto R, auto A) {
        launch_rows(B, U, LstmForward<decltype(R)::value, decltype(A)::value>{
                              {}, sh, P, product.data(), bias, cs.data(), cNext.data(), hNext.data(), activatedCell,
                              c.recurrentActivation, c.activation});
      });
    } else if (c.resetAfter) {
      with_activations(c.recurrentActivation, c.activation, [&](auto R, auto A) {
        launch_rows(B, U, GruForwardResetAfter<decltype(R)::value, decltype(A)::value>{
                              {}, sh, P, product.data(), bias, hIn, hNext.data(), recurrentH, c.recurrentActivation,
                              c.activation});
      });
    } else {
      with_activations(c.recurrentActivation, c.activation, [&](auto R, auto A) {
        launch_rows(B, U, GruForwardGates<decltype(R)::value>{{}, sh, P, product.data(), bias, hIn, resetH.data(),
                                                              c.recurrentActivation});
        gemm_packed(B, MatrixView{resetH.data(), U, false}, *candidatePart, productH.data(), U, false);
        launch_rows(B, U, GruForwardCandidate<decltype(A)::value>{{}, sh, P, productH.data(), bias, hIn, hNext.data(),
                                                                  c.activation});
      });
    }
    launch_rows(B, U, ForwardEpilogue{{}, sh, h.data(), lstm ? cs.data() : nullptr, hNext.data(),
                                      lstm ? cNext.data() : nullptr, last.data(), outputs, c.zeroMaskedOutputs});
    std::swap(h, hNext);
    if (lstm) std::swap(cs, cNext);
  }
  if (!c.returnSequences) copy(io.output, last.data(), size);
  if (io.finalState[0]) copy(io.finalState[0], h.data(), size);
  if (lstm && io.finalState[1]) copy(io.finalState[1], cs.data(), size);
}

void sequence_backward(const SequenceConfig& c, const BackwardBuffers& io) {
  const index_t B = c.batch, T = c.time, U = c.units, G = gate_count(c), W = G * U, size = B * U;
  const bool lstm = c.cell == kLstm, gru = c.cell == kGru, twoProducts = gru && !c.resetAfter;
  std::memset(io.dProjection, 0, static_cast<std::size_t>(B * T * W) * sizeof(float));
  if (io.dRecurrent) std::memset(io.dRecurrent, 0, static_cast<std::size_t>(B * T * W) * sizeof(float));
  if (io.dRecurrentMask) std::memset(io.dRecurrentMask, 0, static_cast<std::size_t>(size) * sizeof(float));
  const int states = state_count(c);
  Buffer dState[2], dPrevious[2];
  for (int k = 0; k < states; ++k) {
    dState[k].assign(size, 0.0f);
    if (io.dFinalState[k]) copy(dState[k].data(), io.dFinalState[k], size);
    dPrevious[k].assign(size, 0.0f);
  }
  // dDirect is zeros for the cells without a direct part (RecurrentGradient adds it unconditionally).
  Buffer carried(size, 0.0f), dNew(size), ht(size), dRec(size), dDirect(size, 0.0f), dReset(twoProducts ? size : 0);
  if (!c.returnSequences) copy(carried.data(), io.dOutput, size);
  // Uᵀ packed once: the step's d h̃ = d gates · Uᵀ (the z, r part and the h part apart without resetAfter).
  PackedMatrix recurrentT(MatrixView{io.recurrentKernel, W, true}, twoProducts ? 2 * U : W, U);
  std::unique_ptr<PackedMatrix> candidateT(
      twoProducts ? new PackedMatrix(MatrixView{io.recurrentKernel + 2 * U, W, true}, U, U) : nullptr);
  float* dP = io.dProjection;

  for (index_t s = T - 1; s >= 0; --s) {
    StepShape sh{B, T, U, c.goBackwards ? T - 1 - s : s, s, io.mask};
    const index_t tau = sh.tau;
    launch_rows(B, U, BackwardPrologue{{}, sh, io.previousH, io.recurrentMask, ht.data(),
                                       c.returnSequences ? io.dOutput : nullptr, carried.data(), dNew.data(),
                                       dState[0].data(), lstm ? dState[1].data() : nullptr, dPrevious[0].data(),
                                       lstm ? dPrevious[1].data() : nullptr, c.zeroMaskedOutputs});
    const float* dRows = dP + tau * W;
    if (c.cell == kSimpleRnn) {
      with_activation(c.activation, [&](auto A) {
        launch_rows(B, U, SimpleRnnBackward<decltype(A)::value>{sh, io.projection, dP, dNew.data(), c.activation});
      });
    } else if (lstm) {
      with_activations(c.recurrentActivation, c.activation, [&](auto R, auto A) {
        launch_rows(B, U, LstmBackward<decltype(R)::value, decltype(A)::value>{
                              sh, io.projection, dP, io.activatedCell, io.previousC, dNew.data(), dState[1].data(),
                              dPrevious[1].data(), c.recurrentActivation, c.activation});
      });
    } else {
      with_activations(c.recurrentActivation, c.activation, [&](auto R, auto A) {
        constexpr int r = decltype(R)::value, a = decltype(A)::value;
        if (c.resetAfter) {
          launch_rows(B, U, GruBackward<r, a, true>{sh, io.projection, dP, ht.data(), dNew.data(), dDirect.data(),
                                                    io.recurrentH, io.dRecurrent, c.recurrentActivation, c.activation});
        } else {
          launch_rows(B, U, GruBackward<r, a, false>{sh, io.projection, dP, ht.data(), dNew.data(), dDirect.data(),
                                                     io.recurrentH, io.dRecurrent, c.recurrentActivation, c.activation});
        }
        if (twoProducts) {
          gemm_packed(B, MatrixView{dP + tau * W + 2 * U, T * W, false}, *candidateT, dReset.data(), U, false);
          launch_rows(B, U, GruBackwardReset<decltype(R)::value>{sh, dP, io.projection, ht.data(), dReset.data(),
                                                                 dDirect.data(), c.recurrentActivation});
        }
      });
      if (c.resetAfter) dRows = io.dRecurrent + tau * W;
    }
    gemm_packed(B, MatrixView{dRows, T * W, false}, recurrentT, dRec.data(), U, false);
    if (io.recurrentMask) {
      launch_rows(B, U, RecurrentGradient<true>{sh, dRec.data(), dDirect.data(), io.recurrentMask, io.previousH,
                                                dPrevious[0].data(), io.dRecurrentMask});
    } else {
      launch_rows(B, U, RecurrentGradient<false>{sh, dRec.data(), dDirect.data(), nullptr, io.previousH,
                                                 dPrevious[0].data(), nullptr});
    }
    for (int k = 0; k < states; ++k) std::swap(dState[k], dPrevious[k]);
  }
  for (int k = 0; k < states; ++k)
    if (io.dInitialState[k]) copy(io.dInitialState[k], dState[k].data(), size);
}

void sequence_weight_gradients(const SequenceConfig& c, const float* x, const float* previousH,
                               const float* recurrentMask, const float* projection, const float* dP,
                               const float* dRecurrent, float* dKernel, float* dRecurrentKernel) {
  const index_t B = c.batch, T = c.time, U = c.units, W = gate_count(c) * U, rows = B * T;
  if (dKernel) gemm(c.inputSize, W, rows, MatrixView{x, c.inputSize, true}, MatrixView{dP, W, false}, dKernel, W, false);
  if (!dRecurrentKernel) return;
  // H̃: the recurrent kernel's left operand at every step.
  Buffer masked;
  const float* hs = previousH;
  if (recurrentMask) {
    masked.resize(rows * U);
    launch(rows * U, [&](index_t i) {
      index_t n = i / U, j = i % U;
      masked[i] = previousH[i] * recurrentMask[(n / T) * U + j];
    });
    hs = masked.data();
  }
  if (c.cell != kGru || c.resetAfter) {
    const float* d = c.cell == kGru ? dRecurrent : dP;
    gemm(U, W, rows, MatrixView{hs, U, true}, MatrixView{d, W, false}, dRecurrentKernel, W, false);
    return;
  }
  // Without resetAfter the z and r blocks multiply h̃, the h block r · h̃.
  gemm(U, 2 * U, rows, MatrixView{hs, U, true}, MatrixView{dP, W, false}, dRecurrentKernel, W, false);
  Buffer resetH(rows * U);
  launch(rows * U, [&](index_t i) { resetH[i] = projection[(i / U) * W + U + i % U] * hs[i]; });
  gemm(U, U, rows, MatrixView{resetH.data(), U, true}, MatrixView{dP + 2 * U, W, false}, dRecurrentKernel + 2 * U, W,
       false);
}

void sequence_input_gradient(const SequenceConfig& c, const float* kernel, const float* dP, float* dInputs) {
  const index_t W = gate_count(c) * c.units;
  gemm(c.batch * c.time, c.inputSize, W, MatrixView{dP, W, false}, MatrixView{kernel, W, true}, dInputs, c.inputSize,
       false);
}

// Column sums of [rows, cols] on the host: row by row into double accumulators (one set per chunk of rows, added
// at the end), reading memory in order; ColumnSum's one-column-per-index form suits the device, where neighbouring
// threads read neighbouring columns, but strides through the whole matrix once per column on a CPU.
void column_sums(const float* x, index_t rows, index_t cols, float* out) {
  const int chunks = static_cast<int>(std::max<index_t>(1, std::min<index_t>(thread_count(), rows / 64)));
  std::vector<std::vector<double>> partial(chunks, std::vector<double>(cols, 0.0));
  parallel_for(chunks, 1, [&](index_t begin, index_t end) {
    for (index_t t = begin; t < end; ++t) {
      double* acc = partial[t].data();
      for (index_t r = rows * t / chunks; r < rows * (t + 1) / chunks; ++r) {
        const float* row = x + r * cols;
        for (index_t j = 0; j < cols; ++j) acc[j] += static_cast<double>(row[j]);
      }
    }
  });
  for (index_t j = 0; j < cols; ++j) {
    double s = 0.0;
    for (int t = 0; t < chunks; ++t) s += partial[t][j];
    out[j] = static_cast<float>(s);
  }
}

void sequence_bias_gradient(const SequenceConfig& c, const float* dP, const float* dRecurrent, float* dBias) {
  const index_t W = gate_count(c) * c.units, rows = c.batch * c.time;
  column_sums(dP, rows, W, dBias);
  if (c.cell == kGru && c.resetAfter) column_sums(dRecurrent, rows, W, dBias + W);
}

}  // namespace seqmodel
