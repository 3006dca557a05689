#include "analysis/diagnostics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "analysis/energy_model.hpp"

namespace layer_energy::analysis {

void algorithm_warnings(const std::vector<Case>& cases, std::vector<std::string>* warnings) {
  std::size_t count = 0;
  std::string first;
  for (const Case& c : cases) {
    if (c.algorithms.size() < 2) continue;
    if (++count == 1) first = c.name + " ('" + c.algorithms[0] + "' and '" + c.algorithms[1] + "')";
  }
  if (count)
    warnings->push_back(fmt::format("{} configuration(s) were measured with different kernels/algorithms across "
                                    "repetitions or files, e.g. {}: their figures mix two implementations",
                                    count, first));
}

void throttle_warnings(const std::vector<Case>& cases, std::vector<std::string>* warnings) {
  std::size_t count = 0;
  std::string first;
  for (const Case& c : cases)
    if (c.throttled && ++count == 1) first = c.name;
  if (count)
    warnings->push_back(fmt::format("{} case(s) were throttled (the clock moved during the window), e.g. {}: their "
                                    "time and energy are not the board's steady state",
                                    count, first));
}

void contention_warnings(const std::vector<Case>& cases, std::vector<std::string>* warnings) {
  std::size_t reps = 0, lost = 0;
  std::string first;
  for (const Case& c : cases) {
    if (c.contended == 0) continue;
    if (reps == 0) first = c.name;
    reps += static_cast<std::size_t>(c.contended);
    if (c.time_s.empty() && c.energy_J.empty()) ++lost;
  }
  if (reps)
    warnings->push_back(fmt::format("{} repetition(s) were timed while their threads waited for a CPU (contended: "
                                    "other processes ran), e.g. {}: left out ({} case(s) had no other repetition); "
                                    "rerun them on a quiet machine",
                                    reps, first, lost));
}

void power_regime_warnings(const std::vector<Sample>& samples, const std::vector<const Case*>& cases,
                           std::vector<std::string>* warnings) {
  std::vector<int> rows;
  for (std::size_t i = 0; i < samples.size(); ++i)
    if (samples[i].energy > 0 && samples[i].time > 0) rows.push_back(static_cast<int>(i));
  if (rows.size() < 20) return;
  TimeModel no_time;  // every row has a measured time
  const PhysicalEnergy fit = fit_physical_energy(samples, rows, no_time, 0);
  std::vector<std::pair<double, int>> r;
  for (const int i : rows) {
    const Sample& s = samples[static_cast<std::size_t>(i)];
    const double e = fit.raw(s.k, TimeEstimate{s.time, s.k.heuristic});
    if (e > 0) r.push_back({std::log(s.energy / e), i});
  }
  if (r.size() < 20) return;
  std::sort(r.begin(), r.end());
  const std::size_t min_side = std::max<std::size_t>(5, r.size() / 10);
  double best_gap = 0;
  std::size_t split = 0;
  for (std::size_t i = min_side; i + min_side <= r.size(); ++i) {
    const double gap = r[i].first - r[i - 1].first;
    if (gap > best_gap) best_gap = gap, split = i;
  }
  if (split == 0) return;
  // Spread within each side (median absolute deviation): a gap far wider than both is two regimes, not a tail.
  const auto mad = [&](std::size_t lo, std::size_t hi) {
    std::vector<double> v;
    for (std::size_t i = lo; i < hi; ++i) v.push_back(r[i].first);
    const double med = v[v.size() / 2];
    for (double& x : v) x = std::fabs(x - med);
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  const double spread = std::max(mad(0, split), mad(split, r.size()));
  if (best_gap < 0.1 || best_gap < 6 * spread) return;
  warnings->push_back(fmt::format(
      "the cases split into two power regimes: {} of {} draw about {:.0f}% more power than the physical fit "
      "expects relative to the others (e.g. {}): was the board state fixed (clocks, power mode, P-state)?",
      r.size() - split, r.size(), 100 * (std::exp(best_gap) - 1),
      cases[static_cast<std::size_t>(r[split].second)]->name));
}

}  // namespace layer_energy::analysis
