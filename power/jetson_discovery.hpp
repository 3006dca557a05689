// Finding a Jetson's power monitors in sysfs: its INA3221 chips (which driver generation, which labelled channels) and,
// on Jetson Thor, the INA238 on the module input. Discovery scans for the chips' names instead of using board tables,
// so boards not listed anywhere work. Run once per board by jetson::Board (power/jetson_board.hpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace layer_energy::power::jetson {

// hwmon: a mainline hwmon driver (`ina3221` on L4T >= 34, `ina238`). iio: NVIDIA's legacy `ina3221x` (L4T <= 32).
enum class Driver { hwmon, iio };
const char* driver_name(Driver d);  // "hwmon" or "iio"

// Which monitor chip: the three-channel INA3221 of every Jetson, or the one-channel INA238 (Thor's module input).
enum class Part { ina3221, ina238 };

// One monitor chip.
struct Chip {
  std::string device;  // i2c device name, e.g. "1-0040" (an INA238 without a device link: its hwmon<N> name)
  Driver driver = Driver::hwmon;
  Part part = Part::ina3221;
  std::string dir;                              // absolute hwmon/hwmon<N> or iio:device<N> directory
  std::optional<long long> update_interval_ms;  // hwmon only
  std::optional<long long> samples;             // hwmon only
  std::optional<long long> running_mode;        // iio only: 0 triggered, 1 continuous
};

// One labelled channel = one rail. Paths are absolute and precomputed so a poll does no directory scan.
struct Channel {
  std::string rail;
  Driver driver = Driver::hwmon;
  Part part = Part::ina3221;
  std::size_t chip = 0;      // index into Monitors::chips
  std::string power_path;    // iio: in_power<ch>_input (mW); INA238: power1_input (uW), empty when V x I is read
  std::string voltage_path;  // hwmon: in<k>_input (mV); INA238: in1_input (bus voltage, mV)
  std::string current_path;  // hwmon: curr<k>_input (mA); INA238: curr1_input (mA)
  double shunt_ohm = 0.0;    // hwmon: shunt<k>_resistor / shunt_resistor; 0 when unknown (always on legacy iio)
  double resolution_w = 0.0;
  bool module_input = false;  // measures the whole module's input, which contains every other rail (Thor's INA238)
};

struct Monitors {
  std::vector<Chip> chips;  // in i2c device order
  std::vector<Channel> channels;
  std::string problem;  // why no channel was found; empty when channels is not empty
};

// Never throws (except on memory exhaustion).
Monitors discover_monitors(const std::string& sysfs_root);

// One reading of a channel in watts; nullopt with *why (one line naming the file) when it cannot be read, when the
// file is readable by root only (the reason names the fix), or when the value is outside what the chip can report
// (the reason names the file and the value).
std::optional<double> read_watts(const Channel& channel, std::string* why);

}  // namespace layer_energy::power::jetson
