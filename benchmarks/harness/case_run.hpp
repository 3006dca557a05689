// One case's measurement, with no Google Benchmark inside, in stages as nvbench's measure_cold: prepare the layers
// on the backend, warm up, then a timed window of n iterations bound to one energy window, and its result (counters,
// label). The Google Benchmark adapter (layer_cases.cpp) only drives these stages and copies the result out.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "benchmarks/backends/backend.hpp"
#include "benchmarks/harness/energy_meter.hpp"
#include "layers/layer.hpp"
#include "power/device_state.hpp"
#include "power/host_load.hpp"

namespace layer_energy::bench {

struct HarnessOptions {
  layers::Precision precision = layers::Precision::fp32;
  layers::Layout layout = layers::Layout::nchw;
  double idle_w = 0;             // idle power of the selected rails
  bool idle_measured = false;
  double warmup_s = 0.1;         // per case, before its first timed call
  uint64_t seed = 42;
  power::DeviceStateReader* device_state = nullptr;  // GPU clock and temperature at window edges, where readable
  const power::HostLoadReader* host_load = nullptr;   // this process's CPU wait at window edges, where readable
};

// A case: its layers (one, or a whole network run back to back) and what its runs left behind.
struct MeasuredCase {
  std::string name;
  std::vector<layers::Layer> layers;
  std::vector<std::unique_ptr<PreparedLayer>> prepared;
  std::string skip_reason;  // set once preparing or running failed: later calls skip at once
  bool warmed_up = false;
  bool started = false;  // a timed window ran: a signal lets the case finish (growing batches, repetitions)
  double relative_error = 0;       // of the latest window, the one the runner reports
  std::vector<std::string> stuck;  // stuck-sensor warnings of the latest window
  bool contended = false;          // the latest window's threads waited for a CPU (other processes ran)
};

// What one timed window measured.
struct WindowResult {
  std::string failure;  // the case failed while running: it is lost (skip_reason says so), the sweep goes on
  int64_t iterations = 0;
  double t_start_s = 0;  // trace clock: first enqueue
  double t_end_s = 0;    // trace clock: the device finished the last iteration
  bool has_energy = false;
  std::map<std::string, double> counters;  // per iteration where a counter is a quantity (energy_J, macs, ...)
  std::string label;
};

class CaseRunner {
 public:
  CaseRunner(Backend& backend, EnergyMeter& meter, HarnessOptions options);

  // Stages 1-2: prepares the case (releasing the previously resident one first) and warms it up once after each
  // prepare. Returns "" when ready, else why it is skipped (a signal arrived before it started; it cannot be
  // prepared; it faulted). A case already started when the signal came runs to its end, as the README promises:
  // skipping its later batches or repetitions would throw away seconds of measurement (and Google Benchmark aborts
  // on repetitions of one case with different iteration counts).
  std::string ready(MeasuredCase& c);
  // Calls skipped because a signal came before their case started (0: every case ran).
  int skipped_by_signal() const { return skipped_by_signal_; }
  // Stage 3, the timed window, in three steps so that a driver can time exactly the middle one: open (device state,
  // meter mark), run `iterations` enqueued back to back and synchronised once at the end, close (meter mark,
  // counters, energy over the window).
  struct OpenWindow {
    MeasuredCase* c = nullptr;
    power::DeviceState before;
    power::HostWait host_before;
    WindowResult result;
  };
  OpenWindow open_window(MeasuredCase& c);
  void run_iterations(OpenWindow& window, int64_t iterations);
  WindowResult close_window(OpenWindow& window);
  // The three steps at once.
  WindowResult timed_window(MeasuredCase& c, int64_t iterations);

  void set_idle(double idle_w) {
    options_.idle_w = idle_w;
    options_.idle_measured = true;
  }
  const HarnessOptions& options() const { return options_; }

 private:
  void lose(MeasuredCase& c, const std::string& why);
  void add_state_counters(const power::DeviceState& before, WindowResult* result) const;
  void add_host_counters(MeasuredCase& c, const power::HostWait& before, WindowResult* result) const;
  void add_layer_counters(const MeasuredCase& c, WindowResult* result) const;
  void add_energy(MeasuredCase& c, WindowResult* result);

  Backend& backend_;
  EnergyMeter& meter_;
  HarnessOptions options_;
  // The case whose layers are prepared: Google Benchmark runs one case's calls (growing batches, repetitions) back
  // to back, so the previous case's buffers are released when the next starts; a sweep holds one case's memory.
  MeasuredCase* resident_ = nullptr;
  int skipped_by_signal_ = 0;
};

}  // namespace layer_energy::bench
