#include "benchmarks/backends/cpu/cpu_memory_guard.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "benchmarks/backends/backend.hpp"

namespace layer_energy::bench::cpu {
namespace {

// The first line of a file ("" when it cannot be read).
std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (in) std::getline(in, line);
  return line;
}

// A limit file's value in bytes: 0 for "max", an absent file or v1's "no limit" (a number near 2^63).
double limit_value(const std::string& path) {
  const std::string text = first_line(path);
  if (text.empty() || text == "max") return 0;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || value <= 0 || value >= 4.0e18) return 0;
  return value;
}

// The smallest limit set on `dir` or any ancestor up to the hierarchy's root `base`.
double smallest_limit(const std::string& base, std::string dir, const char* file) {
  double smallest = 0;
  while (true) {
    const double limit = limit_value(base + dir + (dir == "/" ? "" : "/") + file);
    if (limit > 0 && (smallest == 0 || limit < smallest)) smallest = limit;
    if (dir.empty() || dir == "/") break;
    const auto slash = dir.rfind('/');
    dir = slash == 0 || slash == std::string::npos ? "/" : dir.substr(0, slash);
  }
  return smallest;
}

}  // namespace

double physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return 0.0;
  return static_cast<double>(pages) * static_cast<double>(page_size);
}

double cgroup_memory_limit_bytes(const std::string& root) {
  // /proc/self/cgroup: "0::/path" (v2) or "N:memory:/path" (v1), one line per hierarchy.
  std::ifstream in(root + "/proc/self/cgroup");
  std::string line;
  double smallest = 0;
  while (std::getline(in, line)) {
    const auto first = line.find(':');
    const auto second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    const std::string path = line.substr(second + 1);
    double limit = 0;
    if (controllers.empty()) {
      limit = smallest_limit(root + "/sys/fs/cgroup", path, "memory.max");
    } else if (("," + controllers + ",").find(",memory,") != std::string::npos) {
      limit = smallest_limit(root + "/sys/fs/cgroup/memory", path, "memory.limit_in_bytes");
    }
    if (limit > 0 && (smallest == 0 || limit < smallest)) smallest = limit;
  }
  return smallest;
}

void check_memory(double bytes, const std::string& root) {
  const double physical = physical_memory_bytes();
  const double cgroup = cgroup_memory_limit_bytes(root);
  const bool by_cgroup = cgroup > 0 && (physical <= 0 || cgroup < physical);
  const double available = by_cgroup ? cgroup : physical;
  if (available <= 0.0 || bytes <= available / 2) return;
  constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
  char text[192];
  std::snprintf(text, sizeof text, "cpu backend: needs %.3g GiB, more than half of %s (%.3g GiB)", bytes / kGiB,
                by_cgroup ? "this process's cgroup memory limit" : "this machine's memory", available / kGiB);
  throw UnsupportedLayer(text);
}

}  // namespace layer_energy::bench::cpu
