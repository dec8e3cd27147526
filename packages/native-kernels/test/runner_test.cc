// The device's whole-sequence runner (sequence_runner.h) instantiated with the host launcher and GEMM: the same
// functors and the same algorithm the CUDA target runs, checked against the host sequence kernels (sequence.cc, which
// @seqmodel/backend-native tests against the TypeScript fused kernels) for every cell, with masks, recurrent masks,
// initial states, goBackwards and both output modes. Built and run by src/runner.test.ts; prints "N passed, M failed".
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "seqmodel/gemm.h"
#include "seqmodel/launch_cpu.h"
#include "seqmodel/sequence.h"
#include "seqmodel/sequence_runner.h"

using namespace seqmodel;

// The host executor: the thread-pool launcher, the blocked GEMM through strided views, heap scratch.
struct HostExec {
  float* alloc(index_t n) { return new float[n](); }
  void release(float* p) { delete[] p; }
  void copy(float* to, const float* from, index_t n) { std::memcpy(to, from, n * sizeof(float)); }
  void zero(float* p, index_t n) { std::memset(p, 0, n * sizeof(float)); }
  void gemm(index_t m, index_t n, index_t k, MatrixView a, MatrixView b, float* c, index_t ldc, bool accumulate) {
    seqmodel::gemm(m, n, k, a, b, c, ldc, accumulate);
  }
  template <class F>
  void rows(index_t rows, index_t units, const F& f) { launch_rows(rows, units, f); }
  template <class F>
  void flat(index_t n, const F& f) { launch(n, f, 1024); }
};

static int passed = 0, failed = 0;

using Vec = std::vector<float>;

static double max_difference(const Vec& a, const Vec& b) {
  double worst = a.size() == b.size() ? 0.0 : 1e30;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    worst = std::max(worst, static_cast<double>(std::fabs(a[i] - b[i])));
  return worst;
}

static void expect_close(const Vec& a, const Vec& b, const char* what, const char* label) {
  double d = max_difference(a, b);
  // Both sides sum the same products in float; only the GEMM's blocking order (packed or not) differs.
  if (d <= 2e-5) {
    ++passed;
  } else {
    ++failed;
    std::printf("FAIL %s: %s differs by %g\n", label, what, d);
  }
}

static Vec random(std::size_t n, std::mt19937& rng, float scale = 0.5f) {
  std::uniform_real_distribution<float> u(-scale, scale);
  Vec v(n);
  for (auto& x : v) x = u(rng);
  return v;
}

static float* ptr(Vec& v) { return v.empty() ? nullptr : v.data(); }

static void run_case(int cell, bool resetAfter, int activation, bool masks, bool initial, bool goBackwards,
                     bool returnSequences, std::mt19937& rng) {
  SequenceConfig c{};
  c.cell = cell;
  c.resetAfter = resetAfter;
  c.activation = activation;
  c.recurrentActivation = kSigmoid;
  c.batch = 3;
  c.time = 5;
  c.inputSize = 4;
  c.units = 6;
  c.goBackwards = goBackwards;
  c.returnSequences = returnSequences;
  c.zeroMaskedOutputs = false;
  const index_t B = c.batch, T = c.time, U = c.units, W = gate_count(c) * U, size = B * U, rows = B * T;
  const bool lstm = cell == kLstm, ra = cell == kGru && resetAfter;
  Vec x = random(rows * c.inputSize, rng), kernel = random(c.inputSize * W, rng), recurrent = random(U * W, rng);
  Vec bias = random(ra ? 2 * W : W, rng), h0 = initial ? random(size, rng) : Vec{}, c0 = initial && lstm ? random(size, rng) : Vec{};
  Vec mask, recurrentMask;
  if (masks) {
    mask.assign(rows, 1.0f);
    mask[1 * T + 2] = 0.0f;
    mask[2 * T + 4] = 0.0f;
    recurrentMask = random(size, rng, 1.0f);
  }
  const index_t outSize = returnSequences ? rows * U : size;
  struct Run {
    Vec output, h, c, projection, previousH, previousC, activatedCell, recurrentH;
    Vec dProjection, dRecurrent, dH0, dC0, dRecurrentMask, dInputs, dKernel, dRecurrentKernel, dBias;
  };
  Vec dOutput = random(outSize, rng), dH = random(size, rng), dC = lstm ? random(size, rng) : Vec{};
  auto execute = [&](bool device) {
    Run r;
    r.output.assign(outSize, 0.0f);
    r.h.assign(size, 0.0f);
    r.c.assign(lstm ? size : 0, 0.0f);
    r.projection.assign(rows * W, 0.0f);
    r.previousH.assign(rows * U, 0.0f);
    r.previousC.assign(lstm ? rows * U : 0, 0.0f);
    r.activatedCell.assign(lstm ? rows * U : 0, 0.0f);
    r.recurrentH.assign(ra ? rows * U : 0, 0.0f);
    ForwardBuffers f{};
    f.x = x.data();
    f.kernel = kernel.data();
    f.recurrentKernel = recurrent.data();
    f.bias = bias.data();
    f.initialState[0] = ptr(h0);
    f.initialState[1] = ptr(c0);
    f.mask = ptr(mask);
    f.recurrentMask = ptr(recurrentMask);
    f.output = r.output.data();
    f.finalState[0] = r.h.data();
    f.finalState[1] = ptr(r.c);
    f.projection = r.projection.data();
    f.previousH = r.previousH.data();
    f.previousC = ptr(r.previousC);
    f.activatedCell = ptr(r.activatedCell);
    f.recurrentH = ptr(r.recurrentH);
    HostExec exec;
    if (device) runner::forward(exec, c, f);
    else sequence_forward(c, f);

    r.dProjection.assign(rows * W, 0.0f);
    r.dRecurrent.assign(ra ? rows * W : 0, 0.0f);
    r.dH0.assign(size, 0.0f);
    r.dC0.assign(lstm ? size : 0, 0.0f);
    r.dRecurrentMask.assign(masks ? size : 0, 0.0f);
    BackwardBuffers b{};
    b.dOutput = dOutput.data();
    b.dFinalState[0] = dH.data();
    b.dFinalState[1] = ptr(dC);
    b.recurrentKernel = recurrent.data();
    b.mask = ptr(mask);
    b.recurrentMask = ptr(recurrentMask);
    b.projection = r.projection.data();
    b.previousH = r.previousH.data();
    b.previousC = ptr(r.previousC);
    b.activatedCell = ptr(r.activatedCell);
    b.recurrentH = ptr(r.recurrentH);
    b.dProjection = r.dProjection.data();
    b.dRecurrent = ptr(r.dRecurrent);
    b.dInitialState[0] = r.dH0.data();
    b.dInitialState[1] = ptr(r.dC0);
    b.dRecurrentMask = ptr(r.dRecurrentMask);
    if (device) runner::backward(exec, c, b);
    else sequence_backward(c, b);

    r.dInputs.assign(rows * c.inputSize, 0.0f);
    r.dKernel.assign(c.inputSize * W, 0.0f);
    r.dRecurrentKernel.assign(U * W, 0.0f);
    r.dBias.assign(bias.size(), 0.0f);
    if (device) {
      runner::input_gradient(exec, c, kernel.data(), r.dProjection.data(), r.dInputs.data());
      runner::weight_gradients(exec, c, x.data(), r.previousH.data(), ptr(recurrentMask), r.projection.data(),
                               r.dProjection.data(), ptr(r.dRecurrent), r.dKernel.data(), r.dRecurrentKernel.data());
      runner::bias_gradient(exec, c, r.dProjection.data(), ptr(r.dRecurrent), r.dBias.data());
    } else {
      sequence_input_gradient(c, kernel.data(), r.dProjection.data(), r.dInputs.data());
      sequence_weight_gradients(c, x.data(), r.previousH.data(), ptr(recurrentMask), r.projection.data(),
                                r.dProjection.data(), ptr(r.dRecurrent), r.dKernel.data(), r.dRecurrentKernel.data());
      sequence_bias_gradient(c, r.dProjection.data(), ptr(r.dRecurrent), r.dBias.data());
    }
    return r;
  };
  Run host = execute(false), device = execute(true);
  char label[160];
  std::snprintf(label, sizeof label, "cell %d resetAfter %d activation %d masks %d initial %d goBackwards %d returnSequences %d",
                cell, resetAfter, activation, masks, initial, goBackwards, returnSequences);
  expect_close(device.output, host.output, "output", label);
  expect_close(device.h, host.h, "final h", label);
  expect_close(device.c, host.c, "final c", label);
  expect_close(device.projection, host.projection, "saved gates", label);
  expect_close(device.previousH, host.previousH, "saved states", label);
  expect_close(device.recurrentH, host.recurrentH, "saved recurrent h", label);
  expect_close(device.dProjection, host.dProjection, "d gates", label);
  expect_close(device.dRecurrent, host.dRecurrent, "d recurrent gates", label);
  expect_close(device.dH0, host.dH0, "d h0", label);
  expect_close(device.dC0, host.dC0, "d c0", label);
  expect_close(device.dRecurrentMask, host.dRecurrentMask, "d recurrent mask", label);
  expect_close(device.dInputs, host.dInputs, "d inputs", label);
  expect_close(device.dKernel, host.dKernel, "d kernel", label);
  expect_close(device.dRecurrentKernel, host.dRecurrentKernel, "d recurrent kernel", label);
  expect_close(device.dBias, host.dBias, "d bias", label);
}

int main() {
  std::mt19937 rng(7);
  const int cells[][2] = {{kSimpleRnn, 0}, {kLstm, 0}, {kGru, 1}, {kGru, 0}};
  for (const auto& cell : cells) {
    for (int variant = 0; variant < 8; ++variant) {
      bool masks = variant & 1, goBackwards = variant & 2, returnSequences = variant & 4;
      run_case(cell[0], cell[1] != 0, kTanh, masks, variant % 3 == 0, goBackwards, returnSequences, rng);
    }
    // An activation without a compile-time specialization (the kRuntime path).
    run_case(cell[0], cell[1] != 0, kRelu, true, true, false, true, rng);
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
