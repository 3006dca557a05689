#include "analysis/metrics.hpp"

#include <algorithm>
#include <cmath>

namespace layer_energy::analysis {

Metrics metrics_of(const std::vector<double>& measured, const std::vector<double>& predicted) {
  Metrics m;
  m.n = std::min(measured.size(), predicted.size());
  if (m.n == 0) return m;
  std::vector<double> ape(m.n);
  double mean = 0;
  for (std::size_t i = 0; i < m.n; ++i) {
    ape[i] = 100.0 * std::fabs(predicted[i] - measured[i]) / measured[i];
    mean += measured[i];
  }
  mean /= static_cast<double>(m.n);
  double ss_res = 0, ss_tot = 0, sum = 0, abs_err = 0, total = 0;
  for (std::size_t i = 0; i < m.n; ++i) {
    abs_err += std::fabs(predicted[i] - measured[i]);
    total += measured[i];
    ss_res += (predicted[i] - measured[i]) * (predicted[i] - measured[i]);
    ss_tot += (measured[i] - mean) * (measured[i] - mean);
    sum += ape[i];
  }
  m.mape = sum / static_cast<double>(m.n);
  m.wmape = total > 0 ? 100.0 * abs_err / total : 0;
  m.max_ape = *std::max_element(ape.begin(), ape.end());
  const std::size_t mid = m.n / 2;
  std::nth_element(ape.begin(), ape.begin() + static_cast<std::ptrdiff_t>(mid), ape.end());
  m.median_ape = ape[mid];
  if (m.n % 2 == 0) {
    const double lower = *std::max_element(ape.begin(), ape.begin() + static_cast<std::ptrdiff_t>(mid));
    m.median_ape = 0.5 * (m.median_ape + lower);
  }
  m.r2 = ss_tot > 0 ? 1 - ss_res / ss_tot : 0;
  return m;
}

}  // namespace layer_energy::analysis
