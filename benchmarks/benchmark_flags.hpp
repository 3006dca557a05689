// The Google Benchmark flags a sweep depends on, checked before anything runs: the library accepts some bad values
// and fails late or not at all (--benchmark_min_time=nan never stops, --benchmark_repetitions=-1 aborts in
// vector::reserve, an unknown --benchmark_format prints usage and exits 0, an unwritable --benchmark_out is found
// only after the idle measurement).
#pragma once

#include <string>

namespace layer_energy::bench {

// One line naming the flag and what it needs, or empty when every checked flag is fine (or absent).
std::string check_benchmark_flags(int argc, char** argv);

}  // namespace layer_energy::bench
