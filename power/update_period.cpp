#include "power/update_period.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <thread>

namespace layer_energy::power {
namespace {

// Two changes closer than this are two reads of one refresh with jittery timestamps, not a refresh period.
constexpr double kNoiseS = 0.0002;
// Fewer changes than this cannot be told from noise or a one-off step: fall back to the source's own period.
constexpr int kMinChanges = 3;

// A value change happens somewhere between the last reading that still had the old value and the first with the new
// one: the change is placed at the middle of that window, and the window's width says how well it is timed.
struct Change {
  double t = 0.0;
  double width = 0.0;
};

struct RailTiming {
  bool seen = false;
  double value = 0.0;
  double last_t = 0.0;  // time of the previous reading
  std::vector<Change> changes;
};

double median(std::vector<double> values) {
  if (values.empty()) return 0.0;
  const auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), mid, values.end());
  return *mid;
}

std::string fallback_method(const PowerSource& source) {
  return source.traits().period_from_driver ? "update_interval" : "nominal";
}

}  // namespace

PeriodEstimate infer_update_period(PowerSource& source, int reads, double spacing_s, double max_s) {
  const auto& rails = source.rails();
  std::vector<RailTiming> timing(rails.size());
  std::vector<Reading> readings;
  std::vector<ReadFailure> failures;
  std::vector<double> gaps;  // time between successive readings of a rail
  const double start = now_s();
  for (int i = 0; i < reads; ++i) {
    readings.clear();
    failures.clear();
    source.poll(false, readings, failures);
    for (const Reading& r : readings) {
      if (r.rail >= rails.size() || rails[r.rail].edge_only) continue;
      RailTiming& rail = timing[r.rail];
      if (rail.seen) {
        gaps.push_back(r.t_s - rail.last_t);
        if (r.value != rail.value) rail.changes.push_back({0.5 * (rail.last_t + r.t_s), r.t_s - rail.last_t});
      }
      rail.seen = true;
      rail.value = r.value;
      rail.last_t = r.t_s;
    }
    if (now_s() - start >= max_s) break;
    if (spacing_s > 0) std::this_thread::sleep_for(std::chrono::duration<double>(spacing_s));
  }

  // A reading that came late (the reader was descheduled, a slow I2C read) leaves a wide window around a change, and
  // the interval from it to the next change comes out short by up to that width. The shortest interval is only
  // trusted between changes whose windows are about one normal read gap wide; when no such pair exists, all count.
  const double normal_gap = median(gaps);
  const double narrow = 2.0 * normal_gap + kNoiseS;
  int changes = 0;
  double shortest = std::numeric_limits<double>::infinity();
  double shortest_any = std::numeric_limits<double>::infinity();
  for (const RailTiming& rail : timing) {
    changes += static_cast<int>(rail.changes.size());
    for (std::size_t k = 1; k < rail.changes.size(); ++k) {
      const Change& a = rail.changes[k - 1];
      const Change& b = rail.changes[k];
      const double interval = b.t - a.t;
      if (interval < kNoiseS) continue;
      shortest_any = std::min(shortest_any, interval);
      if (a.width <= narrow && b.width <= narrow) shortest = std::min(shortest, interval);
    }
  }
  if (shortest == std::numeric_limits<double>::infinity()) shortest = shortest_any;
  PeriodEstimate estimate;
  estimate.changes = changes;
  if (changes >= kMinChanges && shortest < std::numeric_limits<double>::infinity()) {
    estimate.period_s = shortest;
    estimate.method = "inferred";
  } else {
    estimate.period_s = source.update_period_s();
    estimate.method = fallback_method(source);
  }
  return estimate;
}

std::vector<std::string> stuck_rails(const std::vector<Series>& series, const std::vector<Rail>& rails, double t0,
                                     double t1, double update_period_s, int min_periods, int min_samples) {
  std::vector<std::string> stuck;
  const std::size_t n = std::min(series.size(), rails.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (rails[i].edge_only) continue;
    const Series& s = series[i];
    const auto first = std::lower_bound(s.t.begin(), s.t.end(), t0);
    const auto last = std::upper_bound(s.t.begin(), s.t.end(), t1);
    const auto count = last - first;
    if (count < 2 || count < min_samples) continue;
    const std::size_t b = static_cast<std::size_t>(first - s.t.begin());
    const std::size_t e = static_cast<std::size_t>(last - s.t.begin());  // one past the last
    const double span = s.t[e - 1] - s.t[b];
    if (!(span > static_cast<double>(min_periods) * update_period_s)) continue;
    const double value = s.v[b];
    const auto v_begin = s.v.begin() + static_cast<std::ptrdiff_t>(b);
    const auto v_end = s.v.begin() + static_cast<std::ptrdiff_t>(e);
    if (!std::all_of(v_begin, v_end, [value](double v) { return v == value; })) {
      continue;
    }
    if (rails[i].quantity == Quantity::power_w && value == 0.0) continue;  // a rail that is off reads 0 steadily
    char buffer[160];
    std::snprintf(buffer, sizeof buffer, ": %lld readings over %.2f s did not change (stuck sensor?)",
                  static_cast<long long>(count), span);
    stuck.push_back(rails[i].name + buffer);
  }
  return stuck;
}

}  // namespace layer_energy::power
