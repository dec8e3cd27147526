// Instantiates every functor of the kernel library in device kernels, so that `nvcc -c` checks the device path of
// the one source (src/nvcc.test.ts runs it in CI where nvcc exists). The launches are never executed here: the
// translation unit only has to compile for the device. The device target (target_cuda.cuh, runtime.cu, gemm.cu,
// sequence.cu) launches them for real.
#include <cstdint>

#include "launch_cuda.cuh"
#include "seqmodel/elementwise.h"
#include "seqmodel/gates.h"
#include "seqmodel/layout.h"
#include "seqmodel/reduce.h"

namespace seqmodel {
namespace cuda {

template <class T>
void typed_kernels(const T* a, const T* b, T* out, std::uint8_t* flags, const std::int32_t* ids, index_t n) {
  Dims d{};
  d.rank = 1;
  d.v[0] = n;
  launch(n, UnaryKernel<T, T>{a, out, kExp, 0.0f, 0.0f});
  launch(n, ArithmeticSameShape<T>{a, b, out, kAdd});
  launch(n, ArithmeticBroadcast<T>{a, b, out, kMul, d, d, d});
  launch(n, PredicateBroadcast<T>{a, b, flags, kGreater, d, d, d});
  launch(n, SelectKernel<T>{flags, a, b, out, d, d, d, d});
  launch(n, CastKernel<T, float>{a, reinterpret_cast<float*>(out)});
  launch(n, CastToBool<T>{a, flags});
  launch(n, FillKernel<T>{out, T(1)});
  launch(n, StridedCopy<T>{a, out, 0, 0, d, d, d});
  launch(n, GatherKernel<T>{a, ids, out, n, 1, n});
  launch(n, OneHotKernel<T>{ids, out, 4, T(1), T(0)});
  launch(n, SegmentSumColumn<T>{a, ids, out, n, 1, 4});
  launch(n, RowReduce<T>{a, out, 8, kSum});
  launch(n, RowArgExtreme<T>{a, const_cast<std::int32_t*>(ids), 8, false});
}

template <int Rec, int Act>
void gate_kernels(float* p, const float* q, StepShape s) {
  KeptRows kept{p, s.time * s.units, s.units};
  launch_rows(s.batch, s.units, SimpleRnnForward<Act>{{}, s, p, q, q, p, kTanh});
  launch_rows(s.batch, s.units, LstmForward<Rec, Act>{{}, s, p, q, q, q, p, p, kept, kSigmoid, kTanh});
  launch_rows(s.batch, s.units, GruForwardResetAfter<Rec, Act>{{}, s, p, q, q, q, p, kept, kSigmoid, kTanh});
  launch_rows(s.batch, s.units, GruForwardGates<Rec>{{}, s, p, q, q, q, p, kSigmoid});
  launch_rows(s.batch, s.units, GruForwardCandidate<Act>{{}, s, p, q, q, q, p, kTanh});
  launch_rows(s.batch, s.units, SimpleRnnBackward<Act>{s, q, p, q, kTanh});
  launch_rows(s.batch, s.units, LstmBackward<Rec, Act>{s, q, p, q, q, q, q, p, kSigmoid, kTanh});
  launch_rows(s.batch, s.units, GruBackward<Rec, Act, true>{s, q, p, q, q, p, q, p, kSigmoid, kTanh});
  launch_rows(s.batch, s.units, GruBackward<Rec, Act, false>{s, q, p, q, q, p, q, p, kSigmoid, kTanh});
  launch_rows(s.batch, s.units, GruBackwardReset<Rec>{s, p, q, q, q, p, kSigmoid});
}

void instantiate_all(float* p, const float* q, std::int32_t* i, const std::int32_t* ids, std::uint8_t* flags,
                     index_t n) {
  typed_kernels<float>(q, q, p, flags, ids, n);
  typed_kernels<std::int32_t>(ids, ids, i, flags, ids, n);
  typed_kernels<std::uint8_t>(flags, flags, flags, flags, ids, n);
  launch(n, RowSoftmax{q, p, 8, false});
  launch(n, ColumnSum{q, p, 8, 8});
  StepShape s{2, 3, 4, 0, 0, q};
  launch_rows(2, 4, ForwardPrologue{{}, s, q, q, q, p, p, p});
  launch_rows(2, 4, ForwardEpilogue{{}, s, q, q, p, p, p, p, false});
  launch_rows(2, 4, BackwardPrologue{{}, s, q, q, p, q, p, p, q, q, p, p, false});
  launch_rows(2, 4, RecurrentGradient<true>{s, q, q, q, q, p, p});
  launch_rows(2, 4, RecurrentGradient<false>{s, q, q, q, q, p, p});
  gate_kernels<kSigmoid, kTanh>(p, q, s);
  gate_kernels<kRuntime, kRuntime>(p, q, s);
}

}  // namespace cuda
}  // namespace seqmodel
