// Split-conformal prediction intervals on held-out log-ratios r = log(measured / predicted): the interval at level
// L is predicted·exp(±q) with q the ⌈(n+1)·L⌉-th smallest |r| of a class's held-out residuals. Stored as quantiles
// so any level can be asked later (energy_predict --level).
#pragma once

#include <cstddef>
#include <vector>

namespace layer_energy::analysis {

constexpr std::size_t kResidualQuantiles = 201;  // |r| at probabilities 0, 0.005, ..., 1

struct ResidualQuantiles {
  std::size_t n = 0;           // held-out residuals behind them (0: none)
  std::vector<double> q;       // kResidualQuantiles values, ascending
  bool empty() const { return n == 0; }
};

ResidualQuantiles residual_quantiles(std::vector<double> abs_log_residuals);
// q at `level` (0 < level < 1); with too few residuals for the level, the largest one.
double conformal_q(const ResidualQuantiles& r, double level);

}  // namespace layer_energy::analysis
