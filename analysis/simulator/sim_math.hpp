// Small numeric shapes the simulator's physics is built from.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace layer_energy::sim {

inline int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

inline int64_t round_up(int64_t a, int64_t b) {
  return ceil_div(a, b) * b;
}

// A smooth maximum (p-norm): two overlapped activities never take exactly the longer of the two, and the
// transition between the regimes is gradual.
inline double soft_max(double a, double b, double p = 4) {
  const double m = std::max(a, b);
  if (m <= 0) return 0;
  return m * std::pow(std::pow(a / m, p) + std::pow(b / m, p), 1 / p);
}

inline double soft_max3(double a, double b, double c, double p = 3) {
  return soft_max(soft_max(a, b, p), c, p);
}

// The fraction of a working set that misses a cache of `capacity` bytes when the same call repeats: ~0 well
// inside, ~1 well beyond, a smooth knee around the capacity (associativity, other data, replacement).
inline double miss_fraction(double working_set, double capacity) {
  if (capacity <= 0) return 1;
  const double x = std::pow(working_set / capacity, 6);
  return x / (1 + x);
}

}  // namespace layer_energy::sim
