// layer_bench: Google Benchmark binary measuring time and energy per layer case.
#include <benchmark/benchmark.h>

#include <iostream>
#include <stdexcept>

#include "benchmarks/bench_options.hpp"
#include "power/list_power.hpp"

int main(int argc, char** argv) {
  using namespace layer_energy;
  bench::BenchOptions options;
  try {
    options = bench::extract_bench_options(&argc, argv);
  } catch (const std::invalid_argument& e) {
    std::cerr << "layer_bench: " << e.what() << "\n";
    return 2;
  }
  power::SourceOptions source_options;
  source_options.sysfs_root = options.power_sysfs_root;
  source_options.backend = options.backend == "cuda" ? "cuda" : "cpu";
  if (options.list_power) return power::list_power(options.power, source_options, std::cout, std::cerr);

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
