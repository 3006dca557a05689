// Background sampler: polls a power source into per-rail timestamped series and integrates any window of them.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "power/source.hpp"
#include "power/window.hpp"

namespace layer_energy::power {

// The sampler thread's name (/proc/self/task/<tid>/comm): the host-load reader leaves its waits out, since they are
// the measurement's own, not a competitor's.
constexpr const char* kSamplerThreadName = "le-sampler";

struct SamplerOptions {
  // Seconds between polls; 0: half the update period within [0.005, 0.1] s (as Zeus polls); 0.1 s for counter-only
  // sources, which are integrated by difference.
  double poll_period_s = 0.0;
  // The sensor's update period when known better than the source's own figure (inferred at start-up); 0: the source's.
  double update_period_s = 0.0;
  // Called with every batch of readings, one batch at a time in time order (e.g. --power_trace_out).
  std::function<void(const std::vector<Reading>&)> on_readings;
};

// Energy of every rail of the source over one window.
struct WindowEnergy {
  double t0_s = 0.0;
  double t1_s = 0.0;
  std::vector<RailWindow> rails;  // index = the source's rail index
};

// The selected rails summed (energy_J). ok is false when any selected rail could not be integrated.
struct TotalEnergy {
  bool ok = false;
  double energy_j = 0.0;
  double error_j = 0.0;  // bounds add linearly: rails are not assumed independent
  std::size_t samples = 0;
  std::string why;
};
TotalEnergy sum_rails(const WindowEnergy& window, const std::vector<std::size_t>& selected,
                      const std::vector<Rail>& rails);

class Sampler {
 public:
  explicit Sampler(PowerSource& source, SamplerOptions options = {});
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;
  ~Sampler();

  void start();
  void stop();
  bool running() const { return thread_.joinable(); }

  // Reads every rail now (edge-only rails too) and returns the time: call right before and after what is measured.
  double mark();
  WindowEnergy window(double t0_s, double t1_s) const;

  // A copy of the series so far (index = rail index).
  std::vector<Series> snapshot() const;
  // Drops samples older than t_s, keeping one before it so a later window can still interpolate its edge.
  void discard_before(double t_s);
  double poll_period_s() const { return poll_period_s_; }
  PowerSource& source() { return source_; }

 private:
  void run();
  void poll_once(bool include_edge_only);
  void append(const std::vector<Reading>& readings, const std::vector<ReadFailure>& failures);

  PowerSource& source_;
  SamplerOptions options_;
  double poll_period_s_;
  std::vector<SensorModel> sensors_;

  std::mutex poll_mutex_;  // one reader of the source at a time
  mutable std::mutex data_mutex_;
  std::vector<Series> series_;
  std::vector<bool> gap_open_;

  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool stop_requested_ = false;
  std::thread thread_;
};

}  // namespace layer_energy::power
