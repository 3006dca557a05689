#include "power/window.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace layer_energy::power {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Index i of the last sample with t[i] <= t, or npos when every sample is later.
std::size_t last_at_or_before(const std::vector<double>& ts, double t) {
  const auto it = std::upper_bound(ts.begin(), ts.end(), t);
  return it == ts.begin() ? std::string::npos : static_cast<std::size_t>(it - ts.begin()) - 1;
}

// The series' value at t: linear between neighbours; held from the nearest sample when t lies at most
// `hold_s` outside the samples (the sampler's edge reads make that rare). NaN when no sample is close enough.
double value_at(const Series& s, double t, double hold_s) {
  const std::size_t n = s.t.size();
  if (n == 0) return kNaN;
  const std::size_t i = last_at_or_before(s.t, t);
  if (i == std::string::npos) return s.t.front() - t <= hold_s ? s.v.front() : kNaN;
  if (i + 1 == n) return t - s.t.back() <= hold_s ? s.v.back() : kNaN;
  const double f = (t - s.t[i]) / (s.t[i + 1] - s.t[i]);
  return s.v[i] + f * (s.v[i + 1] - s.v[i]);
}

std::size_t samples_within(const Series& s, double t0, double t1) {
  return static_cast<std::size_t>(std::upper_bound(s.t.begin(), s.t.end(), t1) -
                                  std::lower_bound(s.t.begin(), s.t.end(), t0));
}

double gap_seconds(const Series& s, double t0, double t1, std::string* why) {
  double total = 0.0;
  for (const auto& gap : s.gaps) {
    const double overlap = std::min(gap.t_end, t1) - std::max(gap.t_begin, t0);
    if (overlap > 0) {
      if (total == 0.0) *why = gap.why;
      total += overlap;
    }
  }
  return total;
}

RailWindow edge_failure(const Series& s, double t0, double t1) {
  RailWindow w;
  w.energy_j = kNaN;
  w.error_j = kNaN;
  if (s.t.empty()) {
    w.why = "no readings";
  } else if (s.t.front() > t0) {
    w.why = "no reading before the window start";
  } else if (s.t.back() < t1) {
    w.why = "no reading after the window end (rail stopped reporting)";
  } else {
    w.why = "no usable reading at a window edge";
  }
  std::string gap_why;
  if (gap_seconds(s, t0, t1, &gap_why) > 0) w.why += ": " + gap_why;
  return w;
}

}  // namespace

RailWindow integrate_power(const Series& s, double t0, double t1, const SensorModel& sensor) {
  const double hold = std::max(sensor.update_period_s, 1e-6);
  const double v0 = value_at(s, t0, hold);
  const double v1 = value_at(s, t1, hold);
  if (!(t1 > t0) || std::isnan(v0) || std::isnan(v1)) return edge_failure(s, t0, t1);

  RailWindow w;
  w.ok = true;
  double energy = 0.0;
  double sum_sq = 0.0;   // squared per-interval error bounds (independent errors)
  double sum_abs = 0.0;  // their plain sum: the worst case, never exceeded
  double vmin = std::min(v0, v1);
  double vmax = std::max(v0, v1);

  // Walk the points t0, samples strictly inside, t1. An interval that is a whole sample interval has a trapezoid off
  // by at most |dv|*dt/2; a partial one at an edge (interpolated end) by at most |dv|*dt of its sample interval.
  const std::size_t first = std::upper_bound(s.t.begin(), s.t.end(), t0) - s.t.begin();
  double t_prev = t0;
  double v_prev = v0;
  const std::size_t at_t0 = last_at_or_before(s.t, t0);
  bool prev_is_sample = at_t0 != std::string::npos && s.t[at_t0] == t0;
  auto add_interval = [&](double t_next, double v_next, bool next_is_sample, double span_dv) {
    const double dt = t_next - t_prev;
    energy += 0.5 * (v_prev + v_next) * dt;
    const double e = (prev_is_sample && next_is_sample ? 0.5 : 1.0) * std::fabs(span_dv) * dt;
    sum_sq += e * e;
    sum_abs += e;
  };
  for (std::size_t i = first; i < s.t.size() && s.t[i] < t1; ++i) {
    // The sample interval around this step spans i-1..i (first > 0: the edge hold handles first == 0).
    const double span_dv = i > 0 ? s.v[i] - s.v[i - 1] : s.v[i] - v_prev;
    add_interval(s.t[i], s.v[i], true, span_dv);
    t_prev = s.t[i];
    v_prev = s.v[i];
    prev_is_sample = true;
    vmin = std::min(vmin, s.v[i]);
    vmax = std::max(vmax, s.v[i]);
  }
  {
    const std::size_t i = last_at_or_before(s.t, t1);
    const bool exact = i != std::string::npos && s.t[i] == t1;
    const double span_dv = (i != std::string::npos && i + 1 < s.t.size()) ? s.v[i + 1] - s.v[i] : 0.0;
    add_interval(t1, v1, exact, exact ? v1 - v_prev : span_dv);
  }
  w.samples = samples_within(s, t0, t1);
  w.energy_j = energy;

  const double duration = t1 - t0;
  const double trapezoid = std::min(std::sqrt(3.0 * sum_sq), sum_abs);  // 3 sigma of uniform errors, capped
  const double quantisation = 0.5 * sensor.resolution * duration;
  const double staleness = sensor.update_period_s * (vmax - vmin);
  std::string gap_why;
  w.gap_s = gap_seconds(s, t0, t1, &gap_why);
  const double gap_term = w.gap_s * (vmax - vmin + sensor.resolution);
  if (w.gap_s > 0) w.why = "no readings for " + std::to_string(w.gap_s) + " s (" + gap_why + ")";
  w.error_j = trapezoid + quantisation + staleness + gap_term;
  return w;
}

RailWindow integrate_counter(const Series& s, double t0, double t1, const SensorModel& sensor) {
  const double hold = std::max(sensor.update_period_s, 1e-6);
  const double c0 = value_at(s, t0, hold);
  const double c1 = value_at(s, t1, hold);
  if (!(t1 > t0) || std::isnan(c0) || std::isnan(c1)) return edge_failure(s, t0, t1);
  RailWindow w;
  w.energy_j = c1 - c0;
  if (w.energy_j < 0) {
    w.energy_j = kNaN;
    w.error_j = kNaN;
    w.why = "energy counter went backwards (reset)";
    return w;
  }
  w.ok = true;
  w.samples = samples_within(s, t0, t1);
  // Each edge reading may lag the truth by up to one update period; the lags partly cancel, the difference is off
  // by at most mean power * period. Plus one resolution step per edge.
  const double mean_power = w.energy_j / (t1 - t0);
  std::string gap_why;
  w.gap_s = gap_seconds(s, t0, t1, &gap_why);
  if (w.gap_s > 0) w.why = "no readings for " + std::to_string(w.gap_s) + " s (" + gap_why + ")";
  w.error_j = mean_power * sensor.update_period_s + 2.0 * sensor.resolution;
  return w;
}

}  // namespace layer_energy::power
