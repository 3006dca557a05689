// Internals of the CPU backend: a fork-join thread pool, 64-byte aligned float buffers, seeded random fill, the
// memory guard, a single-threaded GEMM on strided row-major blocks and the base of its prepared layers. Not part of
// the backend's interface (include benchmarks/cpu_backend.hpp for that).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "benchmarks/backend.hpp"

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
  // Loop protocol: see run_loop() in cpu_common.cpp. fn_, context_ and count_ are written before open_ is set and
  // read by a worker only after it saw open_ set.
  std::atomic<uint64_t> generation_{0};  // bumped for every loop: wakes the workers
  std::atomic<bool> stop_{false};
  std::atomic<bool> open_{false};  // the current loop still takes workers
  std::atomic<int> active_{0};     // workers that joined the current loop and have not left it
  TaskFn fn_ = nullptr;
  void* context_ = nullptr;
  int64_t count_ = 0;
  std::atomic<int64_t> next_{0};
};

// Floats on 64-byte boundaries (full cache lines, any SIMD width). Throws std::bad_alloc when out of memory.
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(std::size_t count);
  ~AlignedBuffer();
  AlignedBuffer(AlignedBuffer&& other) noexcept;
  AlignedBuffer& operator=(AlignedBuffer&& other) noexcept;
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;

  float* data() { return data_; }
  const float* data() const { return data_; }
  std::size_t size() const { return size_; }
  std::vector<float> copy() const { return std::vector<float>(data_, data_ + size_); }

 private:
  float* data_ = nullptr;
  std::size_t size_ = 0;
};

// Fills `buffer` with values uniform in (-1, 1), never exactly zero. Blocks of 65,536 values each use their own
// std::mt19937 seeded from (seed, stream, block), so the values depend only on (seed, stream), not on the thread
// count. Use a different `stream` for each tensor of a layer.
void fill_uniform(AlignedBuffer* buffer, uint64_t seed, uint32_t stream, ThreadPool* pool);

// Physical memory in bytes (sysconf), 0 when unknown.
double physical_memory_bytes();
// Throws UnsupportedLayer("cpu backend: needs X GiB, more than half of this machine's memory (Y GiB)") when `bytes`
// exceed half of physical memory, so that a sweep never swaps.
void check_memory(double bytes);

// C (m x n) = A (m x k) * B (k x n), all row-major with leading dimensions lda, ldb, ldc (elements between rows),
// on the calling thread only (Eigen's GEMM with its own threading disabled: the pool splits the work).
void gemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
          int64_t ldc);

// Ceiling of a / b for a >= 0, b > 0.
inline int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

// What the CPU conv and FC share (Eigen and oneDNN alike): the pool, the three tensors in their plain layouts, the
// timed loop over run_once() and the copies of the tensors. A derived layer allocates the tensors, then calls
// fill(seed), and defines one iteration in run_once() and its label in describe().
class CpuLayer : public PreparedLayer {
 public:
  double run(int64_t iterations) final;
  std::vector<float> output() final;
  std::vector<float> input() final { return input_.copy(); }
  std::vector<float> weights() final { return weights_.copy(); }
  std::string description() const final { return note_.empty() ? describe() : describe() + " (" + note_ + ")"; }
  // Appended to the label in parentheses: why this implementation runs the case.
  void set_note(std::string note) { note_ = std::move(note); }

 protected:
  explicit CpuLayer(std::shared_ptr<ThreadPool> pool) : pool_(std::move(pool)) {}
  // Fills input (stream 0) and weights (stream 1) from `seed` and zeroes the output.
  void fill(uint64_t seed);
  // One iteration of the layer over the whole batch.
  virtual void run_once() = 0;
  // Called by run() before its clock starts (per-run settings such as a runtime's thread count).
  virtual void before_run() {}
  // Brings output_ up to date from where run_once() wrote it (a layout of its own), outside the timed loop.
  virtual void sync_output() {}
  virtual std::string describe() const = 0;

  std::shared_ptr<ThreadPool> pool_;
  AlignedBuffer input_, weights_, output_;

 private:
  bool ran_ = false;
  std::string note_;
};

}  // namespace layer_energy::bench::cpu
