#include "benchmarks/filter_match.hpp"

#include <regex>

namespace layer_energy::bench {

int count_matching(const std::vector<std::string>& names, const std::string& filter) {
  std::string pattern = filter.empty() || filter == "all" ? "." : filter;
  bool negate = false;
  if (!pattern.empty() && pattern[0] == '-') {
    negate = true;
    pattern = pattern.substr(1);
  }
  std::regex re;
  try {
    re = std::regex(pattern, std::regex::extended);
  } catch (const std::regex_error&) {
    return 0;  // Google Benchmark reports the bad filter itself
  }
  int count = 0;
  for (const auto& name : names) count += std::regex_search(name, re) != negate ? 1 : 0;
  return count;
}

std::string flag_value(int argc, char** argv, const std::string& flag, bool* present) {
  std::string value;
  if (present) *present = false;
  const std::string prefix = "--" + flag;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == prefix) {
      if (present) *present = true;
      value = "true";
    } else if (arg.compare(0, prefix.size() + 1, prefix + "=") == 0) {
      if (present) *present = true;
      value = arg.substr(prefix.size() + 1);
    }
  }
  return value;
}

}  // namespace layer_energy::bench
