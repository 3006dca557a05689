#include "analysis/power_cap.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace layer_energy::analysis {
namespace {

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
}

}  // namespace

bool clock_fell(const Case& c, double nominal_MHz) {
  if (!(nominal_MHz > 0) || c.clock_MHz.empty()) return false;
  return mean_of(c.clock_MHz) < nominal_MHz * (1 - kClockDropFraction);
}

PowerCap learn_power_cap(const std::vector<Case>& cases, double nominal_MHz) {
  std::vector<double> all, fell;
  for (const Case& c : cases) {
    if (c.kind != CaseKind::conv && c.kind != CaseKind::fc) continue;
    if (c.energy_J.empty() || c.time_s.empty()) continue;
    const double t = mean_of(c.time_s);
    if (!(t > 0)) continue;
    const double watts = mean_of(c.energy_J) / t;
    all.push_back(watts);
    if (clock_fell(c, nominal_MHz)) fell.push_back(watts);
  }
  PowerCap cap;
  cap.cases = static_cast<int>(fell.size());
  if (fell.empty()) return cap;
  if (cap.cases < kMinCappedCases) {
    cap.note = fmt::format("{} case(s) ran below the nominal clock: too few to learn a power limit from (no cap applied)",
                           cap.cases);
    return cap;
  }
  const double median = quantile(fell, 0.5), top = quantile(all, 0.8);
  if (median < top) {
    cap.note = fmt::format("{} cases ran below the nominal clock at a median {:.3g} W, under the run's 80th percentile "
                           "power ({:.3g} W): heat or a governor, not a power limit (no cap applied)",
                           cap.cases, median, top);
    return cap;
  }
  cap.watts = median;
  return cap;
}

double power_headroom_W(const Hardware& hw, const std::string& target) {
  if (!(hw.power_cap_W > 0)) return 0;
  if (target != "dynamic") return hw.power_cap_W;
  return hw.idle_W > 0 && hw.idle_W < hw.power_cap_W ? hw.power_cap_W - hw.idle_W : 0;
}

double time_under_cap(double time_s, double energy_J, double headroom_W) {
  if (!(headroom_W > 0) || !(energy_J > 0) || !std::isfinite(time_s)) return time_s;
  return std::max(time_s, energy_J / headroom_W);
}

}  // namespace layer_energy::analysis
