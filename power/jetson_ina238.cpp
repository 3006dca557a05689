#include "power/jetson_ina238.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>

#include "power/jetson_monitor_files.hpp"
#include "power/sysfs.hpp"

namespace layer_energy::power::jetson {
namespace {

constexpr const char* kChip = "INA238";

// What an INA238 can report (TI datasheet), with the INA3221 code's 10% margin, so that a corrupted or misread value
// becomes a read failure instead of being integrated.
constexpr double kBusMaxMv = 85000.0 * 1.1;         // bus range 0..85 V
constexpr double kBusMinMv = -100.0;                // a rail that is off reads a few LSBs around 0
constexpr double kShuntFullScaleV = 0.16384 * 1.1;  // shunt ADC full scale 163.84 mV (ADCRANGE 0), 10% margin
constexpr double kBusLsbV = 0.003125;
// The driver's fixed calibration makes one current step 20000 / shunt(uOhm) mA at its default gain of 4
// (ina238.c), i.e. 2e-5 A·Ohm / shunt; the power register's step is 0.2 x the current step (datasheet).
constexpr double kCurrentStepAOhm = 2e-5;
constexpr double kPowerPerCurrentStep = 0.2;
// An idle or off rail reads a few current steps either side of zero; more negative than this is not a reading.
constexpr double kNegativeCurrentSteps = 4.0;
// Shunt unknown (no shunt_resistor): 1 mOhm, below any module-input shunt to expect, so the bounds come out wide and
// the resolution coarse, never the reverse.
constexpr double kUnknownShuntOhm = 0.001;

constexpr const char* kUdevRule =
    "ACTION==\"add\", SUBSYSTEM==\"hwmon\", ATTR{name}==\"ina238\", "
    "RUN+=\"/bin/sh -c 'chmod o+r /sys%p/in*_input /sys%p/curr*_input /sys%p/power*_input'\"";

double shunt_or_unknown(double shunt_ohm) {
  return shunt_ohm > 0 ? shunt_ohm : kUnknownShuntOhm;
}

Range bus_range_mv() {
  return {kBusMinMv, kBusMaxMv};
}

Range current_range_ma(double shunt_ohm) {
  const double ohm = shunt_or_unknown(shunt_ohm);
  return {-kNegativeCurrentSteps * kCurrentStepAOhm / ohm * 1000.0, kShuntFullScaleV / ohm * 1000.0};
}

// power1_input in uW: the POWER register is unsigned, up to the bus maximum times the largest current.
Range power_range_uw(double shunt_ohm) {
  return {0.0, kBusMaxMv * current_range_ma(shunt_ohm).hi};
}

// The label NVIDIA's device tree may give it (any of the channel's label files), "NC" for not connected; nullopt
// when none is there or readable.
std::optional<std::string> label_of(const std::string& dir) {
  for (const char* file : {"power1_label", "curr1_label", "in1_label"}) {
    const auto text = sysfs::read_line(child(dir, file));
    if (text && !trim(*text).empty()) return trim(*text);
  }
  return std::nullopt;
}

// Worst-case step of the reading: the power register's step, or V·ΔI + I·ΔV at the operating point for V x I.
double resolution_w(const Channel& channel) {
  const double current_step_a = kCurrentStepAOhm / shunt_or_unknown(channel.shunt_ohm);
  if (!channel.power_path.empty()) return kPowerPerCurrentStep * current_step_a;
  const auto mv = sysfs::read_integer(channel.voltage_path);
  const auto ma = sysfs::read_integer(channel.current_path);
  const double volts = mv ? std::fabs(static_cast<double>(*mv)) / 1000.0 : kBusMaxMv / 1000.0;
  const double amps = ma ? std::fabs(static_cast<double>(*ma)) / 1000.0 : 0.0;
  return std::max(volts * current_step_a + amps * kBusLsbV, current_step_a * kBusLsbV);
}

std::string basename_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::vector<Ina238Found> find_ina238(const std::string& sysfs_root) {
  std::vector<Ina238Found> found;
  const std::string class_dir = sysfs::join(sysfs_root, "/sys/class/hwmon");
  for (const auto& entry : sysfs::list_directory(class_dir)) {
    const std::string dir = child(class_dir, entry);
    const auto name = sysfs::read_line(child(dir, "name"));
    if (!name || trim(*name) != "ina238") continue;
    const auto device = sysfs::real_path(child(dir, "device"));
    found.push_back(Ina238Found{device ? basename_of(*device) : entry, dir});
  }
  return found;
}

void add_ina238(const Ina238Found& found, bool sole, Monitors& monitors) {
  Chip chip;
  chip.device = found.device;
  chip.driver = Driver::hwmon;
  chip.part = Part::ina238;
  chip.dir = found.dir;
  chip.update_interval_ms = sysfs::read_integer(child(found.dir, "update_interval"));
  chip.samples = sysfs::read_integer(child(found.dir, "samples"));
  monitors.chips.push_back(chip);

  const auto label = label_of(found.dir);
  if (label && *label == "NC") return;
  Channel channel;
  channel.rail = label ? *label : sole ? std::string("VIN") : "INA238_" + found.device;
  channel.driver = Driver::hwmon;
  channel.part = Part::ina238;
  channel.chip = monitors.chips.size() - 1;
  // The chip computes power itself; without a readable power1_input, bus voltage times current is the same rail.
  const std::string power_path = child(found.dir, "power1_input");
  if (sysfs::read_integer(power_path)) channel.power_path = power_path;
  channel.voltage_path = child(found.dir, "in1_input");
  channel.current_path = child(found.dir, "curr1_input");
  const auto shunt_uohm = sysfs::read_integer(child(found.dir, "shunt_resistor"));
  channel.shunt_ohm = shunt_uohm && *shunt_uohm > 0 ? static_cast<double>(*shunt_uohm) * 1e-6 : 0.0;
  channel.resolution_w = resolution_w(channel);
  channel.module_input = sole;  // with several, which one feeds the module is not known
  monitors.channels.push_back(std::move(channel));
}

std::optional<double> read_ina238_watts(const Channel& channel, std::string* why) {
  std::string ignored;
  if (!why) why = &ignored;
  if (!channel.power_path.empty()) {
    const auto uw = read_value(channel.power_path, kUdevRule, why);
    if (!uw) return std::nullopt;
    if (outside(*uw, power_range_uw(channel.shunt_ohm))) {
      *why = out_of_range(channel.power_path, "power", *uw, power_range_uw(channel.shunt_ohm), "uW", kChip);
      return std::nullopt;
    }
    return static_cast<double>(*uw) / 1e6;
  }
  const auto mv = read_value(channel.voltage_path, kUdevRule, why);
  if (!mv) return std::nullopt;
  if (outside(*mv, bus_range_mv())) {
    *why = out_of_range(channel.voltage_path, "bus voltage", *mv, bus_range_mv(), "mV", kChip);
    return std::nullopt;
  }
  const auto ma = read_value(channel.current_path, kUdevRule, why);
  if (!ma) return std::nullopt;
  if (outside(*ma, current_range_ma(channel.shunt_ohm))) {
    *why = out_of_range(channel.current_path, "current", *ma, current_range_ma(channel.shunt_ohm), "mA", kChip);
    return std::nullopt;
  }
  return static_cast<double>(*mv) * static_cast<double>(*ma) / 1e6;
}

}  // namespace layer_energy::power::jetson
