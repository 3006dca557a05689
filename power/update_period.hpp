// How often a sensor really refreshes (timed at start-up, as Zeus does), and whether a rail has stopped refreshing.
#pragma once

#include <string>
#include <vector>

#include "power/source.hpp"
#include "power/window.hpp"

namespace layer_energy::power {

struct PeriodEstimate {
  double period_s = 0.0;
  // "inferred": timed from value changes; "update_interval": the source's update_period_s(), which comes from the
  // driver's own setting (a Jetson hwmon update_interval); "nominal": the source's update_period_s(), a documented
  // default rather than anything read from the device.
  std::string method;
  int changes = 0;  // value changes seen while timing (all polled rails together)
};

// Reads the polled (non edge-only) rails up to `reads` times, sleeping `spacing_s` between reads and stopping after
// `max_s` seconds, and takes per rail the shortest interval between two successive value changes; the estimate is the
// shortest over all rails. Intervals under 0.2 ms are taken as timestamp noise (two reads of one refresh) and ignored.
// The shortest interval is the refresh period as long as some two successive refreshes both changed the value; a
// load that changes slower than the refresh makes intervals longer, never shorter.
// Each change is placed in the middle between the last reading with the old value and the first with the new one.
// A late reading (reader descheduled, slow I2C read) makes that window wide and the next interval short by up to its
// width, so only changes whose windows are at most two median read gaps wide take part (all do when no pair is).
// With fewer than 3 changes (a constant load: a value that does not change cannot be timed), falls back to the
// source's update_period_s() with method "update_interval" when its traits() say the period was read from the
// driver, else "nominal".
// Blocks for up to max_s (plus one read). Must not run while a Sampler polls the same source.
PeriodEstimate infer_update_period(PowerSource& source, int reads = 1000, double spacing_s = 0.001, double max_s = 2.0);

// Rails whose readings did not change at all within [t0, t1] although the window holds at least `min_samples`
// readings spanning more than `min_periods` update periods: a sensor that refreshes every update_period_s cannot
// stay exactly equal that long unless it is stuck (a stale file, a hung driver). Only polled rails are checked
// (edge-only rails have two readings per window); a power rail reading exactly 0 throughout is taken as switched
// off (e.g. an idle GPU rail on a Jetson Nano), not stuck. A cumulative counter that does not move is stuck.
// Returns one line per stuck rail: "VDD_IN: 57 readings over 1.20 s did not change (stuck sensor?)".
// series and rails are index-aligned (a Sampler's snapshot() and its source's rails()).
std::vector<std::string> stuck_rails(const std::vector<Series>& series, const std::vector<Rail>& rails, double t0,
                                     double t1, double update_period_s, int min_periods = 10, int min_samples = 10);

}  // namespace layer_energy::power
