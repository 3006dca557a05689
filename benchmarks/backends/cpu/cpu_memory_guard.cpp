#include "benchmarks/backends/cpu/cpu_memory_guard.hpp"

#include <unistd.h>

#include <cstdio>

#include "benchmarks/backends/backend.hpp"

namespace layer_energy::bench::cpu {

double physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return 0.0;
  return static_cast<double>(pages) * static_cast<double>(page_size);
}

void check_memory(double bytes) {
  const double physical = physical_memory_bytes();
  if (physical <= 0.0 || bytes <= physical / 2) return;
  constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
  char text[160];
  std::snprintf(text, sizeof text, "cpu backend: needs %.3g GiB, more than half of this machine's memory (%.3g GiB)",
                bytes / kGiB, physical / kGiB);
  throw UnsupportedLayer(text);
}

}  // namespace layer_energy::bench::cpu
