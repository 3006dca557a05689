// What differs between Google Benchmark 1.7 (error_occurred) and 1.8+ (skipped) when reading a Run.
#pragma once

#include <benchmark/benchmark.h>

#include <string>

namespace layer_energy::reporters {

inline bool run_skipped(const benchmark::BenchmarkReporter::Run& run) {
#if LAYER_ENERGY_BENCHMARK_HAS_SKIP
  return run.skipped != benchmark::internal::NotSkipped;
#else
  return run.error_occurred;
#endif
}

inline std::string run_skip_message(const benchmark::BenchmarkReporter::Run& run) {
#if LAYER_ENERGY_BENCHMARK_HAS_SKIP
  return run.skip_message;
#else
  return run.error_message;
#endif
}

}  // namespace layer_energy::reporters
