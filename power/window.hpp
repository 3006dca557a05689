// Energy of one rail over a window [t0, t1] from timestamped samples: trapezoids for power readings, differences for
// cumulative counters, with an uncertainty bound.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace layer_energy::power {

// One rail's samples in time order (t strictly increasing after the sampler's de-duplication).
struct Series {
  std::vector<double> t;
  std::vector<double> v;
  // Intervals in which reads of this rail failed: [start, end) on the trace clock, with the reason of the first.
  struct Gap {
    double t_begin = 0.0;
    double t_end = 0.0;
    std::string why;
  };
  std::vector<Gap> gaps;
};

// What the bound assumes about the sensor.
struct SensorModel {
  double resolution = 0.0;     // reading's least step (W or J)
  double update_period_s = 0;  // how long a reading may be stale
};

struct RailWindow {
  bool ok = false;         // false: the rail has no samples on both sides of an edge; energy_j is NaN
  double energy_j = 0.0;   // energy over [t0, t1]
  double error_j = 0.0;    // uncertainty bound (see README "Uncertainty")
  std::size_t samples = 0; // readings that fall inside [t0, t1]
  double gap_s = 0.0;      // seconds of [t0, t1] with failed reads (bridged by interpolation)
  std::string why;         // why not ok, or what the gap was
};

// Power readings (W). Edges between samples are linearly interpolated. Error bound: each interval's trapezoid is off
// by at most |dv|*dt/2 if the signal stays between its end values; those errors are independent and taken as
// uniform, so 3 sigma of their sum; plus resolution*T and staleness update_period*(vmax-vmin), added linearly.
RailWindow integrate_power(const Series& s, double t0, double t1, const SensorModel& sensor);

// Cumulative counter (J, already unwrapped). Energy = interpolated counter(t1) - counter(t0). Error bound: at each
// edge the counter may lag by up to one update period: mean power * update_period, plus 2 * resolution.
RailWindow integrate_counter(const Series& s, double t0, double t1, const SensorModel& sensor);

}  // namespace layer_energy::power
