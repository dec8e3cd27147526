#include "seqmodel/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace seqmodel {
namespace {

class Pool {
 public:
  ~Pool() { resize(1); }

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void resize(int threads) {
    threads = std::max(1, threads);
    if (threads == size()) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
    stop_ = false;
    // Workers start from the current generation: one that read it only once running could miss the first region
    // (and the caller would wait for it forever).
    const std::uint64_t start = generation_.load(std::memory_order_acquire);
    for (int w = 1; w < threads; ++w) workers_.emplace_back([this, w, start] { loop(w, start); });
  }

  void run(std::int64_t n, std::int64_t grain, const RangeFn& fn) {
    if (n <= 0) return;
    std::int64_t chunks = std::min<std::int64_t>(size(), std::max<std::int64_t>(1, n / std::max<std::int64_t>(1, grain)));
    bool idle = false;
    // One chunk, or a call from inside a running region (nested parallelism): run on this thread.
    if (chunks <= 1 || !busy_.compare_exchange_strong(idle, true)) {
      fn(0, n);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      fn_ = &fn;
      n_ = n;
      chunks_ = chunks;
      pending_.store(static_cast<int>(chunks - 1), std::memory_order_relaxed);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    fn(0, n / chunks);
    while (pending_.load(std::memory_order_acquire) != 0) std::this_thread::yield();
    busy_.store(false);
  }

 private:
  void loop(int index, std::uint64_t seen) {
    for (;;) {
      // Spin a little: the next region of a recurrent step usually follows within microseconds.
      for (int spin = 0; spin < 4000 && generation_.load(std::memory_order_acquire) == seen; ++spin) {
#if defined(__x86_64__)
        __builtin_ia32_pause();
#endif
      }
      const RangeFn* fn;
      std::int64_t n, chunks;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
        seen = generation_.load(std::memory_order_acquire);
        if (stop_) return;
        fn = fn_;
        n = n_;
        chunks = chunks_;
      }
      if (fn == nullptr || index >= chunks) continue;
      (*fn)(n * index / chunks, n * (index + 1) / chunks);
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> busy_{false};
  const RangeFn* fn_ = nullptr;
  std::int64_t n_ = 0;
  std::int64_t chunks_ = 0;
  bool stop_ = false;
};

Pool& pool() {
  static Pool instance;
  return instance;
}

}  // namespace

int thread_count() { return pool().size(); }
void set_thread_count(int threads) { pool().resize(threads); }
int hardware_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

void parallel_for(std::int64_t n, std::int64_t grain, const RangeFn& fn) { pool().run(n, grain, fn); }

}  // namespace seqmodel
