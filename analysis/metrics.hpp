// Error metrics of predictions against measurements: APE statistics (in %) and R².
#pragma once

#include <cstddef>
#include <vector>

namespace layer_energy::analysis {

struct Metrics {
  double mape = 0, median_ape = 0, max_ape = 0;  // percent
  double r2 = 0;
  std::size_t n = 0;
};

Metrics metrics_of(const std::vector<double>& measured, const std::vector<double>& predicted);

}  // namespace layer_energy::analysis
