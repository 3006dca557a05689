// Writes simulated runs as a Google Benchmark JSON result file, in the form layer_bench writes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/simulator/device_specs.hpp"
#include "layers/layer.hpp"

namespace layer_energy::sim {

struct RunOptions {
  int repetitions = 1;
  double noise = 0.015;       // relative sd of the energy per repetition (lognormal); time gets a third of it
  uint64_t seed = 1;
  bool time_only = false;     // as layer_bench --power=none: no energy counters, power_source "none"
  bool aggregates = true;     // mean/median/stddev/cv entries after a case's repetitions (when > 1)
  double throttle_fraction = 0;    // GPU: share of cases run at a lower clock (flagged throttled = 1)
  double throttle_clock_scale = 0.75;
  std::string network;        // non-empty: the layers are that network's; a Net/<network> case sums them all
  std::string command_line;   // the context's "command_line"
};

// The result file for `layers` (a network's layers may repeat: each distinct one is a case, Net/ sums all).
std::string result_json(const Device& device, const std::vector<layers::Layer>& layers, const RunOptions& options);

// FNV-1a: a hash that is the same on every platform, so one seed gives one file everywhere.
uint64_t stable_hash(const std::string& text, uint64_t seed);

}  // namespace layer_energy::sim
