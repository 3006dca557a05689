#include "analysis/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace layer_energy::analysis {

std::size_t analysis_threads() {
  if (const char* env = std::getenv("LAYER_ENERGY_THREADS")) {
    const long n = std::strtol(env, nullptr, 10);
    if (n > 0) return static_cast<std::size_t>(n);
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

namespace {

// Set on the threads of a running parallel_for: a nested one runs inline instead of multiplying the threads.
thread_local bool inside_parallel = false;

}  // namespace

void parallel_for(std::size_t jobs, const std::function<void(std::size_t job, std::size_t worker)>& job) {
  const std::size_t threads = inside_parallel ? 1 : std::min(jobs, analysis_threads());
  if (threads <= 1) {
    for (std::size_t i = 0; i < jobs; ++i) job(i, 0);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first;
  std::mutex first_mutex;
  const auto work = [&](std::size_t worker) {
    inside_parallel = true;
    for (std::size_t i = next++; i < jobs && !failed; i = next++) {
      try {
        job(i, worker);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(first_mutex);
        if (!first) first = std::current_exception();
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t w = 1; w < threads; ++w) pool.emplace_back(work, w);
  work(0);
  inside_parallel = false;  // the calling thread is free again
  for (std::thread& t : pool) t.join();
  if (first) std::rethrow_exception(first);
}

}  // namespace layer_energy::analysis
