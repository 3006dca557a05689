#include "power/replay_source.hpp"

#include <stdexcept>

#include "power/tegrastats.hpp"

namespace layer_energy::power {
namespace {

class ReplaySource final : public PowerSource {
 public:
  ReplaySource(Trace trace, std::string origin, std::string unusable)
      : trace_(std::move(trace)), origin_(std::move(origin)), unusable_(std::move(unusable)) {
    period_ = median_interval_s(trace_);
    // A trace with one reading per rail has no update period: inventing one would set the sampler's rate and every
    // case's run length from nothing, so the trace is refused instead (a trace that failed to load already says why).
    if (period_ <= 0) {
      if (unusable_.empty()) {
        unusable_ = "replay: " + origin_ + ": no rail has two readings, so the update period is unknown " +
                    "(record at least two samples)";
      }
      period_ = 0.1;  // placeholder for an unusable source, never used for measuring
    }
    double first = 0;
    double last = 0;
    bool any = false;
    for (const Series& s : trace_.series) {
      if (s.t.empty()) continue;
      first = any ? std::min(first, s.t.front()) : s.t.front();
      last = any ? std::max(last, s.t.back()) : s.t.back();
      any = true;
    }
    trace_start_ = first;
    cycle_s_ = last - first + period_;
    cursor_.assign(trace_.series.size(), 0);
    cycles_.assign(trace_.series.size(), 0);
    last_emitted_.assign(trace_.series.size(), -1e300);
  }

  std::string name() const override { return "replay"; }
  // A tegrastats log replays here too: recorded, and its board() ("replay of FILE") names no machine.
  SourceTraits traits() const override {
    SourceTraits traits;
    traits.recorded = true;
    return traits;
  }
  std::string unusable_reason() const override { return unusable_; }
  const std::vector<Rail>& rails() const override { return trace_.rails; }
  double update_period_s() const override { return period_; }
  std::string board() const override { return "replay of " + origin_; }
  std::map<std::string, std::string> context() const override { return {{"replay_file", origin_}}; }

  void poll(bool /*include_edge_only*/, std::vector<Reading>& out, std::vector<ReadFailure>& /*failures*/) override {
    const double now = now_s();
    if (!started_) {
      offset_ = now - trace_start_;
      started_ = true;
    }
    for (std::size_t rail = 0; rail < trace_.series.size(); ++rail) emit_until(rail, now, out);
  }

 private:
  double mapped_time(std::size_t rail, std::size_t index) const {
    const double cycle_offset = static_cast<double>(cycles_[rail]) * cycle_s_;
    return trace_.series[rail].t[index] + offset_ + cycle_offset;
  }
  double mapped_value(std::size_t rail, std::size_t index) const {
    const Series& s = trace_.series[rail];
    if (trace_.rails[rail].quantity == Quantity::power_w) return s.v[index];
    // Over the hold between loops the counter keeps its mean rate, so replayed power stays continuous.
    const double span = s.t.back() - s.t.front();
    const double rise = span > 0 ? (s.v.back() - s.v.front()) * cycle_s_ / span : 0.0;
    return s.v[index] + static_cast<double>(cycles_[rail]) * rise;
  }

  // Emits every sample up to `now` and one beyond it, so a window edge at `now` always has a later sample.
  void emit_until(std::size_t rail, double now, std::vector<Reading>& out) {
    const Series& s = trace_.series[rail];
    if (s.t.empty()) return;
    for (;;) {
      if (cursor_[rail] == s.t.size()) {
        cursor_[rail] = 0;
        ++cycles_[rail];
      }
      const double t = mapped_time(rail, cursor_[rail]);
      if (t > now && emitted_beyond_now(rail, now)) return;
      out.push_back({t, rail, mapped_value(rail, cursor_[rail])});
      last_emitted_[rail] = t;
      ++cursor_[rail];
    }
  }
  bool emitted_beyond_now(std::size_t rail, double now) const {
    return last_emitted_[rail] > now;
  }

  Trace trace_;
  std::string origin_;
  std::string unusable_;
  double period_ = 0.1;
  double trace_start_ = 0;
  double cycle_s_ = 0;
  bool started_ = false;
  double offset_ = 0;
  std::vector<std::size_t> cursor_;
  std::vector<std::size_t> cycles_;
  std::vector<double> last_emitted_;
};

}  // namespace

std::unique_ptr<PowerSource> make_replay_source(Trace trace, std::string origin) {
  return std::make_unique<ReplaySource>(std::move(trace), std::move(origin), "");
}

std::unique_ptr<PowerSource> make_replay_source(const std::string& path) {
  try {
    // A tegrastats log replays like a trace of its rails (1 s apart where its lines carry no timestamps).
    if (looks_like_tegrastats(path)) {
      TegrastatsInfo info;
      Trace trace = read_tegrastats(path, 0, &info);
      if (info.lines < 2) {
        return std::make_unique<ReplaySource>(Trace{}, path,
                                              "replay: " + path + ": a single tegrastats line with power rails, so " +
                                                  "the update period is unknown (record at least two lines)");
      }
      return make_replay_source(std::move(trace), path + " (tegrastats: " + info.note + ")");
    }
    return make_replay_source(read_trace_csv(path), path);
  } catch (const std::exception& e) {
    return std::make_unique<ReplaySource>(Trace{}, path, std::string("replay: ") + e.what());
  }
}

}  // namespace layer_energy::power
