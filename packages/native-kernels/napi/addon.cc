// The N-API addon over @seqmodel/native-kernels, one source for two targets: @seqmodel/backend-native compiles it
// with the host target (target_host.h: buffers in host memory, functors run by the thread-pool launcher, the blocked
// GEMM), @seqmodel/backend-cuda with nvcc and the device target (cuda/target_cuda.cuh, chosen by
// SEQMODEL_TARGET_CUDA: buffers in device memory, functors run by the grid launcher, the tiled or cuBLAS GEMM, the
// device sequence runner). Every entry point checks its arguments (types, ranges, and that every element
// a kernel will touch lies inside its buffers) and throws a JavaScript error naming the function and argument
// instead of reaching C++ with bad input. The TypeScript backend checks shapes first and names tensors; these checks
// are the last line, so that no call from JavaScript can corrupt memory. The one exception is the device target's
// programCompile: it compiles CUDA source the caller wrote, whose reads are as trusted as that caller (programRun
// still checks every buffer against the element counts the program was compiled for).
#include <node_api.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "seqmodel/elementwise.h"
#include "seqmodel/layout.h"
#include "seqmodel/reduce.h"
#include "seqmodel/sequence.h"
#if defined(SEQMODEL_TARGET_CUDA)
#include "cuda/target_cuda.cuh"
#else
#include "seqmodel/target_host.h"
#endif

using seqmodel::Dims;
using seqmodel::index_t;
namespace target = seqmodel::target;

namespace {

// Thrown by argument checks; turned into a JavaScript Error at the entry point.
struct ArgumentError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum DType : int { kFloat32 = 0, kInt32 = 1, kBool = 2 };

struct NativeBuffer {
  void* data;
  std::size_t bytes;
};

std::atomic<std::int64_t> live_buffers{0};
std::atomic<std::int64_t> live_bytes{0};

const napi_type_tag kBufferTag = {0x5e9d0de1a7b14c2eULL, 0x9b3f2c8d11e04f7aULL};

void release(NativeBuffer* buffer) {
  if (buffer->data == nullptr) return;
  target::release(buffer->data);
  buffer->data = nullptr;
  live_buffers.fetch_sub(1);
  live_bytes.fetch_sub(static_cast<std::int64_t>(buffer->bytes));
}

void finalize_buffer(napi_env, void* data, void*) {
  auto* buffer = static_cast<NativeBuffer*>(data);
  release(buffer);
  delete buffer;
}

// --- argument access -------------------------------------------------------------------------------------------

struct Call {
  napi_env env;
  const char* name;
  std::vector<napi_value> args;

  Call(napi_env e, napi_callback_info info, const char* fn, std::size_t expected) : env(e), name(fn) {
    std::size_t count = 16;
    napi_value values[16];
    napi_get_cb_info(env, info, &count, values, nullptr, nullptr);
    if (count < expected) {
      fail("expected " + std::to_string(expected) + " arguments, received " + std::to_string(count));
    }
    args.assign(values, values + count);
  }

  [[noreturn]] void fail(const std::string& message) const {
    throw ArgumentError(std::string("seqmodel native addon: ") + name + ": " + message);
  }
  [[noreturn]] void fail_arg(std::size_t i, const std::string& expected) const {
    fail("argument " + std::to_string(i) + ": expected " + expected);
  }

  napi_valuetype type(std::size_t i) const {
    napi_valuetype t = napi_undefined;
    if (i < args.size()) napi_typeof(env, args[i], &t);
    return t;
  }

  double number(std::size_t i) const {
    double v;
    if (type(i) != napi_number || napi_get_value_double(env, args[i], &v) != napi_ok) fail_arg(i, "a number");
    return v;
  }

  index_t integer(std::size_t i, index_t min, index_t max) const {
    double v = number(i);
    if (!(v >= static_cast<double>(min) && v <= static_cast<double>(max)) || v != std::floor(v)) {
      fail_arg(i, "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "], received " +
                      std::to_string(v));
    }
    return static_cast<index_t>(v);
  }

  bool boolean(std::size_t i) const {
    bool v;
    if (type(i) != napi_boolean || napi_get_value_bool(env, args[i], &v) != napi_ok) fail_arg(i, "a boolean");
    return v;
  }

  // The data of an external handle carrying `tag` (a buffer, a CUDA program).
  void* tagged(std::size_t i, const napi_type_tag& tag, const char* expected) const {
    bool ok = false;
    if (type(i) != napi_external || napi_check_object_type_tag(env, args[i], &tag, &ok) != napi_ok || !ok) {
      fail_arg(i, expected);
    }
    void* data = nullptr;
    napi_get_value_external(env, args[i], &data);
    return data;
  }

  NativeBuffer* buffer(std::size_t i) const {
    auto* b = static_cast<NativeBuffer*>(tagged(i, kBufferTag, "a native buffer"));
    if (b->data == nullptr) fail_arg(i, "a live native buffer (this one was freed)");
    return b;
  }

  // A buffer or null/undefined.
  NativeBuffer* optional_buffer(std::size_t i) const {
    napi_valuetype t = type(i);
    if (t == napi_null || t == napi_undefined) return nullptr;
    return buffer(i);
  }

  // A buffer of at least `elements` elements of `size` bytes.
  template <class T>
  T* data(std::size_t i, index_t elements, std::size_t size = sizeof(T)) const {
    NativeBuffer* b = buffer(i);
    check_extent(i, b, elements, size);
    return static_cast<T*>(b->data);
  }
  template <class T>
  T* optional_data(std::size_t i, index_t elements) const {
    NativeBuffer* b = optional_buffer(i);
    if (b == nullptr) return nullptr;
    check_extent(i, b, elements, sizeof(T));
    return static_cast<T*>(b->data);
  }
  void check_extent(std::size_t i, NativeBuffer* b, index_t elements, std::size_t size) const {
    if (elements < 0 || static_cast<std::size_t>(elements) * size > b->bytes) {
      fail_arg(i, "a buffer of at least " + std::to_string(elements) + " elements of " + std::to_string(size) +
                      " bytes, received " + std::to_string(b->bytes) + " bytes");
    }
  }

  int dtype(std::size_t i) const { return static_cast<int>(integer(i, 0, 2)); }

  Dims dims(std::size_t i, int rank = -1) const {
    bool isArray = false;
    if (i >= args.size() || napi_is_array(env, args[i], &isArray) != napi_ok || !isArray) fail_arg(i, "an array");
    std::uint32_t length = 0;
    napi_get_array_length(env, args[i], &length);
    if (length > static_cast<std::uint32_t>(seqmodel::kMaxRank) || (rank >= 0 && length != static_cast<std::uint32_t>(rank))) {
      fail_arg(i, "an array of " + (rank >= 0 ? std::to_string(rank) : "at most " + std::to_string(seqmodel::kMaxRank)) +
                      " integers");
    }
    Dims d{};
    d.rank = static_cast<int>(length);
    for (std::uint32_t k = 0; k < length; ++k) {
      napi_value e;
      double v;
      napi_get_element(env, args[i], k, &e);
      if (napi_get_value_double(env, e, &v) != napi_ok || v != std::floor(v) || std::fabs(v) > 9.0e15) {
        fail_arg(i, "an array of integers");
      }
      d.v[k] = static_cast<index_t>(v);
    }
    return d;
  }
};

index_t volume(const Dims& shape) {
  index_t n = 1;
  for (int d = 0; d < shape.rank; ++d) {
    if (shape.v[d] < 0) throw ArgumentError("seqmodel native addon: negative extent in a shape");
    n *= shape.v[d];
  }
  return n;
}

// The lowest and highest offsets that `offset + Σ k_d strides_d` reaches over `shape` (empty shapes reach none).
void offset_range(const Dims& shape, const Dims& strides, index_t offset, index_t* low, index_t* high) {
  index_t lo = offset, hi = offset;
  for (int d = 0; d < shape.rank; ++d) {
    index_t reach = (shape.v[d] - 1) * strides.v[d];
    if (reach < 0) lo += reach;
    else hi += reach;
  }
  *low = lo;
  *high = hi;
}

void check_view(const Call& call, std::size_t bufferArg, std::size_t size, const Dims& shape, const Dims& strides,
                index_t offset) {
  if (volume(shape) == 0) return;
  index_t lo, hi;
  offset_range(shape, strides, offset, &lo, &hi);
  NativeBuffer* b = call.buffer(bufferArg);
  if (lo < 0 || static_cast<std::size_t>(hi + 1) * size > b->bytes) {
    call.fail("the strided view of argument " + std::to_string(bufferArg) + " reaches elements [" +
              std::to_string(lo) + ", " + std::to_string(hi) + "], outside its " + std::to_string(b->bytes / size) +
              " elements");
  }
}

// Entry points run their body and turn exceptions into JavaScript errors.
template <class Body>
napi_value guarded(napi_env env, Body&& body) {
  try {
    return body();
  } catch (const ArgumentError& e) {
    napi_throw_type_error(env, "ERR_SEQMODEL_NATIVE_ARGUMENT", e.what());
  } catch (const std::bad_alloc&) {
    napi_throw_range_error(env, "ERR_SEQMODEL_NATIVE_MEMORY", "seqmodel native addon: out of memory");
  } catch (const std::exception& e) {
    napi_throw_error(env, "ERR_SEQMODEL_NATIVE", e.what());
  }
  return nullptr;
}

napi_value undefined(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

napi_value number(napi_env env, double x) {
  napi_value v;
  napi_create_double(env, x, &v);
  return v;
}

// --- buffers -----------------------------------------------------------------------------------------------------

// alloc(bytes) -> buffer, zero-filled.
napi_value Alloc(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "alloc", 1);
    index_t bytes = call.integer(0, 0, index_t(1) << 40);
    void* data = target::allocate(static_cast<std::size_t>(bytes));
    NativeBuffer* buffer = nullptr;
    try {
      buffer = new NativeBuffer{data, static_cast<std::size_t>(bytes)};
    } catch (...) {
      target::release(data);
      throw;
    }
    live_buffers.fetch_add(1);
    live_bytes.fetch_add(bytes);
    napi_value result;
    if (napi_create_external(env, buffer, finalize_buffer, nullptr, &result) != napi_ok) {
      finalize_buffer(env, buffer, nullptr);
      throw std::runtime_error("seqmodel native addon: alloc: could not create the buffer handle");
    }
    // The handle owns the buffer from here: if tagging fails, free the memory now and leave the struct to the
    // handle's finalizer (finalizing it here too would free it twice).
    if (napi_type_tag_object(env, result, &kBufferTag) != napi_ok) {
      release(buffer);
      throw std::runtime_error("seqmodel native addon: alloc: could not tag the buffer handle");
    }
    return result;
  });
}

// free(buffer): frees its memory now (the handle then refuses every use).
napi_value Free(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "free", 1);
    release(call.buffer(0));
    return undefined(env);
  });
}

void typed_array(const Call& call, std::size_t i, void** data, std::size_t* bytes) {
  bool is = false;
  if (i >= call.args.size() || napi_is_typedarray(call.env, call.args[i], &is) != napi_ok || !is) {
    call.fail_arg(i, "a typed array");
  }
  napi_typedarray_type type;
  std::size_t length;
  napi_value arrayBuffer;
  std::size_t offset;
  napi_get_typedarray_info(call.env, call.args[i], &type, &length, data, &arrayBuffer, &offset);
  std::size_t size = type == napi_uint8_array || type == napi_int8_array || type == napi_uint8_clamped_array ? 1
                     : type == napi_float64_array || type == napi_bigint64_array || type == napi_biguint64_array ? 8
                     : type == napi_int16_array || type == napi_uint16_array ? 2
                                                                               : 4;
  *bytes = length * size;
}

// write(buffer, typedArray, byteOffset): copies the array's bytes into the buffer.
napi_value Write(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "write", 3);
    NativeBuffer* b = call.buffer(0);
    void* src;
    std::size_t bytes;
    typed_array(call, 1, &src, &bytes);
    index_t offset = call.integer(2, 0, index_t(1) << 40);
    if (static_cast<std::size_t>(offset) + bytes > b->bytes) call.fail("the array does not fit in the buffer");
    if (bytes > 0) target::upload(static_cast<char*>(b->data) + offset, src, bytes);
    return undefined(env);
  });
}

// read(buffer, typedArray, byteOffset): copies bytes of the buffer into the array (as many as it holds).
napi_value Read(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "read", 3);
    NativeBuffer* b = call.buffer(0);
    void* dst;
    std::size_t bytes;
    typed_array(call, 1, &dst, &bytes);
    index_t offset = call.integer(2, 0, index_t(1) << 40);
    if (static_cast<std::size_t>(offset) + bytes > b->bytes) call.fail("the array reaches past the buffer's end");
    if (bytes > 0) target::download(dst, static_cast<const char*>(b->data) + offset, bytes);
    return undefined(env);
  });
}

// bytes(buffer) -> its size in bytes.
napi_value Bytes(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "bytes", 1);
    return number(env, static_cast<double>(call.buffer(0)->bytes));
  });
}

// stats() -> [live buffers, live bytes].
napi_value Stats(napi_env env, napi_callback_info) {
  napi_value result;
  napi_create_array_with_length(env, 2, &result);
  napi_set_element(env, result, 0, number(env, static_cast<double>(live_buffers.load())));
  napi_set_element(env, result, 1, number(env, static_cast<double>(live_bytes.load())));
  return result;
}

// --- settings ----------------------------------------------------------------------------------------------------

// setThreads(n) -> previous count.
napi_value SetThreads(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "setThreads", 1);
    index_t n = call.integer(0, 1, 1024);
    int previous = target::thread_count();
    target::set_thread_count(static_cast<int>(n));
    return number(env, previous);
  });
}

// info() -> [threads, hardware threads, avx2+fma, avx512f, gemm kernel name]: the host's pool and instruction sets
// (the device target answers 1, 1, false, false) and the GEMM in use.
napi_value Info(napi_env env, napi_callback_info) {
  napi_value result, name;
  napi_create_array_with_length(env, 5, &result);
  napi_set_element(env, result, 0, number(env, target::thread_count()));
  napi_set_element(env, result, 1, number(env, target::hardware_threads()));
  napi_value b;
  napi_get_boolean(env, target::has_avx2_fma(), &b);
  napi_set_element(env, result, 2, b);
  napi_get_boolean(env, target::has_avx512f(), &b);
  napi_set_element(env, result, 3, b);
  napi_create_string_utf8(env, target::gemm_kernel_name(), NAPI_AUTO_LENGTH, &name);
  napi_set_element(env, result, 4, name);
  return result;
}

// setPortable(bool): the portable code paths instead of the detected instruction sets.
napi_value SetPortable(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "setPortable", 1);
    target::force_portable(call.boolean(0));
    return undefined(env);
  });
}

// --- elementwise -------------------------------------------------------------------------------------------------

// unary(op, dtype, x, y, n, a, b): y = op(x) elementwise; float32 or int32 (LogicalNot: bool).
napi_value Unary(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "unary", 7);
    int op = static_cast<int>(call.integer(0, 0, seqmodel::kUnaryCount - 1));
    int dtype = call.dtype(1);
    index_t n = call.integer(4, 0, index_t(1) << 40);
    float a = static_cast<float>(call.number(5)), b = static_cast<float>(call.number(6));
    if (dtype == kFloat32) {
      target::launch(n, seqmodel::UnaryKernel<float, float>{call.data<float>(2, n), call.data<float>(3, n), op, a, b});
    } else if (dtype == kInt32) {
      target::launch(n, seqmodel::UnaryKernel<std::int32_t, std::int32_t>{call.data<std::int32_t>(2, n),
                                                                             call.data<std::int32_t>(3, n), op, a, b});
    } else {
      target::launch(n, seqmodel::UnaryKernel<std::uint8_t, std::uint8_t>{call.data<std::uint8_t>(2, n),
                                                                             call.data<std::uint8_t>(3, n), op, a, b});
    }
    return undefined(env);
  });
}

template <class T>
void binary_typed(const Call& call, int op, const Dims& shape, const Dims& sa, const Dims& sb, index_t n) {
  check_view(call, 2, sizeof(T), shape, sa, 0);
  check_view(call, 3, sizeof(T), shape, sb, 0);
  const T* a = static_cast<const T*>(call.buffer(2)->data);
  const T* b = static_cast<const T*>(call.buffer(3)->data);
  if (seqmodel::is_predicate(op)) {
    auto* out = call.data<std::uint8_t>(4, n);
    target::launch(n, seqmodel::PredicateBroadcast<T>{a, b, out, op, shape, sa, sb});
    return;
  }
  T* out = call.data<T>(4, n);
  bool same = true;
  index_t stride = 1;
  for (int d = shape.rank - 1; d >= 0; --d) {
    if (shape.v[d] != 1 && (sa.v[d] != stride || sb.v[d] != stride)) same = false;
    stride *= shape.v[d];
  }
  if (same) target::launch(n, seqmodel::ArithmeticSameShape<T>{a, b, out, op});
  else target::launch(n, seqmodel::ArithmeticBroadcast<T>{a, b, out, op, shape, sa, sb});
}

// binary(op, dtype, a, b, out, shape, aStrides, bStrides): out = op(a, b) over `shape`, operands read through
// strides (0 on broadcast axes). Predicates write bool.
napi_value Binary(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "binary", 8);
    int op = static_cast<int>(call.integer(0, 0, seqmodel::kBinaryCount - 1));
    int dtype = call.dtype(1);
    Dims shape = call.dims(5);
    Dims sa = call.dims(6, shape.rank), sb = call.dims(7, shape.rank);
    index_t n = volume(shape);
    if (dtype == kFloat32) binary_typed<float>(call, op, shape, sa, sb, n);
    else if (dtype == kInt32) binary_typed<std::int32_t>(call, op, shape, sa, sb, n);
    else binary_typed<std::uint8_t>(call, op, shape, sa, sb, n);
    return undefined(env);
  });
}

template <class T>
void select_typed(const Call& call, const Dims& shape, const Dims& sc, const Dims& sa, const Dims& sb, index_t n) {
  check_view(call, 1, 1, shape, sc, 0);
  check_view(call, 2, sizeof(T), shape, sa, 0);
  check_view(call, 3, sizeof(T), shape, sb, 0);
  target::launch(n, seqmodel::SelectKernel<T>{static_cast<const std::uint8_t*>(call.buffer(1)->data),
                                                static_cast<const T*>(call.buffer(2)->data),
                                                static_cast<const T*>(call.buffer(3)->data), call.data<T>(4, n),
                                                shape, sc, sa, sb});
}

// select(dtype, condition (bool), a, b, out, shape, cStrides, aStrides, bStrides).
napi_value Select(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "select", 9);
    int dtype = call.dtype(0);
    Dims shape = call.dims(5);
    Dims sc = call.dims(6, shape.rank), sa = call.dims(7, shape.rank), sb = call.dims(8, shape.rank);
    index_t n = volume(shape);
    if (dtype == kBool) select_typed<std::uint8_t>(call, shape, sc, sa, sb, n);
    else select_typed<std::uint32_t>(call, shape, sc, sa, sb, n);
    return undefined(env);
  });
}

template <class From>
void cast_from(const Call& call, int to, index_t n) {
  const From* x = call.data<From>(2, n);
  if (to == kFloat32) target::launch(n, seqmodel::CastKernel<From, float>{x, call.data<float>(3, n)});
  else if (to == kInt32) target::launch(n, seqmodel::CastKernel<From, std::int32_t>{x, call.data<std::int32_t>(3, n)});
  else target::launch(n, seqmodel::CastToBool<From>{x, call.data<std::uint8_t>(3, n)});
}

// cast(from, to, x, y, n).
napi_value Cast(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "cast", 5);
    int from = call.dtype(0), to = call.dtype(1);
    index_t n = call.integer(4, 0, index_t(1) << 40);
    if (from == kFloat32) cast_from<float>(call, to, n);
    else if (from == kInt32) cast_from<std::int32_t>(call, to, n);
    else cast_from<std::uint8_t>(call, to, n);
    return undefined(env);
  });
}

// fill(dtype, y, n, value).
napi_value Fill(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "fill", 4);
    int dtype = call.dtype(0);
    index_t n = call.integer(2, 0, index_t(1) << 40);
    double v = call.number(3);
    if (dtype == kFloat32) target::launch(n, seqmodel::FillKernel<float>{call.data<float>(1, n), static_cast<float>(v)});
    else if (dtype == kInt32)
      target::launch(n, seqmodel::FillKernel<std::int32_t>{call.data<std::int32_t>(1, n), static_cast<std::int32_t>(v)});
    else target::launch(n, seqmodel::FillKernel<std::uint8_t>{call.data<std::uint8_t>(1, n), static_cast<std::uint8_t>(v != 0)});
    return undefined(env);
  });
}

// --- layout ------------------------------------------------------------------------------------------------------

template <class T>
void copy_typed(const Call& call, index_t inOffset, index_t outOffset, const Dims& shape, const Dims& si, const Dims& so) {
  check_view(call, 1, sizeof(T), shape, si, inOffset);
  check_view(call, 2, sizeof(T), shape, so, outOffset);
  target::launch(volume(shape), seqmodel::StridedCopy<T>{static_cast<const T*>(call.buffer(1)->data),
                                                           static_cast<T*>(call.buffer(2)->data), inOffset, outOffset,
                                                           shape, si, so});
}

// copy(elementBytes, in, out, inOffset, outOffset, shape, inStrides, outStrides).
napi_value Copy(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "copy", 8);
    index_t size = call.integer(0, 1, 4);
    if (size != 1 && size != 4) call.fail_arg(0, "1 or 4 (bytes per element)");
    index_t inOffset = call.integer(3, 0, index_t(1) << 40), outOffset = call.integer(4, 0, index_t(1) << 40);
    Dims shape = call.dims(5);
    Dims si = call.dims(6, shape.rank), so = call.dims(7, shape.rank);
    volume(shape);
    if (size == 1) copy_typed<std::uint8_t>(call, inOffset, outOffset, shape, si, so);
    else copy_typed<std::uint32_t>(call, inOffset, outOffset, shape, si, so);
    return undefined(env);
  });
}

template <class T>
void gather_typed(const Call& call, index_t outer, index_t axis, index_t inner, index_t count) {
  const std::int32_t* indices = call.data<std::int32_t>(2, count);
  // Checked on the host: the device target copies the indices back first (the host target reads them in place).
  target::HostCopy<std::int32_t> checked(indices, count);
  for (index_t k = 0; k < count; ++k) {
    if (checked[k] < 0 || checked[k] >= axis) {
      call.fail("index " + std::to_string(checked[k]) + " at position " + std::to_string(k) + " is outside [0, " +
                std::to_string(axis) + ")");
    }
  }
  target::launch(outer * count * inner,
                   seqmodel::GatherKernel<T>{call.data<T>(1, outer * axis * inner), indices,
                                             call.data<T>(3, outer * count * inner), axis, inner, count});
}

// gather(elementBytes, x, indices (int32), out, outer, axisSize, inner, count).
napi_value Gather(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "gather", 8);
    index_t size = call.integer(0, 1, 4);
    index_t outer = call.integer(4, 0, index_t(1) << 40), axis = call.integer(5, 0, index_t(1) << 31);
    index_t inner = call.integer(6, 1, index_t(1) << 40), count = call.integer(7, 0, index_t(1) << 40);
    if (size == 1) gather_typed<std::uint8_t>(call, outer, axis, inner, count);
    else if (size == 4) gather_typed<std::uint32_t>(call, outer, axis, inner, count);
    else call.fail_arg(0, "1 or 4 (bytes per element)");
    return undefined(env);
  });
}

// oneHot(dtype, indices, out, n, depth, on, off).
napi_value OneHot(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "oneHot", 7);
    int dtype = call.dtype(0);
    index_t n = call.integer(3, 0, index_t(1) << 40), depth = call.integer(4, 1, index_t(1) << 31);
    const std::int32_t* indices = call.data<std::int32_t>(1, n);
    double on = call.number(5), off = call.number(6);
    if (dtype == kFloat32) {
      target::launch(n * depth, seqmodel::OneHotKernel<float>{indices, call.data<float>(2, n * depth), depth,
                                                                static_cast<float>(on), static_cast<float>(off)});
    } else if (dtype == kInt32) {
      target::launch(n * depth, seqmodel::OneHotKernel<std::int32_t>{indices, call.data<std::int32_t>(2, n * depth), depth,
                                                                       static_cast<std::int32_t>(on),
                                                                       static_cast<std::int32_t>(off)});
    } else {
      call.fail_arg(0, "float32 or int32");
    }
    return undefined(env);
  });
}

// segmentSum(dtype, x, ids, out, rows, inner, numSegments).
napi_value SegmentSum(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "segmentSum", 7);
    int dtype = call.dtype(0);
    index_t rows = call.integer(4, 0, index_t(1) << 40), inner = call.integer(5, 1, index_t(1) << 40);
    index_t segments = call.integer(6, 0, index_t(1) << 40);
    const std::int32_t* ids = call.data<std::int32_t>(2, rows);
    if (dtype == kFloat32) {
      target::launch(inner, seqmodel::SegmentSumColumn<float>{call.data<float>(1, rows * inner), ids,
                                                                call.data<float>(3, segments * inner), rows, inner, segments}, 8);
    } else if (dtype == kInt32) {
      target::launch(inner, seqmodel::SegmentSumColumn<std::int32_t>{call.data<std::int32_t>(1, rows * inner), ids,
                                                                       call.data<std::int32_t>(3, segments * inner), rows,
                                                                       inner, segments}, 8);
    } else {
      call.fail_arg(0, "float32 or int32");
    }
    return undefined(env);
  });
}

// --- rows --------------------------------------------------------------------------------------------------------

// reduce(op, dtype, x, out, rows, cols): over the last axis of [rows, cols]; cols >= 1.
napi_value Reduce(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "reduce", 6);
    int op = static_cast<int>(call.integer(0, 0, seqmodel::kReduceCount - 1));
    int dtype = call.dtype(1);
    index_t rows = call.integer(4, 0, index_t(1) << 40), cols = call.integer(5, 1, index_t(1) << 40);
    index_t grain = std::max<index_t>(1, target::kElementGrain / cols);
    if (dtype == kFloat32) {
      target::launch(rows, seqmodel::RowReduce<float>{call.data<float>(2, rows * cols), call.data<float>(3, rows), cols, op}, grain);
    } else if (dtype == kInt32) {
      target::launch(rows, seqmodel::RowReduce<std::int32_t>{call.data<std::int32_t>(2, rows * cols),
                                                               call.data<std::int32_t>(3, rows), cols, op}, grain);
    } else {
      target::launch(rows, seqmodel::RowReduce<std::uint8_t>{call.data<std::uint8_t>(2, rows * cols),
                                                               call.data<std::uint8_t>(3, rows), cols, op}, grain);
    }
    return undefined(env);
  });
}

// argExtreme(dtype, x, out (int32), rows, cols, minimum).
napi_value ArgExtreme(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "argExtreme", 6);
    int dtype = call.dtype(0);
    index_t rows = call.integer(3, 0, index_t(1) << 40), cols = call.integer(4, 1, index_t(1) << 40);
    bool minimum = call.boolean(5);
    std::int32_t* out = call.data<std::int32_t>(2, rows);
    if (dtype == kFloat32) target::launch(rows, seqmodel::RowArgExtreme<float>{call.data<float>(1, rows * cols), out, cols, minimum}, 64);
    else if (dtype == kInt32)
      target::launch(rows, seqmodel::RowArgExtreme<std::int32_t>{call.data<std::int32_t>(1, rows * cols), out, cols, minimum}, 64);
    else call.fail_arg(0, "float32 or int32");
    return undefined(env);
  });
}

// softmax(x, out, rows, cols, logarithm).
napi_value Softmax(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "softmax", 5);
    index_t rows = call.integer(2, 0, index_t(1) << 40), cols = call.integer(3, 1, index_t(1) << 40);
    bool logarithm = call.boolean(4);
    target::launch(rows, seqmodel::RowSoftmax{call.data<float>(0, rows * cols), call.data<float>(1, rows * cols), cols, logarithm},
                     std::max<index_t>(1, target::kElementGrain / cols));
    return undefined(env);
  });
}

// --- products ----------------------------------------------------------------------------------------------------

// matMul(a, b, c, batch, m, n, k, transposeA, transposeB, aBatchStride, bBatchStride, accumulate):
// c[i] (+)= op(a[i])·op(b[i]) for every batch i; a batch stride of 0 broadcasts that operand.
napi_value MatMul(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "matMul", 12);
    // Bounds keep every product of sizes below 2^62.
    index_t batch = call.integer(3, 0, index_t(1) << 20), m = call.integer(4, 0, index_t(1) << 20);
    index_t n = call.integer(5, 0, index_t(1) << 20), k = call.integer(6, 0, index_t(1) << 20);
    bool ta = call.boolean(7), tb = call.boolean(8);
    index_t sa = call.integer(9, 0, index_t(1) << 40), sb = call.integer(10, 0, index_t(1) << 40);
    if (batch * m * n > (index_t(1) << 40) || (batch - 1) * std::max(sa, sb) > (index_t(1) << 40)) {
      call.fail("the product is too large");
    }
    bool accumulate = call.boolean(11);
    if (batch == 0) return undefined(env);
    const float* a = call.data<float>(0, (batch - 1) * sa + m * k);
    const float* b = call.data<float>(1, (batch - 1) * sb + k * n);
    float* c = call.data<float>(2, batch * m * n);
    for (index_t i = 0; i < batch; ++i) {
      target::gemm(m, n, k, seqmodel::MatrixView{a + i * sa, ta ? m : k, ta},
                     seqmodel::MatrixView{b + i * sb, tb ? k : n, tb}, c + i * m * n, n, accumulate);
    }
    return undefined(env);
  });
}

#if !defined(SEQMODEL_TARGET_CUDA)
// --- products on JavaScript arrays (host target) -------------------------------------------------------------------
// For kernels that keep their values in JavaScript memory (the compiled kernel of cells without a C++ kernel): the
// blocked GEMM runs on the Float32Arrays' own memory, without copies. A matrix is (array, offset, ld, transposed)
// with op(M) of the product's shape; every element the product reads or writes is checked to lie in its array.

struct HostArray {
  float* data;
  std::size_t length;
};

// The largest m, n or k of a product on JavaScript arrays.
constexpr index_t kHostExtent = index_t(1) << 31;

HostArray float32_array(const Call& call, std::size_t i) {
  bool isTypedArray = false;
  if (i >= call.args.size() || napi_is_typedarray(call.env, call.args[i], &isTypedArray) != napi_ok || !isTypedArray) {
    call.fail_arg(i, "a Float32Array");
  }
  napi_typedarray_type type;
  std::size_t length = 0;
  void* data = nullptr;
  napi_value buffer;
  std::size_t byteOffset = 0;
  napi_get_typedarray_info(call.env, call.args[i], &type, &length, &data, &buffer, &byteOffset);
  if (type != napi_float32_array) call.fail_arg(i, "a Float32Array");
  return {static_cast<float*>(data), length};
}

// The view of array argument `i` at offset `i + 1`, leading dimension `i + 2`, for op(M) of [rows, cols]. Checked
// without overflow: the offset lies in the array (also for an empty view), and the last element the view reaches.
seqmodel::MatrixView host_view(const Call& call, std::size_t i, bool transposed, index_t rows, index_t cols,
                               float** mutable_data = nullptr) {
  HostArray array = float32_array(call, i);
  // A leading dimension of 0 is allowed for an empty view only (ld >= storedCols >= 1 otherwise).
  index_t offset = call.integer(i + 1, 0, index_t(1) << 40), ld = call.integer(i + 2, 0, index_t(1) << 40);
  index_t storedRows = transposed ? cols : rows, storedCols = transposed ? rows : cols;
  if (storedCols > ld) {
    call.fail_arg(i + 2, "a leading dimension of at least " + std::to_string(storedCols) + ", received " +
                             std::to_string(ld));
  }
  const index_t length = static_cast<index_t>(array.length);
  const index_t available = offset <= length ? length - offset : -1;
  const bool empty = storedRows == 0 || storedCols == 0;
  // offset + (storedRows - 1) * ld + storedCols <= length, written so that nothing overflows.
  if (available < 0 ||
      (!empty && (storedCols > available || storedRows - 1 > (available - storedCols) / ld))) {
    call.fail_arg(i, "a Float32Array holding " + std::to_string(storedRows) + " rows of " +
                         std::to_string(storedCols) + " at offset " + std::to_string(offset) + " (leading dimension " +
                         std::to_string(ld) + "), received " + std::to_string(array.length) + " elements");
  }
  if (mutable_data) *mutable_data = array.data + offset;
  return seqmodel::MatrixView{array.data + offset, ld, transposed};
}

// A right-hand operand packed once (hostPack) for many products (hostGemmPacked); freed by hostRelease or by the
// garbage collector.
struct PackedHolder {
  seqmodel::PackedMatrix* packed;
};

const napi_type_tag kPackedTag = {0x2c41f6b09de3457aULL, 0x8e17a5c3b2f90d64ULL};

void finalize_packed(napi_env, void* data, void*) {
  auto* holder = static_cast<PackedHolder*>(data);
  delete holder->packed;
  delete holder;
}

PackedHolder* packed_holder(const Call& call, std::size_t i) {
  bool tagged = false;
  if (call.type(i) != napi_external || napi_check_object_type_tag(call.env, call.args[i], &kPackedTag, &tagged) != napi_ok ||
      !tagged) {
    call.fail_arg(i, "a packed matrix (from hostPack)");
  }
  void* data = nullptr;
  napi_get_value_external(call.env, call.args[i], &data);
  return static_cast<PackedHolder*>(data);
}

seqmodel::PackedMatrix* packed_arg(const Call& call, std::size_t i) {
  PackedHolder* holder = packed_holder(call, i);
  if (holder->packed == nullptr) call.fail_arg(i, "a live packed matrix (this one was released)");
  return holder->packed;
}

// hostGemm(m, n, k, a, aOffset, lda, transposeA, b, bOffset, ldb, transposeB, c, cOffset, ldc, accumulate):
// c (+)= op(a)·op(b), c [m, n].
napi_value HostGemm(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "hostGemm", 15);
    // Sizes up to 2^31 (a whole sequence's rows, batch x time, is one dimension); the views bound the rest.
    index_t m = call.integer(0, 0, kHostExtent), n = call.integer(1, 0, kHostExtent);
    index_t k = call.integer(2, 0, kHostExtent);
    bool ta = call.boolean(6), tb = call.boolean(10), accumulate = call.boolean(14);
    seqmodel::MatrixView a = host_view(call, 3, ta, m, k);
    seqmodel::MatrixView b = host_view(call, 7, tb, k, n);
    float* c = nullptr;
    seqmodel::MatrixView cv = host_view(call, 11, false, m, n, &c);
    seqmodel::gemm(m, n, k, a, b, c, cv.ld, accumulate);
    return undefined(env);
  });
}

// hostPack(k, n, b, offset, ld, transposed): op(b) [k, n] packed for hostGemmPacked.
napi_value HostPack(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "hostPack", 6);
    index_t k = call.integer(0, 0, kHostExtent), n = call.integer(1, 0, kHostExtent);
    seqmodel::MatrixView b = host_view(call, 2, call.boolean(5), k, n);
    std::unique_ptr<seqmodel::PackedMatrix> packed(new seqmodel::PackedMatrix(b, k, n));
    std::unique_ptr<PackedHolder> holder(new PackedHolder{packed.get()});
    napi_value external;
    if (napi_create_external(env, holder.get(), finalize_packed, nullptr, &external) != napi_ok) {
      throw std::bad_alloc();
    }
    // The external owns both now: its finalizer frees them, also if tagging fails below.
    packed.release();
    holder.release();
    if (napi_type_tag_object(env, external, &kPackedTag) != napi_ok) {
      throw std::runtime_error("seqmodel native addon: hostPack: could not tag the packed matrix");
    }
    return external;
  });
}

// hostGemmPacked(m, a, aOffset, lda, packed, c, cOffset, ldc, accumulate): c (+)= a·packed, a [m, k] not transposed.
napi_value HostGemmPacked(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "hostGemmPacked", 9);
    index_t m = call.integer(0, 0, kHostExtent);
    seqmodel::PackedMatrix* packed = packed_arg(call, 4);
    seqmodel::MatrixView a = host_view(call, 1, false, m, packed->rows());
    float* c = nullptr;
    seqmodel::MatrixView cv = host_view(call, 5, false, m, packed->cols(), &c);
    seqmodel::gemm_packed(m, a, *packed, c, cv.ld, call.boolean(8));
    return undefined(env);
  });
}

// hostRelease(packed): frees a packed matrix now (releasing it twice is harmless).
napi_value HostRelease(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "hostRelease", 1);
    PackedHolder* holder = packed_holder(call, 0);
    delete holder->packed;
    holder->packed = nullptr;
    return undefined(env);
  });
}
#endif

// --- fused sequences ---------------------------------------------------------------------------------------------

// The config array: [cell, resetAfter, activation, recurrentActivation, batch, time, inputSize, units]; the flags
// [goBackwards, returnSequences, zeroMaskedOutputs] come as a second array.
seqmodel::SequenceConfig sequence_config(const Call& call, std::size_t i) {
  Dims d = call.dims(i, 8);
  seqmodel::SequenceConfig c{};
  c.cell = static_cast<int>(d.v[0]);
  c.resetAfter = d.v[1] != 0;
  c.activation = static_cast<int>(d.v[2]);
  c.recurrentActivation = static_cast<int>(d.v[3]);
  c.batch = d.v[4];
  c.time = d.v[5];
  c.inputSize = d.v[6];
  c.units = d.v[7];
  if (c.cell < 0 || c.cell > 2) call.fail("config: cell must be 0 (simpleRNN), 1 (LSTM) or 2 (GRU)");
  if (c.activation < 0 || c.activation >= seqmodel::kActivationCount || c.recurrentActivation < 0 ||
      c.recurrentActivation >= seqmodel::kActivationCount) {
    call.fail("config: unknown activation number");
  }
  if (c.batch < 1 || c.time < 1 || c.inputSize < 1 || c.units < 1 || c.batch > (1 << 24) || c.time > (1 << 24) ||
      c.inputSize > (1 << 24) || c.units > (1 << 20)) {
    call.fail("config: batch, time, inputSize and units must be positive (and not huge)");
  }
  return c;
}

// The config (argument i) and the flags (argument i + 1) of a sequence call.
seqmodel::SequenceConfig sequence_config_and_flags(const Call& call, std::size_t i) {
  seqmodel::SequenceConfig c = sequence_config(call, i);
  Dims flags = call.dims(i + 1, 3);
  c.goBackwards = flags.v[0] != 0;
  c.returnSequences = flags.v[1] != 0;
  c.zeroMaskedOutputs = flags.v[2] != 0;
  return c;
}

struct SequenceSizes {
  index_t x, kernel, recurrent, bias, state, mask, sequence, width, saved, output;
};

SequenceSizes sizes_of(const seqmodel::SequenceConfig& c) {
  index_t W = seqmodel::gate_count(c) * c.units, rows = c.batch * c.time;
  return SequenceSizes{rows * c.inputSize,
                       c.inputSize * W,
                       c.units * W,
                       (c.cell == seqmodel::kGru && c.resetAfter) ? 2 * W : W,
                       c.batch * c.units,
                       rows,
                       rows * c.units,
                       W,
                       rows * W,
                       c.returnSequences ? rows * c.units : c.batch * c.units};
}

// The first `count` elements of array argument `i` (exactly `count` when `exact`), as a Call over them for the
// buffer checks, whose messages then number the elements. Every element is read before any is checked: reading one
// can run JavaScript (a getter), which must not free a buffer already checked.
Call array_elements(const Call& call, std::size_t i, std::uint32_t count, bool exact = false) {
  const std::string expected = "an array of " + std::to_string(count) + " buffers";
  bool isArray = false;
  if (i >= call.args.size() || napi_is_array(call.env, call.args[i], &isArray) != napi_ok || !isArray) {
    call.fail_arg(i, expected);
  }
  std::uint32_t length = 0;
  napi_get_array_length(call.env, call.args[i], &length);
  if (exact && length != count) call.fail_arg(i, expected + ", received " + std::to_string(length));
  Call elements = call;
  elements.args.clear();
  for (std::uint32_t k = 0; k < count; ++k) {
    napi_value e;
    napi_get_element(call.env, call.args[i], k, &e);
    elements.args.push_back(e);
  }
  return elements;
}

// The five saved buffers of a sequence (argument i).
Call saved_buffers(const Call& call, std::size_t i) { return array_elements(call, i, 5); }

// sequenceForward(config, flags [goBackwards, returnSequences, zeroMaskedOutputs], x, kernel, recurrentKernel,
// bias, h0, c0, mask, recurrentMask, output, hN, cN, saved [projection, previousH, previousC, activatedCell,
// recurrentH] or null): optional buffers may be null.
napi_value SequenceForward(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "sequenceForward", 14);
    seqmodel::SequenceConfig c = sequence_config_and_flags(call, 0);
    SequenceSizes s = sizes_of(c);
    const bool lstm = c.cell == seqmodel::kLstm;
    seqmodel::ForwardBuffers io{};
    io.x = call.data<float>(2, s.x);
    io.kernel = call.data<float>(3, s.kernel);
    io.recurrentKernel = call.data<float>(4, s.recurrent);
    io.bias = call.optional_data<float>(5, s.bias);
    io.initialState[0] = call.optional_data<float>(6, s.state);
    io.initialState[1] = lstm ? call.optional_data<float>(7, s.state) : nullptr;
    io.mask = call.optional_data<float>(8, s.mask);
    io.recurrentMask = call.optional_data<float>(9, s.state);
    io.output = call.data<float>(10, s.output);
    io.finalState[0] = call.data<float>(11, s.state);
    io.finalState[1] = lstm ? call.data<float>(12, s.state) : nullptr;
    napi_valuetype savedType = call.type(13);
    if (savedType != napi_null && savedType != napi_undefined) {
      Call saved = saved_buffers(call, 13);
      io.projection = saved.data<float>(0, s.saved);
      io.previousH = saved.data<float>(1, s.sequence);
      io.previousC = lstm ? saved.data<float>(2, s.sequence) : nullptr;
      io.activatedCell = lstm ? saved.data<float>(3, s.sequence) : nullptr;
      io.recurrentH = c.cell == seqmodel::kGru && c.resetAfter ? saved.data<float>(4, s.sequence) : nullptr;
    }
    target::sequence_forward(c, io);
    return undefined(env);
  });
}

// sequenceBackward(config, flags, dOutput, dH, dC, recurrentKernel, mask, recurrentMask, saved [5],
// dProjection, dRecurrent, dH0, dC0, dRecurrentMask).
napi_value SequenceBackward(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "sequenceBackward", 14);
    seqmodel::SequenceConfig c = sequence_config_and_flags(call, 0);
    SequenceSizes s = sizes_of(c);
    const bool lstm = c.cell == seqmodel::kLstm, resetAfter = c.cell == seqmodel::kGru && c.resetAfter;
    seqmodel::BackwardBuffers io{};
    io.dOutput = call.data<float>(2, s.output);
    io.dFinalState[0] = call.optional_data<float>(3, s.state);
    io.dFinalState[1] = lstm ? call.optional_data<float>(4, s.state) : nullptr;
    io.recurrentKernel = call.data<float>(5, s.recurrent);
    io.mask = call.optional_data<float>(6, s.mask);
    io.recurrentMask = call.optional_data<float>(7, s.state);
    Call saved = saved_buffers(call, 8);
    io.projection = saved.data<float>(0, s.saved);
    io.previousH = saved.data<float>(1, s.sequence);
    io.previousC = lstm ? saved.data<float>(2, s.sequence) : nullptr;
    io.activatedCell = lstm ? saved.data<float>(3, s.sequence) : nullptr;
    io.recurrentH = resetAfter ? saved.data<float>(4, s.sequence) : nullptr;
    io.dProjection = call.data<float>(9, s.saved);
    io.dRecurrent = resetAfter ? call.data<float>(10, s.saved) : nullptr;
    io.dInitialState[0] = call.data<float>(11, s.state);
    io.dInitialState[1] = lstm ? call.data<float>(12, s.state) : nullptr;
    io.dRecurrentMask = io.recurrentMask ? call.data<float>(13, s.state) : nullptr;
    target::sequence_backward(c, io);
    return undefined(env);
  });
}

// sequenceGradients(config, which [input, kernel, recurrentKernel, bias], x, kernel, recurrentMask, projection,
// previousH, dProjection, dRecurrent, dInputs, dKernel, dRecurrentKernel, dBias): the whole-sequence products and
// sums after sequenceBackward, each only when asked for (the others may be null).
napi_value SequenceGradients(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "sequenceGradients", 13);
    seqmodel::SequenceConfig c = sequence_config(call, 0);
    Dims which = call.dims(1, 4);
    SequenceSizes s = sizes_of(c);
    const bool resetAfter = c.cell == seqmodel::kGru && c.resetAfter;
    const float* dP = call.data<float>(7, s.saved);
    const float* dR = resetAfter ? call.data<float>(8, s.saved) : nullptr;
    if (which.v[0]) target::sequence_input_gradient(c, call.data<float>(3, s.kernel), dP, call.data<float>(9, s.x));
    if (which.v[1] || which.v[2]) {
      target::sequence_weight_gradients(
          c, call.data<float>(2, s.x), call.data<float>(6, s.sequence), call.optional_data<float>(4, s.state),
          call.data<float>(5, s.saved), dP, dR, which.v[1] ? call.data<float>(10, s.kernel) : nullptr,
          which.v[2] ? call.data<float>(11, s.recurrent) : nullptr);
    }
    if (which.v[3]) target::sequence_bias_gradient(c, dP, dR, call.data<float>(12, s.bias));
    return undefined(env);
  });
}

#if defined(SEQMODEL_TARGET_CUDA)
napi_value string(napi_env env, const char* text) {
  napi_value v;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &v);
  return v;
}

// device() -> [usable, reason, devices, name, computeMajor, computeMinor, cublas, cudnn, notes, nvrtc, nvrtcReason]:
// what this process found (driver, devices, the optional libraries); never throws.
napi_value Device(napi_env env, napi_callback_info) {
  const auto& r = seqmodel::cuda::runtime_report();
  napi_value result, usable;
  napi_create_array_with_length(env, 11, &result);
  napi_get_boolean(env, r.usable, &usable);
  napi_set_element(env, result, 0, usable);
  napi_set_element(env, result, 1, string(env, r.reason));
  napi_set_element(env, result, 2, number(env, r.devices));
  napi_set_element(env, result, 3, string(env, r.deviceName));
  napi_set_element(env, result, 4, number(env, r.computeMajor));
  napi_set_element(env, result, 5, number(env, r.computeMinor));
  napi_set_element(env, result, 6, string(env, r.cublas));
  napi_set_element(env, result, 7, string(env, r.cudnn));
  napi_set_element(env, result, 8, string(env, seqmodel::cuda::library_notes().c_str()));
  napi_set_element(env, result, 9, string(env, seqmodel::cuda::nvrtc_report().c_str()));
  napi_set_element(env, result, 10, string(env, seqmodel::cuda::nvrtc_reason().c_str()));
  return result;
}

// setOwnKernelsOnly(bool): the tiled GEMM even where cuBLAS loaded.
napi_value SetOwnKernelsOnly(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "setOwnKernelsOnly", 1);
    seqmodel::cuda::set_own_kernels_only(call.boolean(0));
    return undefined(env);
  });
}

const napi_type_tag kProgramTag = {0x7c1e5a0d93b24f61ULL, 0xa4d2e8b1c05f3e97ULL};

void finalize_program(napi_env, void* data, void*) { delete static_cast<seqmodel::cuda::Program*>(data); }

// The integers of the array argument `i` (each in [min, max]).
std::vector<index_t> integers(const Call& call, std::size_t i, index_t min, index_t max) {
  bool isArray = false;
  if (i >= call.args.size() || napi_is_array(call.env, call.args[i], &isArray) != napi_ok || !isArray) {
    call.fail_arg(i, "an array of integers");
  }
  std::uint32_t length = 0;
  napi_get_array_length(call.env, call.args[i], &length);
  std::vector<index_t> values(length);
  for (std::uint32_t k = 0; k < length; ++k) {
    napi_value e;
    double v = 0;
    napi_get_element(call.env, call.args[i], k, &e);
    if (napi_get_value_double(call.env, e, &v) != napi_ok || v != std::floor(v) || v < static_cast<double>(min) ||
        v > static_cast<double>(max)) {
      call.fail_arg(i, "an array of integers in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
    }
    values[k] = static_cast<index_t>(v);
  }
  return values;
}

// programCompile(source, inputElements[], outputElements, uniforms) -> program: CUDA C++ with the entry point
// `seqmodel_program` (see cuda/programs.cu) compiled by NVRTC for device 0; throws NVRTC's log when it does not
// compile. The program keeps the element counts, which every run checks its buffers against.
napi_value ProgramCompile(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "programCompile", 4);
    if (call.type(0) != napi_string) call.fail_arg(0, "a string (the program's source)");
    std::size_t length = 0;
    napi_get_value_string_utf8(env, call.args[0], nullptr, 0, &length);
    std::string source(length, '\0');
    napi_get_value_string_utf8(env, call.args[0], &source[0], length + 1, &length);
    std::vector<index_t> inputs = integers(call, 1, 0, INT32_MAX - 1024);
    if (inputs.size() > 256) call.fail_arg(1, "at most 256 inputs");
    // Below INT32_MAX by a block, so that the launch's block count and the kernel's int index cannot overflow.
    index_t outputs = call.integer(2, 0, INT32_MAX - 1024);
    int uniforms = static_cast<int>(call.integer(3, 0, 16));
    auto program = seqmodel::cuda::compile_program(source, std::move(inputs), outputs, uniforms);
    napi_value result;
    if (napi_create_external(env, program.get(), finalize_program, nullptr, &result) != napi_ok) {
      throw std::runtime_error("seqmodel native addon: programCompile: could not create the program handle");
    }
    program.release();  // the handle's finalizer deletes it
    if (napi_type_tag_object(env, result, &kProgramTag) != napi_ok) {
      throw std::runtime_error("seqmodel native addon: programCompile: could not tag the program handle");
    }
    return result;
  });
}

// programRun(program, inputs[], output, uniforms[]): launches `program` (queued on the device), each input a buffer
// of at least the elements it was compiled for, `output` likewise.
napi_value ProgramRun(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Call call(env, info, "programRun", 4);
    const auto& program =
        *static_cast<const seqmodel::cuda::Program*>(call.tagged(0, kProgramTag, "a program (from programCompile)"));
    // The uniforms first: reading an array can run JavaScript (a getter), which must not free a buffer checked before.
    std::vector<index_t> values = integers(call, 3, INT32_MIN, INT32_MAX);
    if (values.size() != static_cast<std::size_t>(program.uniforms)) {
      call.fail_arg(3, std::to_string(program.uniforms) + " uniforms, received " + std::to_string(values.size()));
    }
    std::vector<int> uniforms(values.begin(), values.end());
    const auto count = static_cast<std::uint32_t>(program.inputElements.size());
    const Call elements = array_elements(call, 1, count, true);
    std::vector<const float*> inputs(count);
    for (std::uint32_t k = 0; k < count; ++k) inputs[k] = elements.data<const float>(k, program.inputElements[k]);
    float* output = call.data<float>(2, program.outputElements);
    seqmodel::cuda::run_program(program, inputs, output, uniforms);
    return undefined(env);
  });
}

// synchronize(): waits for the device's queued work (timings), turning a kernel's deferred error into a throw.
napi_value Synchronize(napi_env env, napi_callback_info) {
  return guarded(env, [&]() -> napi_value {
    target::check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    return undefined(env);
  });
}
#endif

#define EXPORT(name, fn) {name, nullptr, fn, nullptr, nullptr, nullptr, napi_default, nullptr}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      EXPORT("alloc", Alloc),         EXPORT("free", Free),
      EXPORT("write", Write),         EXPORT("read", Read),
      EXPORT("bytes", Bytes),         EXPORT("stats", Stats),
      EXPORT("setThreads", SetThreads), EXPORT("info", Info),
      EXPORT("setPortable", SetPortable), EXPORT("unary", Unary),
      EXPORT("binary", Binary),       EXPORT("select", Select),
      EXPORT("cast", Cast),           EXPORT("fill", Fill),
      EXPORT("copy", Copy),           EXPORT("gather", Gather),
      EXPORT("oneHot", OneHot),       EXPORT("segmentSum", SegmentSum),
      EXPORT("reduce", Reduce),       EXPORT("argExtreme", ArgExtreme),
      EXPORT("softmax", Softmax),     EXPORT("matMul", MatMul),
      EXPORT("sequenceForward", SequenceForward), EXPORT("sequenceBackward", SequenceBackward),
      EXPORT("sequenceGradients", SequenceGradients),
#if defined(SEQMODEL_TARGET_CUDA)
      EXPORT("device", Device), EXPORT("setOwnKernelsOnly", SetOwnKernelsOnly),
      EXPORT("synchronize", Synchronize), EXPORT("programCompile", ProgramCompile),
      EXPORT("programRun", ProgramRun),
#else
      EXPORT("hostGemm", HostGemm), EXPORT("hostPack", HostPack),
      EXPORT("hostGemmPacked", HostGemmPacked), EXPORT("hostRelease", HostRelease),
#endif
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
