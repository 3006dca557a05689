#include "benchmarks/benchmark_flags.hpp"

#include <regex.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>

#include "benchmarks/filter_match.hpp"

namespace layer_energy::bench {
namespace {

// A decimal number with nothing after it (strtod alone accepts "nan", "inf" and trailing text).
bool finite_number(const std::string& text, double* value) {
  if (text.empty()) return false;
  char* end = nullptr;
  *value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && std::isfinite(*value);
}

// --benchmark_min_time: seconds ("0.5"; Google Benchmark 1.8 also "0.5s" and an iteration count "100x").
std::string check_min_time(const std::string& text) {
#if LAYER_ENERGY_BENCHMARK_1_8
  const std::string why = "--benchmark_min_time=" + text + ": expected a positive number of seconds (0.5 or 0.5s) or of "
                          "iterations (100x)";
  const char unit = text.empty() ? '\0' : text.back();
#else
  const std::string why = "--benchmark_min_time=" + text + ": expected a positive number of seconds (0.5; this "
                          "Google Benchmark, before 1.8, takes no unit)";
  const char unit = '\0';
#endif
  if (text.empty()) return why;
  double v = 0;
  const std::string number = unit == 's' || unit == 'x' ? text.substr(0, text.size() - 1) : text;
  if (!finite_number(number, &v) || v <= 0) return why;
  if (unit == 'x' && v != std::floor(v)) return why;
  return "";
}

std::string check_out(const std::string& path) {
  if (path.empty()) return "--benchmark_out=: expected a file name";
  if (::access(path.c_str(), F_OK) == 0) {
    return ::access(path.c_str(), W_OK) == 0 ? "" : "--benchmark_out=" + path + ": the file is not writable";
  }
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  return ::access(dir.c_str(), W_OK) == 0 ? ""
                                           : "--benchmark_out=" + path + ": cannot create it (no writable folder " +
                                                 dir + ")";
}

}  // namespace

std::string check_benchmark_flags(int argc, char** argv) {
  bool present = false;
  std::string value = flag_value(argc, argv, "benchmark_min_time", &present);
  if (present) {
    const std::string why = check_min_time(value);
    if (!why.empty()) return why;
  }
  value = flag_value(argc, argv, "benchmark_repetitions", &present);
  if (present) {
    double v = 0;
    if (!finite_number(value, &v) || v < 1 || v != std::floor(v) || v > 1e6) {
      return "--benchmark_repetitions=" + value + ": expected a whole number from 1";
    }
  }
  for (const char* flag : {"benchmark_format", "benchmark_out_format"}) {
    value = flag_value(argc, argv, flag, &present);
    if (present && value != "console" && value != "json" && value != "csv") {
      return std::string("--") + flag + "=" + value + ": expected console, json or csv";
    }
  }
  value = flag_value(argc, argv, "benchmark_filter", &present);
  if (present && !value.empty()) {
    // The library matches its filter as a POSIX extended regex (a leading '-' negates).
    const std::string pattern = value[0] == '-' ? value.substr(1) : value;
    regex_t re;
    if (::regcomp(&re, pattern.c_str(), REG_EXTENDED | REG_NOSUB) != 0) {
      return "--benchmark_filter=" + value + ": not a valid (POSIX extended) regular expression";
    }
    ::regfree(&re);
  }
  value = flag_value(argc, argv, "benchmark_out", &present);
  if (present) return check_out(value);
  return "";
}

}  // namespace layer_energy::bench
