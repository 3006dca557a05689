// Energy for benchmark cases: the chosen power source, its sampler, the selected rails, idle power, trace output.
#pragma once

#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "power/registry.hpp"
#include "power/sampler.hpp"
#include "power/update_period.hpp"

namespace layer_energy::bench {

struct MeterOptions {
  std::string power = "auto";  // --power
  power::SourceOptions source;
  std::string rails;            // --power_rails
  std::string trace_out;        // --power_trace_out
  bool infer_period = true;     // time the sensor's refresh at start-up (Zeus-style) instead of trusting its nominal
};

// Energy over one window, already divided per iteration where the caller asks.
struct CaseEnergy {
  bool ok = false;
  std::string why;           // why not ok, or a note (read gaps)
  double energy_j = 0;       // selected rails
  double error_j = 0;        // bound
  std::map<std::string, double> rail_j;  // every integrable rail
  double power_w = 0;        // mean of the selected rails over the window
  double samples = 0;        // sensor readings inside the window (selected rails)
  std::vector<std::string> stuck;  // selected rails that did not change over many update periods (warning only)
};

struct IdlePower {
  bool measured = false;
  double total_w = 0;
  std::map<std::string, double> rail_w;
};

class EnergyMeter {
 public:
  // Throws std::runtime_error with one line when --power named a source that cannot be used or --power_rails is bad.
  explicit EnergyMeter(const MeterOptions& options);
  ~EnergyMeter();

  bool active() const { return sampler_ != nullptr; }
  // Why there is no energy ("--power=none", or auto's reasons joined); empty when active.
  const std::string& inactive_reason() const { return inactive_reason_; }
  power::PowerSource* source() { return source_.get(); }
  const std::vector<std::size_t>& selected() const { return selected_; }
  std::string selected_names() const;
  double update_period_s() const { return period_.period_s; }
  // How the period was found: "inferred", "update_interval" or "nominal".
  const std::string& update_period_method() const { return period_.method; }

  // Window edge (reads every rail, edge-only ones too). Returns the trace-clock time.
  double mark();
  CaseEnergy measure(double t0_s, double t1_s);

  // Mean power of every rail over `seconds` of doing nothing, after `settle_s`.
  IdlePower measure_idle(double settle_s, double seconds);

  // Drops old samples so long sweeps keep memory flat.
  void forget_before(double t_s);

 private:
  std::unique_ptr<power::PowerSource> source_;
  std::unique_ptr<power::Sampler> sampler_;
  std::vector<std::size_t> selected_;
  power::PeriodEstimate period_;
  std::string inactive_reason_;
  std::ofstream trace_;
  double last_trace_flush_s_ = 0;  // sampler thread only
};

}  // namespace layer_energy::bench
