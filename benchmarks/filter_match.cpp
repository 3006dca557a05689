#include "benchmarks/filter_match.hpp"

#include <regex.h>

namespace layer_energy::bench {

int count_matching(const std::vector<std::string>& names, const std::string& filter) {
  std::string pattern = filter.empty() || filter == "all" ? "." : filter;
  bool negate = false;
  if (!pattern.empty() && pattern[0] == '-') {
    negate = true;
    pattern = pattern.substr(1);
  }
  // POSIX extended regex, as Google Benchmark matches its filter.
  regex_t re;
  if (::regcomp(&re, pattern.c_str(), REG_EXTENDED | REG_NOSUB) != 0) return 0;  // the library reports it
  int count = 0;
  for (const auto& name : names) count += (::regexec(&re, name.c_str(), 0, nullptr, 0) == 0) != negate ? 1 : 0;
  ::regfree(&re);
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
