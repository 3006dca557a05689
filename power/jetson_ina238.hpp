// The INA238 of Jetson Thor's module input (mainline hwmon driver `ina238`, kernel Documentation/hwmon/ina238.rst):
// found under /sys/class/hwmon by its `name`, read as power1_input (uW) or, without it, in1_input (mV) x curr1_input
// (mA). Its rail is the whole module's input (VIN in tegrastats), so it is the default total alone.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "power/jetson_discovery.hpp"

namespace layer_energy::power::jetson {

// An INA238 hwmon directory and the i2c device it belongs to, before it becomes a chip and a channel.
struct Ina238Found {
  std::string device;  // i2c device from the hwmon's `device` link ("2-0044"); the hwmon<N> name without one
  std::string dir;     // <root>/sys/class/hwmon/hwmon<N>
};

// Every hwmon directory whose `name` is "ina238", in no particular order.
std::vector<Ina238Found> find_ina238(const std::string& sysfs_root);

// Appends the chip and, unless its label is "NC", its one channel. `sole`: the board has no other INA238, so this
// one is the module input; an unlabelled sole INA238 is the rail "VIN", several are "INA238_<device>".
void add_ina238(const Ina238Found& found, bool sole, Monitors& monitors);

// One reading in watts, as jetson::read_watts (which dispatches here for Part::ina238).
std::optional<double> read_ina238_watts(const Channel& channel, std::string* why);

}  // namespace layer_energy::power::jetson
