// GPU/board state at the edges of a measurement window: GPU clock and temperature, from a Jetson's devfreq and thermal
// zones or from NVML, so each case can say whether the clock held (`gpu_clock_MHz`, `temp_C`, `throttled`) and the
// context can carry the clock limits, the devfreq governor and the nvpmodel mode.
#pragma once

#include <limits>
#include <map>
#include <memory>
#include <string>

#include "power/nvml_source.hpp"

namespace layer_energy::power {

// One reading; NaN where not readable.
struct DeviceState {
  double gpu_clock_mhz = std::numeric_limits<double>::quiet_NaN();
  double temp_c = std::numeric_limits<double>::quiet_NaN();
};

class DeviceStateReader {
 public:
  DeviceStateReader() = default;
  DeviceStateReader(const DeviceStateReader&) = delete;
  DeviceStateReader& operator=(const DeviceStateReader&) = delete;
  virtual ~DeviceStateReader() = default;

  // Cheap enough to call at window edges (a few file reads or NVML calls, well under 1 ms). Never throws.
  virtual DeviceState read() = 0;
  // Facts for the benchmark context, e.g. gpu_max_clock_MHz, gpu_devfreq_governor, nvpmodel_status.
  virtual std::map<std::string, std::string> context() const = 0;
  // "jetson devfreq", "nvml", or "none (why)".
  virtual std::string description() const = 0;
  // The clock the throttle rule compares against (MHz), as in context()'s gpu_max_clock_MHz; NaN when unknown.
  virtual double max_clock_mhz() const { return std::numeric_limits<double>::quiet_NaN(); }
};

// sysfs_root: as --power_sysfs_root (also prefixes /etc/nvpmodel.conf and /var/lib/nvpmodel/status).
// nvml_pci_bus_id: the GPU's PCI bus id, or a decimal NVML index; empty: index 0. nvml_library: as NvmlOptions.
// Jetson (a GPU devfreq node found) first, else NVML when it reads a clock, else a reader that returns NaN and says
// why.
std::unique_ptr<DeviceStateReader> make_device_state_reader(const std::string& sysfs_root,
                                                            const std::string& nvml_pci_bus_id,
                                                            const std::string& nvml_library = "");

// The building blocks of make_device_state_reader. Each returns nullptr and sets *why (one line) when it cannot read
// a GPU clock.
std::unique_ptr<DeviceStateReader> make_jetson_state_reader(const std::string& sysfs_root, std::string* why);
std::unique_ptr<DeviceStateReader> make_nvml_state_reader(const NvmlOptions& options, std::string* why);
// A reader whose readings are NaN; description() is "none (<why>)".
std::unique_ptr<DeviceStateReader> make_unavailable_state_reader(const std::string& why);

// Window summary for the case counters. gpu_clock_mhz: mean of the edge readings that are numbers; temp_c: their
// maximum; throttled: 1 when the two edge clocks differ by more than 1% or any edge clock is below 75% of
// max_clock_mhz (nvbench's threshold; skipped when max_clock_mhz is NaN or not positive), else 0; NaN when no clock.
struct WindowState {
  double gpu_clock_mhz = std::numeric_limits<double>::quiet_NaN();
  double temp_c = std::numeric_limits<double>::quiet_NaN();
  double throttled = std::numeric_limits<double>::quiet_NaN();
};
WindowState summarize(const DeviceState& begin, const DeviceState& end, double max_clock_mhz);

}  // namespace layer_energy::power
