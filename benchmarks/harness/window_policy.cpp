#include "benchmarks/harness/window_policy.hpp"

#include <algorithm>

namespace layer_energy::bench {

WindowPolicy::WindowPolicy(bool energy, double update_period_s, double energy_rel_err)
    : energy_(energy), update_period_s_(update_period_s), energy_rel_err_(energy_rel_err) {}

double WindowPolicy::min_window_s() const {
  if (!energy_) return kTimeOnlyWindowS;
  if (energy_rel_err_ <= 0 || update_period_s_ <= 0) return 0;
  return std::min(30.0, std::max(0.5, update_period_s_ / energy_rel_err_));
}

bool WindowPolicy::met(double relative_error) const {
  return !energy_ || energy_rel_err_ <= 0 || relative_error <= energy_rel_err_;
}

}  // namespace layer_energy::bench
