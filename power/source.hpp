// The power-source interface: every sensor (Jetson INA3221, NVML, RAPL, a replayed trace) is read through it.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace layer_energy::power {

// What a rail's reading is: an instantaneous power (W) or a cumulative energy counter (J, monotonic, 64-bit).
enum class Quantity { power_w, energy_j };

const char* unit_of(Quantity q);  // "W" or "J"
const char* kind_of(Quantity q);  // "power" or "energy"

struct Rail {
  std::string name;
  Quantity quantity = Quantity::power_w;
  bool default_total = false;  // summed into energy_J unless --power_rails says otherwise
  bool edge_only = false;      // costly to read (NVML energy ~3.5 ms): read at window edges, never polled
  double resolution = 0.0;     // smallest step of the reading, in its unit (W or J)
  // The source knows this rail measures the whole module's input, which contains every other rail (Jetson Thor's
  // INA238), whatever its label: it is the default total alone (rail_selection's choose_default_total).
  bool whole_module = false;
};

// One reading of one rail. t_s is CLOCK_MONOTONIC seconds (std::chrono::steady_clock on Linux), the trace clock.
struct Reading {
  double t_s = 0.0;
  std::size_t rail = 0;  // index into PowerSource::rails()
  double value = 0.0;
};

// A rail that could not be read at t_s; the sampler keeps going and reports the gap.
struct ReadFailure {
  double t_s = 0.0;
  std::size_t rail = 0;
  std::string why;
};

// What a source is, as typed facts the harness branches on (never on name(), which is for display and the context).
struct SourceTraits {
  // A replayed trace (a --power_trace_out CSV or a tegrastats log): its timing is what was recorded, so there is no
  // update period to infer and no stuck sensor to suspect.
  bool recorded = false;
  // board() names the whole machine (a Jetson module's model string), not one device on it, so it is the context's
  // `board`.
  bool board_names_machine = false;
  // update_period_s() is the device's own setting, read from its driver (a Jetson hwmon update_interval on every
  // chip), not a documented default.
  bool period_from_driver = false;
};

class PowerSource {
 public:
  PowerSource() = default;
  PowerSource(const PowerSource&) = delete;
  PowerSource& operator=(const PowerSource&) = delete;
  virtual ~PowerSource() = default;

  // "jetson", "nvml", "rapl", "replay": for messages and the context's power_source only; code branches on traits().
  virtual std::string name() const = 0;
  // Typed capabilities; the default (all false) suits a live sensor of one device (nvml, rapl).
  virtual SourceTraits traits() const { return {}; }
  // Empty when the source can be used; otherwise one line saying why not (kept and shown, never silently dropped).
  virtual std::string unusable_reason() const = 0;
  virtual const std::vector<Rail>& rails() const = 0;
  // How often the sensor's value changes, in seconds.
  virtual double update_period_s() const = 0;
  // Board or device name where the source knows it (Jetson model string, GPU name).
  virtual std::string board() const { return {}; }
  // Extra facts for the benchmark context (driver generation, update_interval, ...).
  virtual std::map<std::string, std::string> context() const { return {}; }

  // Reads the rails now and appends one Reading per rail read (or a ReadFailure).
  // include_edge_only: also read the rails marked edge_only (true at window edges only).
  // Called from one thread at a time (the sampler serialises calls).
  virtual void poll(bool include_edge_only, std::vector<Reading>& out, std::vector<ReadFailure>& failures) = 0;
};

// Seconds on the trace clock (CLOCK_MONOTONIC).
double now_s();

}  // namespace layer_energy::power
