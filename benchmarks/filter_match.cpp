#include "benchmarks/filter_match.hpp"

#include <regex.h>

#include <utility>

namespace layer_energy::bench {

struct NameFilter::Regex {
  regex_t re;
  bool compiled = false;
  ~Regex() {
    if (compiled) ::regfree(&re);
  }
};

NameFilter::NameFilter(const std::string& filter) {
  std::string pattern = filter.empty() || filter == "all" ? "." : filter;
  if (!pattern.empty() && pattern[0] == '-') {
    negate_ = true;
    pattern = pattern.substr(1);
  }
  auto regex = std::make_unique<Regex>();
  // POSIX extended regex, as Google Benchmark matches its filter.
  regex->compiled = ::regcomp(&regex->re, pattern.c_str(), REG_EXTENDED | REG_NOSUB) == 0;
  if (regex->compiled) regex_ = std::move(regex);
}

NameFilter::~NameFilter() = default;
NameFilter::NameFilter(NameFilter&&) noexcept = default;
NameFilter& NameFilter::operator=(NameFilter&&) noexcept = default;

bool NameFilter::selects(const std::string& name) const {
  return regex_ && (::regexec(&regex_->re, name.c_str(), 0, nullptr, 0) == 0) != negate_;
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
