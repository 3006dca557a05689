// Registers layer cases with Google Benchmark and runs them: each case's energy is integrated over exactly the
// timed iterations of each call the runner makes (the runner reports the last call).
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "benchmarks/backend.hpp"
#include "benchmarks/energy_meter.hpp"
#include "layers/layer.hpp"
#include "power/device_state.hpp"

namespace layer_energy::bench {

struct HarnessOptions {
  layers::Precision precision = layers::Precision::fp32;
  layers::Layout layout = layers::Layout::nchw;
  double energy_rel_err = 0.02;  // 0: no target
  double idle_w = 0;             // idle power of the selected rails
  bool idle_measured = false;
  double warmup_s = 0.1;         // per case, before its first timed call
  uint64_t seed = 42;
  power::DeviceStateReader* device_state = nullptr;  // GPU clock and temperature at window edges, where readable
};

class Harness {
 public:
  Harness(Backend& backend, EnergyMeter& meter, HarnessOptions options);

  // One case per distinct layer (by case name), except those in `skip` (--resume). Returns how many were added.
  int add_layers(const std::vector<layers::Layer>& layers, const std::set<std::string>& skip);
  // The network's layers as cases plus Net/<name>, which runs them back to back.
  int add_network(const std::string& name, const std::vector<layers::Layer>& layers,
                  const std::set<std::string>& skip);

  // Cases whose reported energy missed --energy_rel_err ("name: achieved relative error").
  std::vector<std::string> missed_targets() const;
  // Cases during which a selected rail did not change over many update periods ("case: rail ...").
  std::vector<std::string> stuck_sensor_warnings() const;
  // Idle power of the selected rails, measured after registration and before the first case.
  void set_idle(double idle_w) {
    options_.idle_w = idle_w;
    options_.idle_measured = true;
  }
  const std::vector<std::string>& names() const { return names_; }

 private:
  struct Case;
  void register_case(std::shared_ptr<Case> c);

  Backend& backend_;
  EnergyMeter& meter_;
  HarnessOptions options_;
  std::set<std::string> registered_;
  std::vector<std::string> names_;
  std::vector<std::shared_ptr<Case>> cases_;
  // The case whose layers are prepared: Google Benchmark runs one case's calls (growing batches, repetitions) back
  // to back, so the previous case's buffers are released when the next starts; a sweep holds one case's memory.
  std::shared_ptr<Case> resident_;
};

}  // namespace layer_energy::bench
