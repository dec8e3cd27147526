#include "seqmodel/cpu_features.h"

#include <cstdlib>
#include <cstring>

namespace seqmodel {
namespace {

CpuFeatures detect() {
  CpuFeatures f{false, false};
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  f.avx2_fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  f.avx512f = __builtin_cpu_supports("avx512f");
#endif
  const char* isa = std::getenv("SEQMODEL_NATIVE_ISA");
  if (isa != nullptr && std::strcmp(isa, "portable") == 0) f = CpuFeatures{false, false};
  return f;
}

CpuFeatures& features() {
  static CpuFeatures f = detect();
  return f;
}

}  // namespace

const CpuFeatures& cpu_features() { return features(); }

void force_portable(bool portable) { features() = portable ? CpuFeatures{false, false} : detect(); }

}  // namespace seqmodel
