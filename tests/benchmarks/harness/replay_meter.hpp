// The meter the harness tests measure with: a replayed constant 5 W trace (the hardware boundary), or no power.
#pragma once

#include <string>

#include "benchmarks/harness/energy_meter.hpp"

namespace layer_energy::test {

inline bench::MeterOptions replay_5w_meter() {
  bench::MeterOptions options;
  options.power = std::string("replay:") + LAYER_ENERGY_FIXTURES + "/traces/constant_5w.csv";
  options.infer_period = false;
  return options;
}

inline bench::MeterOptions no_power_meter() {
  bench::MeterOptions options;
  options.power = "none";
  return options;
}

}  // namespace layer_energy::test
