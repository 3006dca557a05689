#include "analysis/conformal.hpp"

#include <algorithm>
#include <cmath>

namespace layer_energy::analysis {

ResidualQuantiles residual_quantiles(std::vector<double> r) {
  ResidualQuantiles out;
  r.erase(std::remove_if(r.begin(), r.end(), [](double v) { return !std::isfinite(v); }), r.end());
  if (r.empty()) return out;
  std::sort(r.begin(), r.end());
  out.n = r.size();
  out.q.resize(kResidualQuantiles);
  for (std::size_t j = 0; j < kResidualQuantiles; ++j) {
    const double pos = static_cast<double>(j) / (kResidualQuantiles - 1) * static_cast<double>(r.size() - 1);
    const std::size_t lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(r.size() - 1, lo + 1);
    out.q[j] = r[lo] + (pos - static_cast<double>(lo)) * (r[hi] - r[lo]);
  }
  return out;
}

double conformal_q(const ResidualQuantiles& r, double level) {
  if (r.empty()) return 0;
  const double n = static_cast<double>(r.n);
  // Rank ⌈(n+1)·level⌉ of n, as a position in [0, 1] of the sorted residuals.
  const double rank = std::min(n, std::ceil((n + 1) * level));
  const double p = n > 1 ? (rank - 1) / (n - 1) : 1.0;
  const double pos = p * (kResidualQuantiles - 1);
  const std::size_t lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(kResidualQuantiles - 1, lo + 1);
  return r.q[lo] + (pos - static_cast<double>(lo)) * (r.q[hi] - r.q[lo]);
}

}  // namespace layer_energy::analysis
