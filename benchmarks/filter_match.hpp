// Which registered names a --benchmark_filter selects, as Google Benchmark decides it (POSIX extended regex
// searched in the name; a leading '-' negates). Used for progress counts and to skip idle measurement when no case
// will run.
#pragma once

#include <string>
#include <vector>

namespace layer_energy::bench {

int count_matching(const std::vector<std::string>& names, const std::string& filter);

// The value of a --benchmark_* flag in argv ("" when absent); `present` tells whether it appeared at all.
std::string flag_value(int argc, char** argv, const std::string& flag, bool* present = nullptr);

}  // namespace layer_energy::bench
