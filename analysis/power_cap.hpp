// The board's power limit, learned from the cases it bound. Above its limit a GPU lowers its clock until the power
// fits (NVIDIA's software power cap; a Jetson's budget), so a layer the model would have drawing more than the limit
// at the nominal clock runs longer, at about the limit: its energy stays (the lower clock runs at a lower voltage,
// which offsets the longer static time) and its time is that energy over the limit. The limit is not in the result
// file: it is where the cases whose recorded clock fell below nominal sit, provided they sit at the top of the power
// range (clocks that fall for heat or a governor at modest power are no power cap).
#pragma once

#include <string>
#include <vector>

#include "analysis/hardware.hpp"
#include "analysis/records.hpp"

namespace layer_energy::analysis {

struct PowerCap {
  double watts = 0;  // 0: no case showed one
  int cases = 0;     // the cases it was learned from (clock below nominal)
  std::string note;  // why none was learned, where clocks did fall
};

// A case's clock counts as fallen one clock step (0.5%) below nominal; at least this many such cases are needed.
constexpr double kClockDropFraction = 0.005;
constexpr int kMinCappedCases = 3;

// Whether the case's mean recorded clock is below `nominal_MHz` (false when either is unknown).
bool clock_fell(const Case& c, double nominal_MHz);

// The median power (energy over time, total energy) of the cases whose clock fell, when there are enough and they sit
// at or above the 80th percentile of every case's power.
PowerCap learn_power_cap(const std::vector<Case>& cases, double nominal_MHz);

// What the limit leaves for the target's energy: the limit for total energy, the limit less idle power for dynamic
// (0: no limit, or no idle power to take off).
double power_headroom_W(const Hardware& hw, const std::string& target);

// The time of a layer predicted to take `time_s` and `energy_J` on a board whose limit leaves `headroom_W` for the
// target's energy: no shorter than energy / headroom.
double time_under_cap(double time_s, double energy_J, double headroom_W);

}  // namespace layer_energy::analysis
