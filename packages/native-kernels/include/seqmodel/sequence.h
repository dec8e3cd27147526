// Fused whole-sequence recurrent kernels on the host: simpleRNN, LSTM and GRU (both resetAfter variants), forward
// and backward through time, with masks, initial states, recurrent masks, goBackwards and returnSequences. The
// same algorithm as @seqmodel/backend-tfjs's fused/sequence-run.ts (its reference): the input projection of every
// step in one product, per step the recurrent product and the gate functors of gates.h, and in the backward pass the
// weight gradients as whole-sequence products. Stateless: what the backward pass needs is written by the forward pass
// into buffers the caller owns (tensors on the tfjs side).
#pragma once

#include "config.h"

namespace seqmodel {

enum CellKind : int { kSimpleRnn = 0, kLstm = 1, kGru = 2 };

struct SequenceConfig {
  int cell;
  bool resetAfter;
  int activation;
  int recurrentActivation;
  index_t batch, time, inputSize, units;
  bool goBackwards, returnSequences, zeroMaskedOutputs;
};

inline int gate_count(const SequenceConfig& c) { return c.cell == kLstm ? 4 : c.cell == kGru ? 3 : 1; }
inline int state_count(const SequenceConfig& c) { return c.cell == kLstm ? 2 : 1; }

// Buffers of one forward pass. Optional inputs may be null. With `projection` given (training), the forward pass
// leaves there the activated gates and fills the other saved buffers its cell uses: previousH (all cells),
// previousC and activatedCell (LSTM), recurrentH (GRU with resetAfter), each [batch * time, units].
struct ForwardBuffers {
  const float* x;                // [batch, time, inputSize]
  const float* kernel;           // [inputSize, gates * units]
  const float* recurrentKernel;  // [units, gates * units]
  const float* bias;             // [gates * units], or [2, 3 units] for a GRU with resetAfter
  const float* initialState[2];  // [batch, units] each
  const float* mask;             // [batch, time]
  const float* recurrentMask;    // [batch, units]
  float* output;                 // [batch, time, units] with returnSequences, else [batch, units]
  float* finalState[2];          // [batch, units] each (states beyond the cell's count ignored)
  float* projection;             // [batch * time, gates * units]
  float* previousH;
  float* previousC;
  float* activatedCell;
  float* recurrentH;
};

void sequence_forward(const SequenceConfig& config, const ForwardBuffers& buffers);

struct BackwardBuffers {
  const float* dOutput;          // the output's shape
  const float* dFinalState[2];   // null: zero
  const float* recurrentKernel;
  const float* mask;
  const float* recurrentMask;
  // Saved by the forward pass.
  const float* projection;
  const float* previousH;
  const float* previousC;
  const float* activatedCell;
  const float* recurrentH;
  // Written.
  float* dProjection;            // [batch * time, gates * units]
  float* dRecurrent;             // GRU with resetAfter: [batch * time, 3 units]; else null
  float* dInitialState[2];       // [batch, units] each
  float* dRecurrentMask;         // [batch, units], with a recurrent mask
};

void sequence_backward(const SequenceConfig& config, const BackwardBuffers& buffers);

// d kernel [inputSize, gates * units] and d recurrentKernel [units, gates * units] (either may be null: skipped).
void sequence_weight_gradients(const SequenceConfig& config, const float* x, const float* previousH,
                               const float* recurrentMask, const float* projection, const float* dProjection,
                               const float* dRecurrent, float* dKernel, float* dRecurrentKernel);
// d inputs [batch, time, inputSize] = dP · kernelᵀ.
void sequence_input_gradient(const SequenceConfig& config, const float* kernel, const float* dProjection,
                             float* dInputs);
// d bias: column sums of dP (and of dRecurrent after them for a GRU with resetAfter).
void sequence_bias_gradient(const SequenceConfig& config, const float* dProjection, const float* dRecurrent,
                            float* dBias);

}  // namespace seqmodel
