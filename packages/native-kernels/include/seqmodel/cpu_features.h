// What the processor offers, read once with cpuid (through the compiler's builtins), and whether the fast paths may
// use it: SEQMODEL_NATIVE_ISA=portable in the environment turns them off (to test the portable code).
#pragma once

namespace seqmodel {

struct CpuFeatures {
  bool avx2_fma;
  bool avx512f;
};

const CpuFeatures& cpu_features();
// Forces the portable code (true) or the detected features (false); for tests and benchmarks.
void force_portable(bool portable);

}  // namespace seqmodel
