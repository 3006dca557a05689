// The CPU backend's fork-join thread pool: a fixed set of std::threads that run one parallel loop at a time
// (internal; see benchmarks/backends/cpu/cpu_backend.hpp).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace layer_energy::bench::cpu {

// A fixed set of worker threads that run one parallel loop at a time. The calling thread takes part as thread 0,
// so `threads` = 1 creates no worker and runs everything inline. After a loop, workers spin for a short while
// (kSpin) before they block, so back-to-back loops (the iterations of one run) do not pay a futex wake-up each,
// while an idle pool sleeps and draws no power between runs. Running a loop allocates nothing.
class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // Calls fn(task, thread) for every task in [0, count), thread in [0, size()), spread dynamically over the threads;
  // returns when all tasks are done. Calls from several threads at once are serialised. `fn` must not throw.
  template <typename Fn>
  void parallel_for(int64_t count, Fn&& fn) {
    run_loop(count, &invoke<std::remove_reference_t<Fn>>, &fn);
  }

 private:
  using TaskFn = void (*)(void* context, int64_t task, int thread);
  template <typename Fn>
  static void invoke(void* context, int64_t task, int thread) {
    (*static_cast<Fn*>(context))(task, thread);
  }
  void run_loop(int64_t count, TaskFn fn, void* context);
  void drain(int thread);
  void worker_main(int thread);

  std::vector<std::thread> workers_;
  std::mutex caller_mutex_;  // one loop at a time
  std::mutex mutex_;
  std::condition_variable start_cv_;
  std::condition_variable done_cv_;
  // Loop protocol: see run_loop() in cpu_thread_pool.cpp. fn_, context_ and count_ are written before open_ is set
  // and read by a worker only after it saw open_ set.
  std::atomic<uint64_t> generation_{0};  // bumped for every loop: wakes the workers
  std::atomic<bool> stop_{false};
  std::atomic<bool> open_{false};  // the current loop still takes workers
  std::atomic<int> active_{0};     // workers that joined the current loop and have not left it
  TaskFn fn_ = nullptr;
  void* context_ = nullptr;
  int64_t count_ = 0;
  std::atomic<int64_t> next_{0};
};

}  // namespace layer_energy::bench::cpu
