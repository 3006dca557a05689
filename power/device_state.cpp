#include "power/device_state.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <utility>

namespace layer_energy::power {
namespace {

// The clock counts as moved when the edges differ by more than this fraction of the larger one.
constexpr double kClockMovedFraction = 0.01;
// nvbench's throttle threshold: a clock below this fraction of the maximum is throttled.
constexpr double kThrottleFraction = 0.75;

class UnavailableStateReader final : public DeviceStateReader {
 public:
  explicit UnavailableStateReader(std::string why) : why_(std::move(why)) {}
  DeviceState read() override { return {}; }
  std::map<std::string, std::string> context() const override { return {}; }
  std::string description() const override { return "none (" + why_ + ")"; }

 private:
  std::string why_;
};

// A decimal NVML index ("0", "1") rather than a PCI bus id ("00000000:01:00.0").
bool is_index(const std::string& text) {
  return !text.empty() && text.size() < 6 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::unique_ptr<DeviceStateReader> make_unavailable_state_reader(const std::string& why) {
  return std::make_unique<UnavailableStateReader>(why);
}

std::unique_ptr<DeviceStateReader> make_device_state_reader(const std::string& sysfs_root,
                                                            const std::string& nvml_pci_bus_id,
                                                            const std::string& nvml_library) {
  std::string jetson_why;
  if (auto reader = make_jetson_state_reader(sysfs_root, &jetson_why)) return reader;

  NvmlOptions options;
  if (is_index(nvml_pci_bus_id)) {
    options.index = static_cast<unsigned>(std::strtoul(nvml_pci_bus_id.c_str(), nullptr, 10));
  } else {
    options.pci_bus_id = nvml_pci_bus_id;
  }
  options.library = nvml_library;
  std::string nvml_why;
  if (auto reader = make_nvml_state_reader(options, &nvml_why)) return reader;

  return make_unavailable_state_reader(jetson_why + "; " + nvml_why);
}

WindowState summarize(const DeviceState& begin, const DeviceState& end, double max_clock_mhz) {
  WindowState window;
  const double b = begin.gpu_clock_mhz;
  const double e = end.gpu_clock_mhz;
  const bool has_b = std::isfinite(b);
  const bool has_e = std::isfinite(e);

  if (std::isfinite(begin.temp_c) && std::isfinite(end.temp_c)) {
    window.temp_c = std::max(begin.temp_c, end.temp_c);
  } else if (std::isfinite(begin.temp_c)) {
    window.temp_c = begin.temp_c;
  } else if (std::isfinite(end.temp_c)) {
    window.temp_c = end.temp_c;
  }

  if (!has_b && !has_e) return window;  // clock and throttled stay NaN
  window.gpu_clock_mhz = has_b && has_e ? 0.5 * (b + e) : (has_b ? b : e);

  bool throttled = false;
  if (has_b && has_e && std::fabs(b - e) > kClockMovedFraction * std::max(b, e)) throttled = true;
  if (std::isfinite(max_clock_mhz) && max_clock_mhz > 0.0) {
    const double floor_mhz = kThrottleFraction * max_clock_mhz;
    if ((has_b && b < floor_mhz) || (has_e && e < floor_mhz)) throttled = true;
  }
  window.throttled = throttled ? 1.0 : 0.0;
  return window;
}

}  // namespace layer_energy::power
