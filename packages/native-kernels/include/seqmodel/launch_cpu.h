// The host launcher: runs a functor over its index space on the thread pool. `launch` covers a flat index space
// (one call per element or row); `launch_rows` the (row, unit) space of the gate functors, with the units of a row in
// an inner loop, for the rows the functor calls active. Both have an AVX2/FMA clone of their loop, chosen at run time, so that the inlined functors
// vectorize on machines that have it.
#pragma once

#include <algorithm>

#include "config.h"
#include "cpu_features.h"
#include "thread_pool.h"

namespace seqmodel {

namespace detail {

template <class F>
__attribute__((target("avx2,fma"))) void loop_avx2(const F& f, index_t begin, index_t end) {
  for (index_t i = begin; i < end; ++i) f(i);
}
template <class F>
void loop_portable(const F& f, index_t begin, index_t end) {
  for (index_t i = begin; i < end; ++i) f(i);
}
// The functor is copied into a local so that its fields stay in registers across the inner loop. `ivdep`: a gate
// functor's call (b, j) reads and writes only unit j of row b's blocks (the contract of gates.h), so the units of a
// row carry no dependence, which the compiler cannot prove for blocks of one buffer at a run-time offset.
template <class F>
__attribute__((target("avx2,fma"))) void rows_avx2(const F& functor, index_t begin, index_t end, index_t units) {
  const F f = functor;
  for (index_t b = begin; b < end; ++b) {
    if (!f.active(b)) continue;
#pragma GCC ivdep
    for (index_t j = 0; j < units; ++j) f(b, j);
  }
}
template <class F>
void rows_portable(const F& functor, index_t begin, index_t end, index_t units) {
  const F f = functor;
  for (index_t b = begin; b < end; ++b) {
    if (!f.active(b)) continue;
    for (index_t j = 0; j < units; ++j) f(b, j);
  }
}

}  // namespace detail

// Elements per chunk below which splitting across threads costs more than it saves.
constexpr index_t kElementGrain = 1 << 15;

template <class F>
void launch(index_t n, const F& f, index_t grain = kElementGrain) {
  const bool avx2 = cpu_features().avx2_fma;
  parallel_for(n, grain, [&](index_t begin, index_t end) {
    if (avx2) detail::loop_avx2(f, begin, end);
    else detail::loop_portable(f, begin, end);
  });
}

template <class F>
void launch_rows(index_t rows, index_t units, const F& f) {
  const bool avx2 = cpu_features().avx2_fma;
  index_t grain = std::max<index_t>(1, 8192 / std::max<index_t>(1, units));
  parallel_for(rows, grain, [&](index_t begin, index_t end) {
    if (avx2) detail::rows_avx2(f, begin, end, units);
    else detail::rows_portable(f, begin, end, units);
  });
}

}  // namespace seqmodel
