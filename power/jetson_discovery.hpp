// Finding a Jetson's INA3221 power monitors in sysfs: which chips, which driver generation, which labelled channels.
// Discovery scans the i2c bus for the chip's name instead of using board tables, so boards not listed anywhere work.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace layer_energy::power::jetson {

// hwmon: mainline `ina3221` driver (L4T >= 34). iio: NVIDIA's legacy `ina3221x` driver (L4T <= 32).
enum class Driver { hwmon, iio };
const char* driver_name(Driver d);  // "hwmon" or "iio"

// One INA3221 chip on the i2c bus.
struct Chip {
  std::string device;  // i2c device name, e.g. "1-0040"
  Driver driver = Driver::hwmon;
  std::string dir;                              // absolute hwmon/hwmon<N> or iio:device<N> directory
  std::optional<long long> update_interval_ms;  // hwmon only
  std::optional<long long> samples;             // hwmon only
  std::optional<long long> running_mode;        // iio only: 0 triggered, 1 continuous
};

// One labelled channel = one rail. Paths are absolute and precomputed so a poll does no directory scan.
struct Channel {
  std::string rail;
  Driver driver = Driver::hwmon;
  std::size_t chip = 0;      // index into Layout::chips
  std::string power_path;    // iio: in_power<ch>_input (mW)
  std::string voltage_path;  // hwmon: in<k>_input (mV)
  std::string current_path;  // hwmon: curr<k>_input (mA)
  double shunt_ohm = 0.0;    // hwmon: shunt<k>_resistor; 0 when unknown (always on legacy iio)
  double resolution_w = 0.0;
};

struct Layout {
  std::string board;  // /proc/device-tree/model, or "unknown Jetson"
  std::vector<Chip> chips;
  std::vector<Channel> channels;
  std::string problem;  // why no channel was found; empty when channels is not empty
};

// Never throws (except on memory exhaustion).
Layout discover(const std::string& sysfs_root);

// One reading of a channel in watts; nullopt with *why (one line naming the file) when it cannot be read, when the
// file is readable by root only (the reason names the fix), or when the value is outside what an INA3221 can report
// (the reason names the file and the value).
std::optional<double> read_watts(const Channel& channel, std::string* why);

}  // namespace layer_energy::power::jetson
