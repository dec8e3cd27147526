// The whole-sequence recurrent kernels on the device: sequence_runner.h (the algorithm of sequence.cc, written over
// an executor) with the grid launcher, the device GEMM and device scratch memory. Every step is a few kernel launches
// on the default stream (prologue, recurrent product, the cell's fused gate functor, epilogue); nothing is copied to
// the host.
#include "seqmodel/sequence_runner.h"
#include "target_cuda.cuh"

namespace seqmodel {
namespace target {
namespace {

struct DeviceExec {
  float* alloc(index_t n) { return static_cast<float*>(allocate(static_cast<std::size_t>(n) * sizeof(float))); }
  void release(float* p) { target::release(p); }
  void copy(float* to, const float* from, index_t n) {
    check(cudaMemcpy(to, from, static_cast<std::size_t>(n) * sizeof(float), cudaMemcpyDeviceToDevice),
          "cudaMemcpy on the device");
  }
  void zero(float* p, index_t n) { check(cudaMemset(p, 0, static_cast<std::size_t>(n) * sizeof(float)), "cudaMemset"); }
  void gemm(index_t m, index_t n, index_t k, MatrixView a, MatrixView b, float* c, index_t ldc, bool accumulate) {
    target::gemm(m, n, k, a, b, c, ldc, accumulate);
  }
  template <class F>
  void rows(index_t rows, index_t units, const F& f) {
    check(cuda::launch_rows(rows, units, f), "gate kernel launch");
  }
  template <class F>
  void flat(index_t n, const F& f) {
    check(cuda::launch(n, f), "kernel launch");
  }
};

}  // namespace

void sequence_forward(const SequenceConfig& c, const ForwardBuffers& io) {
  DeviceExec exec;
  runner::forward(exec, c, io);
}
void sequence_backward(const SequenceConfig& c, const BackwardBuffers& io) {
  DeviceExec exec;
  runner::backward(exec, c, io);
}
void sequence_weight_gradients(const SequenceConfig& c, const float* x, const float* previousH,
                               const float* recurrentMask, const float* projection, const float* dP,
                               const float* dRecurrent, float* dKernel, float* dRecurrentKernel) {
  DeviceExec exec;
  runner::weight_gradients(exec, c, x, previousH, recurrentMask, projection, dP, dRecurrent, dKernel, dRecurrentKernel);
}
void sequence_input_gradient(const SequenceConfig& c, const float* kernel, const float* dP, float* dInputs) {
  DeviceExec exec;
  runner::input_gradient(exec, c, kernel, dP, dInputs);
}
void sequence_bias_gradient(const SequenceConfig& c, const float* dP, const float* dRecurrent, float* dBias) {
  DeviceExec exec;
  runner::bias_gradient(exec, c, dP, dRecurrent, dBias);
}

}  // namespace target
}  // namespace seqmodel
