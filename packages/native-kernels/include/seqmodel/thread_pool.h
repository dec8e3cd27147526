// A small fork-join thread pool for the host launcher: parallel_for splits an index range into one contiguous chunk
// per thread; the calling thread runs the first chunk. Workers spin briefly before sleeping, because the recurrent
// loop issues a few parallel regions per time step, microseconds apart.
#pragma once

#include <cstdint>
#include <functional>

namespace seqmodel {

using RangeFn = std::function<void(std::int64_t begin, std::int64_t end)>;

// Threads the pool uses (the caller included); 1 runs everything on the calling thread.
int thread_count();
// Changes the thread count (>= 1); starts or stops workers. Not to be called from inside parallel_for.
void set_thread_count(int threads);
// Logical processors of the machine.
int hardware_threads();

// Runs fn over [0, n) in chunks, at most one chunk per thread, none smaller than `grain` indices.
void parallel_for(std::int64_t n, std::int64_t grain, const RangeFn& fn);

}  // namespace seqmodel
