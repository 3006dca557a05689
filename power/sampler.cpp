#include "power/sampler.hpp"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace layer_energy::power {

TotalEnergy sum_rails(const WindowEnergy& window, const std::vector<std::size_t>& selected,
                      const std::vector<Rail>& rails) {
  TotalEnergy total;
  total.ok = !selected.empty();
  if (selected.empty()) total.why = "no rails selected";
  for (std::size_t index : selected) {
    const RailWindow& rail = window.rails.at(index);
    if (!rail.ok) {
      total.ok = false;
      if (total.why.empty()) total.why = rails.at(index).name + ": " + rail.why;
      continue;
    }
    total.energy_j += rail.energy_j;
    total.error_j += rail.error_j;
    total.samples += rail.samples;
    if (!rail.why.empty() && total.why.empty()) total.why = rails.at(index).name + ": " + rail.why;
  }
  return total;
}

Sampler::Sampler(PowerSource& source, SamplerOptions options)
    : source_(source), options_(std::move(options)), series_(source.rails().size()),
      gap_open_(source.rails().size(), false) {
  const double period = options_.update_period_s > 0 ? options_.update_period_s : source.update_period_s();
  // Counters are integrated by difference and read at every window edge anyway: polling them densely buys nothing
  // (RAPL's 1 ms refresh polled at 5 ms cost 2.3% of a core); 0.1 s keeps wraps and trace detail.
  bool counters_only = true;
  for (const Rail& rail : source.rails()) counters_only = counters_only && rail.quantity == Quantity::energy_j;
  const double natural = counters_only ? 0.1 : std::clamp(period / 2.0, 0.005, 0.1);
  poll_period_s_ = options_.poll_period_s > 0 ? options_.poll_period_s : natural;
  for (const Rail& rail : source.rails()) sensors_.push_back({rail.resolution, period});
}

Sampler::~Sampler() { stop(); }

void Sampler::start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(wake_mutex_);
    stop_requested_ = false;
  }
  thread_ = std::thread([this] {
#ifdef __linux__
    pthread_setname_np(pthread_self(), kSamplerThreadName);
#endif
    run();
  });
}

void Sampler::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(wake_mutex_);
    stop_requested_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Sampler::run() {
  using clock = std::chrono::steady_clock;
  const auto period = std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(poll_period_s_));
  auto next = clock::now();
  std::unique_lock<std::mutex> lock(wake_mutex_);
  while (!stop_requested_) {
    lock.unlock();
    poll_once(false);
    lock.lock();
    next += period;
    const auto now = clock::now();
    if (next < now) next = now;  // fell behind (slow read): do not burst to catch up
    wake_.wait_until(lock, next, [this] { return stop_requested_; });
  }
}

double Sampler::mark() {
  poll_once(true);
  std::lock_guard<std::mutex> lock(data_mutex_);
  // The edge is the latest reading time; with no reading at all, now.
  double t = 0.0;
  for (const Series& s : series_) {
    if (!s.t.empty()) t = std::max(t, s.t.back());
  }
  return t > 0.0 ? t : now_s();
}

void Sampler::poll_once(bool include_edge_only) {
  std::vector<Reading> readings;
  std::vector<ReadFailure> failures;
  // Under the poll lock: the sampler thread and mark() both poll, and the callback sees batches in time order.
  std::lock_guard<std::mutex> lock(poll_mutex_);
  source_.poll(include_edge_only, readings, failures);
  append(readings, failures);
  if (options_.on_readings && !readings.empty()) options_.on_readings(readings);
}

void Sampler::append(const std::vector<Reading>& readings, const std::vector<ReadFailure>& failures) {
  std::lock_guard<std::mutex> lock(data_mutex_);
  for (const ReadFailure& f : failures) {
    if (f.rail >= series_.size()) continue;
    auto& gaps = series_[f.rail].gaps;
    if (gap_open_[f.rail] && !gaps.empty()) {
      gaps.back().t_end = std::max(gaps.back().t_end, f.t_s);
    } else {
      gaps.push_back({f.t_s, f.t_s, f.why});
      gap_open_[f.rail] = true;
    }
  }
  for (const Reading& r : readings) {
    if (r.rail >= series_.size() || !std::isfinite(r.value)) continue;
    Series& s = series_[r.rail];
    if (!s.t.empty() && r.t_s <= s.t.back()) continue;  // keep time strictly increasing
    s.t.push_back(r.t_s);
    s.v.push_back(r.value);
    if (gap_open_[r.rail]) {
      s.gaps.back().t_end = r.t_s;
      gap_open_[r.rail] = false;
    }
  }
}

WindowEnergy Sampler::window(double t0_s, double t1_s) const {
  WindowEnergy result;
  result.t0_s = t0_s;
  result.t1_s = t1_s;
  const auto& rails = source_.rails();
  std::lock_guard<std::mutex> lock(data_mutex_);
  for (std::size_t i = 0; i < rails.size(); ++i) {
    result.rails.push_back(rails[i].quantity == Quantity::energy_j ? integrate_counter(series_[i], t0_s, t1_s, sensors_[i])
                                                                   : integrate_power(series_[i], t0_s, t1_s, sensors_[i]));
  }
  return result;
}

std::vector<Series> Sampler::snapshot() const {
  std::lock_guard<std::mutex> lock(data_mutex_);
  return series_;
}

void Sampler::discard_before(double t_s) {
  std::lock_guard<std::mutex> lock(data_mutex_);
  for (std::size_t i = 0; i < series_.size(); ++i) {
    Series& s = series_[i];
    const auto it = std::lower_bound(s.t.begin(), s.t.end(), t_s);
    const std::size_t keep_from = it == s.t.begin() ? 0 : static_cast<std::size_t>(it - s.t.begin()) - 1;
    s.t.erase(s.t.begin(), s.t.begin() + static_cast<std::ptrdiff_t>(keep_from));
    s.v.erase(s.v.begin(), s.v.begin() + static_cast<std::ptrdiff_t>(keep_from));
    // An open gap (the rail still failing) stays: the next reading closes it.
    const auto closed_end = gap_open_[i] && !s.gaps.empty() ? s.gaps.end() - 1 : s.gaps.end();
    const auto kept = std::remove_if(s.gaps.begin(), closed_end, [t_s](const Series::Gap& g) { return g.t_end < t_s; });
    s.gaps.erase(kept, closed_end);
  }
}

}  // namespace layer_energy::power
