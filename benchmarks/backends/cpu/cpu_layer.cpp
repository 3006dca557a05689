#include "benchmarks/backends/cpu/cpu_layer.hpp"

#include <chrono>
#include <cstring>

namespace layer_energy::bench::cpu {

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
