// Kernels generated at run time: CUDA C++ source (the cell compiler's step programs, written by
// @seqmodel/backend-cuda) compiled by NVRTC for this GPU and loaded with the runtime's library API. NVRTC is optional
// and loaded with dlopen (libnvrtc.so*, its prototypes declared here), so the addon builds and runs without it; the
// report says whether it loaded, and the TypeScript side runs plugin cells on the host then.
//
// Every program has one entry point, `seqmodel_program`, with the parameters
//   (const float* in0, ..., const float* in{n-1}, float* out, int count, int u0, ..., int u{m-1})
// and writes out[0, count). Its handle keeps the element counts it was generated for, and every launch checks the
// buffers against them, so that a launch cannot hand a program a buffer shorter than what it reads. What the source
// itself reads and writes is not checked: a program is as trusted as the JavaScript that wrote it (the addon's one
// exception to checking every argument; @seqmodel/backend-cuda generates the text from the cell compiler's plan).
#include <dlfcn.h>

#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "target_cuda.cuh"

namespace seqmodel {
namespace cuda {

namespace {

// NVRTC's C API (nvrtc.h), by value types only: nvrtcResult is an int, nvrtcProgram a pointer.
using NvrtcProgram = void*;
using NvrtcCreate = int (*)(NvrtcProgram* program, const char* source, const char* name, int headers,
                            const char* const* headerSources, const char* const* headerNames);
using NvrtcCompile = int (*)(NvrtcProgram program, int count, const char* const* options);
using NvrtcSize = int (*)(NvrtcProgram program, std::size_t* size);
using NvrtcGet = int (*)(NvrtcProgram program, char* out);
using NvrtcDestroy = int (*)(NvrtcProgram* program);
using NvrtcErrorString = const char* (*)(int result);
using NvrtcVersion = int (*)(int* major, int* minor);

struct Nvrtc {
  std::string library;  // the file that loaded, or ""
  std::string reason;   // why none did, when none did
  NvrtcCreate create = nullptr;
  NvrtcCompile compile = nullptr;
  NvrtcSize logSize = nullptr;
  NvrtcGet log = nullptr;
  NvrtcSize cubinSize = nullptr;
  NvrtcGet cubin = nullptr;
  NvrtcDestroy destroy = nullptr;
  NvrtcErrorString errorString = nullptr;
  int major = 0, minor = 0;
};

const Nvrtc& nvrtc() {
  static const Nvrtc loaded = [] {
    Nvrtc n;
    static const char* const names[] = {"libnvrtc.so", "libnvrtc.so.13", "libnvrtc.so.12", nullptr};
    void* handle = nullptr;
    std::string errors;
    for (const char* const* name = names; *name != nullptr && handle == nullptr; ++name) {
      handle = dlopen(*name, RTLD_NOW | RTLD_LOCAL);
      if (handle != nullptr) n.library = *name;
    }
    if (handle == nullptr) {
      n.reason = "NVRTC not found (libnvrtc.so, .so.13, .so.12; CUDA's lib64 on LD_LIBRARY_PATH)";
      return n;
    }
    n.create = reinterpret_cast<NvrtcCreate>(dlsym(handle, "nvrtcCreateProgram"));
    n.compile = reinterpret_cast<NvrtcCompile>(dlsym(handle, "nvrtcCompileProgram"));
    n.logSize = reinterpret_cast<NvrtcSize>(dlsym(handle, "nvrtcGetProgramLogSize"));
    n.log = reinterpret_cast<NvrtcGet>(dlsym(handle, "nvrtcGetProgramLog"));
    n.cubinSize = reinterpret_cast<NvrtcSize>(dlsym(handle, "nvrtcGetCUBINSize"));
    n.cubin = reinterpret_cast<NvrtcGet>(dlsym(handle, "nvrtcGetCUBIN"));
    n.destroy = reinterpret_cast<NvrtcDestroy>(dlsym(handle, "nvrtcDestroyProgram"));
    n.errorString = reinterpret_cast<NvrtcErrorString>(dlsym(handle, "nvrtcGetErrorString"));
    auto version = reinterpret_cast<NvrtcVersion>(dlsym(handle, "nvrtcVersion"));
    if (!n.create || !n.compile || !n.logSize || !n.log || !n.cubinSize || !n.cubin || !n.destroy ||
        !n.errorString || !version) {
      n.reason = n.library + " lacks an entry point this addon calls (NVRTC 11.2 or later is needed)";
      n.library.clear();
      dlclose(handle);
      return n;
    }
    version(&n.major, &n.minor);
    return n;
  }();
  return loaded;
}

std::string nvrtc_error(int result) {
  const char* s = nvrtc().errorString(result);
  return s != nullptr ? s : "error " + std::to_string(result);
}

}  // namespace

std::string nvrtc_report() {
  const Nvrtc& n = nvrtc();
  if (n.library.empty()) return "";
  return n.library + " " + std::to_string(n.major) + "." + std::to_string(n.minor);
}

std::string nvrtc_reason() { return nvrtc().reason; }

Program::~Program() {
  if (library != nullptr) cudaLibraryUnload(library);
}

std::unique_ptr<Program> compile_program(const std::string& source, std::vector<index_t> inputElements,
                                         index_t outputElements, int uniforms) {
  const Nvrtc& n = nvrtc();
  if (n.library.empty()) throw std::runtime_error("seqmodel cuda: " + n.reason);
  const auto& report = runtime_report();
  if (!report.usable) throw std::runtime_error(std::string("seqmodel cuda: ") + report.reason);
  NvrtcProgram program = nullptr;
  int status = n.create(&program, source.c_str(), "seqmodel_program.cu", 0, nullptr, nullptr);
  if (status != 0) throw std::runtime_error("seqmodel cuda: nvrtcCreateProgram: " + nvrtc_error(status));
  // SASS for this GPU (no PTX for the driver to compile at load), C++17 for the programs' lambdas.
  const std::string arch = "--gpu-architecture=sm_" + std::to_string(report.computeMajor) +
                           std::to_string(report.computeMinor);
  const char* options[] = {arch.c_str(), "--std=c++17"};
  status = n.compile(program, 2, options);
  std::string log;
  std::size_t size = 0;
  if (n.logSize(program, &size) == 0 && size > 1) {
    log.resize(size);
    n.log(program, &log[0]);
    log.resize(size - 1);
  }
  std::vector<char> image;
  if (status == 0 && n.cubinSize(program, &size) == 0) {
    image.resize(size);
    if (n.cubin(program, image.data()) != 0) image.clear();
  }
  n.destroy(&program);
  if (status != 0) {
    throw std::runtime_error("seqmodel cuda: NVRTC (" + n.library + ") could not compile a generated program for " +
                             arch.substr(19) + ": " + nvrtc_error(status) + "\n" + log);
  }
  if (image.empty()) throw std::runtime_error("seqmodel cuda: NVRTC gave no CUBIN for " + arch.substr(19));
  auto compiled = std::make_unique<Program>();
  target::check(cudaLibraryLoadData(&compiled->library, image.data(), nullptr, nullptr, 0, nullptr, nullptr, 0),
                "cudaLibraryLoadData (a generated program)");
  target::check(cudaLibraryGetKernel(&compiled->kernel, compiled->library, "seqmodel_program"),
                "cudaLibraryGetKernel (seqmodel_program)");
  compiled->inputElements = std::move(inputElements);
  compiled->outputElements = outputElements;
  compiled->uniforms = uniforms;
  return compiled;
}

void run_program(const Program& program, const std::vector<const float*>& inputs, float* output,
                 const std::vector<int>& uniforms) {
  const int count = static_cast<int>(program.outputElements);
  if (count == 0) return;
  // The kernel's parameters: each input pointer, the output, the count, each uniform (by address, as the launch API
  // takes them).
  std::vector<void*> args;
  args.reserve(inputs.size() + 2 + uniforms.size());
  for (const float* const& p : inputs) args.push_back(const_cast<const float**>(&p));
  args.push_back(&output);
  int n = count;
  args.push_back(&n);
  for (const int& u : uniforms) args.push_back(const_cast<int*>(&u));
  constexpr int kThreads = 128;
  const unsigned blocks = static_cast<unsigned>((count + kThreads - 1) / kThreads);
  target::check(cudaLaunchKernel(reinterpret_cast<const void*>(program.kernel), dim3(blocks), dim3(kThreads),
                                 args.data(), 0, nullptr),
                "cudaLaunchKernel (a generated program)");
}

}  // namespace cuda
}  // namespace seqmodel
