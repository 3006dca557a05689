// Eigen's GEMM must stay on the calling thread: the pool already runs one GEMM per thread.
#define EIGEN_DONT_PARALLELIZE
// Eigen's GEMM packs its operands into buffers it allocates on every call: on the stack up to this many bytes, else
// with malloc, which for these sizes means mmap, page faults and zeroing on every tile (measured: ~15% of a 3x3
// conv). 512 KiB covers the blocks of typical tiles; two such blocks still fit the smallest stack a glibc thread
// gets (2 MiB, when the stack rlimit is unlimited; 8 MiB usually). Larger blocks fall back to malloc.
#define EIGEN_STACK_ALLOCATION_LIMIT (512 * 1024)
#include "benchmarks/cpu_common.hpp"

#include <unistd.h>

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <new>
#include <random>

#include "benchmarks/backend.hpp"

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

namespace {
constexpr std::size_t kAlignment = 64;
}

AlignedBuffer::AlignedBuffer(std::size_t count) : size_(count) {
  if (count == 0) return;
  if (count > static_cast<std::size_t>(-1) / sizeof(float) - kAlignment) throw std::bad_alloc();
  data_ = static_cast<float*>(::operator new(count * sizeof(float), std::align_val_t(kAlignment)));
}

AlignedBuffer::~AlignedBuffer() {
  if (data_ != nullptr) ::operator delete(data_, std::align_val_t(kAlignment));
}

AlignedBuffer::AlignedBuffer(AlignedBuffer&& other) noexcept : data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

AlignedBuffer& AlignedBuffer::operator=(AlignedBuffer&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) ::operator delete(data_, std::align_val_t(kAlignment));
    data_ = other.data_;
    size_ = other.size_;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

void fill_uniform(AlignedBuffer* buffer, uint64_t seed, uint32_t stream, ThreadPool* pool) {
  constexpr std::size_t kBlock = 65536;
  const std::size_t size = buffer->size();
  float* data = buffer->data();
  const auto blocks = static_cast<int64_t>((size + kBlock - 1) / kBlock);
  pool->parallel_for(blocks, [&](int64_t block, int) {
    std::seed_seq seq{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32), stream,
                      static_cast<uint32_t>(block), static_cast<uint32_t>(static_cast<uint64_t>(block) >> 32)};
    std::mt19937 engine(seq);
    const std::size_t begin = static_cast<std::size_t>(block) * kBlock;
    const std::size_t end = std::min(size, begin + kBlock);
    for (std::size_t i = begin; i < end; ++i) {
      // The top 24 bits k give (k + 0.5) / 2^23 - 1: uniform in (-1, 1), symmetric, never zero, and the same on
      // every standard library (std::uniform_real_distribution's algorithm is not fixed by the standard).
      const uint32_t k = static_cast<uint32_t>(engine()) >> 8;
      // Computed in double, the result is an odd multiple of 2^-24 below 1 in magnitude: exact as a float.
      data[i] = static_cast<float>((static_cast<double>(k) + 0.5) / 8388608.0 - 1.0);
    }
  });
}

double physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return 0.0;
  return static_cast<double>(pages) * static_cast<double>(page_size);
}

void check_memory(double bytes) {
  const double physical = physical_memory_bytes();
  if (physical <= 0.0 || bytes <= physical / 2) return;
  constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
  char text[160];
  std::snprintf(text, sizeof text, "cpu backend: needs %.3g GiB, more than half of this machine's memory (%.3g GiB)",
                bytes / kGiB, physical / kGiB);
  throw UnsupportedLayer(text);
}

void gemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
          int64_t ldc) {
  using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using ConstMap = Eigen::Map<const Matrix, Eigen::Unaligned, Eigen::OuterStride<>>;
  using Map = Eigen::Map<Matrix, Eigen::Unaligned, Eigen::OuterStride<>>;
  const ConstMap lhs(a, m, k, Eigen::OuterStride<>(lda));
  const ConstMap rhs(b, k, n, Eigen::OuterStride<>(ldb));
  Map result(c, m, n, Eigen::OuterStride<>(ldc));
  result.noalias() = lhs * rhs;
}

double CpuLayer::run(int64_t iterations) {
  before_run();
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < iterations; ++i) run_once();
  const auto stop = std::chrono::steady_clock::now();
  if (iterations > 0) ran_ = true;
  return std::chrono::duration<double>(stop - start).count();
}

std::vector<float> CpuLayer::output() {
  if (!ran_) run(1);
  sync_output();
  return output_.copy();
}

void CpuLayer::fill(uint64_t seed) {
  fill_uniform(&input_, seed, 0, pool_.get());
  fill_uniform(&weights_, seed, 1, pool_.get());
  std::memset(output_.data(), 0, output_.size() * sizeof(float));
}

}  // namespace layer_energy::bench::cpu
