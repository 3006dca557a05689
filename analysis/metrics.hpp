// Error metrics of predictions against measurements: APE statistics (in %), energy-weighted MAPE (Σ|err|/ΣE, the
// error of a sum of layers), R², and the coverage of prediction intervals where they were checked.
#pragma once

#include <cstddef>
#include <vector>

namespace layer_energy::analysis {

struct Metrics {
  double mape = 0, median_ape = 0, max_ape = 0;  // percent
  double wmape = 0;                              // percent: Σ|predicted − measured| / Σ measured
  double coverage = -1;                          // fraction inside the intervals (−1: not checked)
  double r2 = 0;
  std::size_t n = 0;
};

Metrics metrics_of(const std::vector<double>& measured, const std::vector<double>& predicted);

}  // namespace layer_energy::analysis
