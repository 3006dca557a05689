// Which case names a --benchmark_filter selects, as Google Benchmark decides it (POSIX extended regex searched in
// the name; a leading '-' negates; empty or "all" selects every case). layer_bench applies the filter itself when
// it registers cases, so the filter sees the contract's case names, and counts progress from the same decision.
#pragma once

#include <memory>
#include <string>

namespace layer_energy::bench {

class NameFilter {
 public:
  // An invalid regex selects nothing (benchmark_flags.cpp refuses it with the reason before any case is added).
  explicit NameFilter(const std::string& filter = "");
  ~NameFilter();
  NameFilter(NameFilter&&) noexcept;
  NameFilter& operator=(NameFilter&&) noexcept;

  bool selects(const std::string& name) const;

 private:
  struct Regex;
  std::unique_ptr<Regex> regex_;  // null: the filter did not compile
  bool negate_ = false;
};

// The value of a --benchmark_* flag in argv ("" when absent); `present` tells whether it appeared at all.
std::string flag_value(int argc, char** argv, const std::string& flag, bool* present = nullptr);

}  // namespace layer_energy::bench
