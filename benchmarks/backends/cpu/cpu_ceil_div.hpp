// Integer ceiling division, for the CPU backend's tiling (internal; see benchmarks/backends/cpu/cpu_backend.hpp).
#pragma once

#include <cstdint>

namespace layer_energy::bench::cpu {

// Ceiling of a / b for a >= 0, b > 0.
inline int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

}  // namespace layer_energy::bench::cpu
