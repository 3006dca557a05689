#include "benchmarks/backends/cpu/cpu_thread_pool.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>

namespace layer_energy::bench::cpu {

namespace {

// How long a thread spins on an atomic before it blocks on a condition variable: long enough to cover the gap
// between two loops of one run, short enough that an idle pool is asleep within a fraction of a millisecond.
constexpr auto kSpin = std::chrono::microseconds(200);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  asm volatile("yield");
#endif
}

// Spins until done() or kSpin elapsed; true when done.
template <typename Done>
bool spin_until(Done done) {
  const auto deadline = std::chrono::steady_clock::now() + kSpin;
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (done()) return true;
      cpu_relax();
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
  }
}

}  // namespace

ThreadPool::ThreadPool(int threads) {
  const int workers = std::max(threads, 1) - 1;
  workers_.reserve(static_cast<std::size_t>(workers));
  for (int i = 0; i < workers; ++i) workers_.emplace_back([this, i] { worker_main(i + 1); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_.store(true);
  }
  start_cv_.notify_all();
  for (auto& worker : workers_) worker.join();
}

void ThreadPool::drain(int thread) {
  for (;;) {
    const int64_t task = next_.fetch_add(1, std::memory_order_relaxed);
    if (task >= count_) return;
    fn_(context_, task, thread);
  }
}

// The caller publishes a loop (fn_, context_, count_, next_ = 0, then open_ = true), wakes the workers, takes tasks
// itself, then closes the loop (open_ = false) and waits only for the workers that joined it (active_). A worker
// joins by incrementing active_ and then checking open_ (both sequentially consistent), so a worker that the OS
// has not scheduled yet cannot hold the loop up: once the caller has closed the loop, a late worker sees it closed
// and leaves without touching a task. (On a busy machine, waiting for every worker to wake cost milliseconds.)
void ThreadPool::run_loop(int64_t count, TaskFn fn, void* context) {
  if (count <= 0) return;
  std::lock_guard<std::mutex> caller(caller_mutex_);
  if (workers_.empty() || count == 1) {
    for (int64_t task = 0; task < count; ++task) fn(context, task, 0);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    fn_ = fn;
    context_ = context;
    count_ = count;
    next_.store(0, std::memory_order_relaxed);
    open_.store(true);
    generation_.fetch_add(1);
  }
  start_cv_.notify_all();
  drain(0);
  open_.store(false);
  const auto done = [this] { return active_.load() == 0; };
  if (spin_until(done)) return;
  std::unique_lock<std::mutex> lock(mutex_);
  done_cv_.wait(lock, done);
}

void ThreadPool::worker_main(int thread) {
  uint64_t seen = 0;
  for (;;) {
    const auto woken = [&] { return stop_.load() || generation_.load() != seen; };
    if (!spin_until(woken)) {
      std::unique_lock<std::mutex> lock(mutex_);
      start_cv_.wait(lock, woken);
    }
    if (stop_.load()) return;
    seen = generation_.load();
    active_.fetch_add(1);
    if (open_.load()) drain(thread);
    if (active_.fetch_sub(1) == 1) {
      // Under the mutex, so that a caller between its check and its wait cannot miss the notification.
      std::lock_guard<std::mutex> lock(mutex_);
      done_cv_.notify_one();
    }
  }
}

}  // namespace layer_energy::bench::cpu
