#include "power/jetson_discovery.hpp"

#include <algorithm>
#include <cmath>

#include "power/jetson_ina238.hpp"
#include "power/jetson_monitor_files.hpp"
#include "power/sysfs.hpp"

namespace layer_energy::power::jetson {
namespace {

constexpr int kHwmonChannels = 3;            // in1..in3; in7 (sum of shunt voltages) is never a rail
constexpr int kIioChannels = 3;              // rail_name_0..2
constexpr double kShuntLsbV = 40e-6;         // INA3221 shunt-voltage LSB
constexpr double kBusLsbV = 0.008;           // INA3221 bus-voltage LSB
constexpr double kHwmonDefaultResW = 0.005;  // when the shunt resistor is unknown
constexpr double kIioResW = 0.001;           // legacy power is integer mW

// What an INA3221 can report (TI datasheet), with a margin, so that a corrupted or misread value becomes a read
// failure instead of being integrated (a -5 V bus reading gives negative idle power, a 510 kV one absurd energy). Rails
// on a Jetson carry current into the load only, so a negative current or power can only be the chip's offset.
constexpr double kBusMaxMv = 26000.0 * 1.1;         // bus (common-mode) range 0..26 V; 10% for gain error and LSBs
constexpr double kBusMinMv = -100.0;                // a rail that is off reads a few 8 mV LSBs around 0
constexpr double kShuntFullScaleV = 0.16384 * 1.1;  // shunt ADC full scale 163.84 mV, 10% margin
// Shunt offset at most 80 uV; four times that, since real boards print more (AGX Orin VDD_CPU_CV -398 mW).
constexpr double kShuntOffsetV = 4 * 80e-6;
// The smallest shunt on any Jetson (AGX Orin, 2 mOhm), which bounds the current where the shunt is unknown (legacy):
// at most 163.84 mV / 2 mOhm = 82 A.
constexpr double kSmallestJetsonShuntOhm = 0.002;

constexpr const char* kChip = "INA3221";

// Current in mA an INA3221 can report through the given shunt (0: unknown, take the smallest Jetson shunt).
Range current_range_ma(double shunt_ohm) {
  const double ohm = shunt_ohm > 0 ? shunt_ohm : kSmallestJetsonShuntOhm;
  return {-kShuntOffsetV / ohm * 1000.0, kShuntFullScaleV / ohm * 1000.0};
}

// Legacy power in mW: the bus maximum times the current range of the smallest shunt.
Range legacy_power_range_mw() {
  const Range ma = current_range_ma(0.0);
  return {kBusMaxMv * ma.lo / 1000.0, kBusMaxMv * ma.hi / 1000.0};
}

// The udev rule that opens the chip's value files to everyone, like the RAPL source's fix.
const char* udev_rule(Driver driver) {
  return driver == Driver::hwmon ? "ACTION==\"add\", SUBSYSTEM==\"hwmon\", ATTR{name}==\"ina3221\", "
                                   "RUN+=\"/bin/sh -c 'chmod o+r /sys%p/in*_input /sys%p/curr*_input'\""
                                 : "ACTION==\"add\", SUBSYSTEM==\"iio\", ATTR{name}==\"ina3221x\", "
                                   "RUN+=\"/bin/sh -c 'chmod o+r /sys%p/in_power*_input'\"";
}

// shunt<k>_resistor in ohms, 0 when missing or not positive.
double hwmon_shunt_ohm(const std::string& dir, const std::string& k) {
  const auto shunt_uohm = sysfs::read_integer(dir + "/shunt" + k + "_resistor");
  return shunt_uohm && *shunt_uohm > 0 ? static_cast<double>(*shunt_uohm) * 1e-6 : 0.0;
}

// Worst-case step of V·I from the chip's LSBs at the current operating point: V·ΔI + I·ΔV.
double hwmon_resolution(const Channel& channel) {
  if (channel.shunt_ohm <= 0) return kHwmonDefaultResW;
  const double current_lsb_a = kShuntLsbV / channel.shunt_ohm;
  const auto mv = sysfs::read_integer(channel.voltage_path);
  const auto ma = sysfs::read_integer(channel.current_path);
  if (!mv || !ma) return kHwmonDefaultResW;
  const double volts = std::fabs(static_cast<double>(*mv)) / 1000.0;
  const double amps = std::fabs(static_cast<double>(*ma)) / 1000.0;
  return std::max(volts * current_lsb_a + amps * kBusLsbV, current_lsb_a * kBusLsbV);
}

void add_hwmon_channels(const Chip& chip, std::size_t chip_index, Monitors& monitors, std::string& label_why) {
  for (int ch = 1; ch <= kHwmonChannels; ++ch) {
    const std::string k = std::to_string(ch);
    const auto enabled = sysfs::read_integer(chip.dir + "/in" + k + "_enable");
    if (enabled && *enabled == 0) continue;  // a disabled channel reads no data
    std::string why;
    const auto label = usable_label(chip.dir + "/in" + k + "_label", &why);
    if (!label) {
      if (label_why.empty()) label_why = why;
      continue;
    }
    Channel channel;
    channel.rail = *label;
    channel.driver = Driver::hwmon;
    channel.chip = chip_index;
    channel.voltage_path = chip.dir + "/in" + k + "_input";
    channel.current_path = chip.dir + "/curr" + k + "_input";
    channel.shunt_ohm = hwmon_shunt_ohm(chip.dir, k);
    channel.resolution_w = hwmon_resolution(channel);
    monitors.channels.push_back(std::move(channel));
  }
}

void add_iio_channels(const Chip& chip, std::size_t chip_index, Monitors& monitors, std::string& label_why) {
  for (int ch = 0; ch < kIioChannels; ++ch) {
    const std::string k = std::to_string(ch);
    std::string why;
    const auto label = usable_label(chip.dir + "/rail_name_" + k, &why);
    if (!label) {
      if (label_why.empty()) label_why = why;
      continue;
    }
    Channel channel;
    channel.rail = *label;
    channel.driver = Driver::iio;
    channel.chip = chip_index;
    channel.power_path = chip.dir + "/in_power" + k + "_input";
    channel.resolution_w = kIioResW;
    monitors.channels.push_back(std::move(channel));
  }
}

}  // namespace

const char* driver_name(Driver d) {
  return d == Driver::hwmon ? "hwmon" : "iio";
}

Monitors discover_monitors(const std::string& sysfs_root) {
  Monitors monitors;
  const std::string devices_dir = sysfs::join(sysfs_root, "/sys/bus/i2c/devices");

  std::vector<std::string> ina3221;
  for (const auto& device : sysfs::list_directory(devices_dir)) {
    const auto name = sysfs::read_line(child(child(devices_dir, device), "name"));
    if (name && (trim(*name) == "ina3221" || trim(*name) == "ina3221x")) ina3221.push_back(device);
  }
  if (ina3221.empty()) {
    monitors.problem =
        "no INA3221 power monitor under " + devices_dir + " (not a Jetson, or a Nano 2GB which has none)";
    return monitors;
  }
  // Only next to a Jetson's own INA3221s is an INA238 the module input (Thor): switches and servers carry INA238s too.
  const std::vector<Ina238Found> ina238 = find_ina238(sysfs_root);

  // Every chip in one i2c device order, whichever part it is, so rail order is stable and natural.
  struct Found {
    std::string device;
    Part part;
    std::size_t index;  // into ina3221 or ina238
  };
  std::vector<Found> found;
  for (std::size_t i = 0; i < ina3221.size(); ++i) found.push_back(Found{ina3221[i], Part::ina3221, i});
  for (std::size_t i = 0; i < ina238.size(); ++i) found.push_back(Found{ina238[i].device, Part::ina238, i});
  std::stable_sort(found.begin(), found.end(),
                   [](const Found& a, const Found& b) { return device_less(a.device, b.device); });

  std::string unbound;    // first INA3221 without a driver directory
  std::string label_why;  // first INA3221 label that could not be read
  for (const auto& next : found) {
    if (next.part == Part::ina238) {
      add_ina238(ina238[next.index], ina238.size() == 1, monitors);
      continue;
    }
    const std::string device_dir = child(devices_dir, next.device);
    Chip chip;
    chip.device = next.device;
    // The child directory, not the name file, tells the generation: it is what the reads depend on.
    chip.dir = child_with_prefix(child(device_dir, "hwmon"), "hwmon");
    if (!chip.dir.empty()) {
      chip.driver = Driver::hwmon;
      chip.update_interval_ms = sysfs::read_integer(chip.dir + "/update_interval");
      chip.samples = sysfs::read_integer(chip.dir + "/samples");
    } else {
      chip.dir = child_with_prefix(device_dir, "iio:device");
      if (chip.dir.empty()) {
        if (unbound.empty()) unbound = device_dir;
        continue;
      }
      chip.driver = Driver::iio;
      chip.running_mode = sysfs::read_integer(chip.dir + "/running_mode");
    }
    monitors.chips.push_back(chip);
    const std::size_t index = monitors.chips.size() - 1;
    if (chip.driver == Driver::hwmon) {
      add_hwmon_channels(chip, index, monitors, label_why);
    } else {
      add_iio_channels(chip, index, monitors, label_why);
    }
  }

  if (!monitors.channels.empty()) return monitors;
  const auto first_ina3221 = std::find_if(monitors.chips.begin(), monitors.chips.end(),
                                          [](const Chip& chip) { return chip.part == Part::ina3221; });
  if (first_ina3221 == monitors.chips.end()) {
    monitors.problem = "INA3221 at " + unbound + " has no hwmon/hwmon* or iio:device* directory (driver not bound?)";
  } else {
    monitors.problem = "no labelled rail on the INA3221 under " + first_ina3221->dir;
    if (!label_why.empty()) monitors.problem += " (" + label_why + ")";
  }
  return monitors;
}

std::optional<double> read_watts(const Channel& channel, std::string* why) {
  if (channel.part == Part::ina238) return read_ina238_watts(channel, why);
  std::string ignored;
  if (!why) why = &ignored;
  if (channel.driver == Driver::iio) {
    const auto mw = read_value(channel.power_path, udev_rule(channel.driver), why);
    if (!mw) return std::nullopt;
    if (outside(*mw, legacy_power_range_mw())) {
      *why = out_of_range(channel.power_path, "power", *mw, legacy_power_range_mw(), "mW", kChip);
      return std::nullopt;
    }
    return static_cast<double>(*mw) / 1000.0;
  }
  const auto mv = read_value(channel.voltage_path, udev_rule(channel.driver), why);
  if (!mv) return std::nullopt;
  if (outside(*mv, Range{kBusMinMv, kBusMaxMv})) {
    *why = out_of_range(channel.voltage_path, "bus voltage", *mv, Range{kBusMinMv, kBusMaxMv}, "mV", kChip);
    return std::nullopt;
  }
  const auto ma = read_value(channel.current_path, udev_rule(channel.driver), why);
  if (!ma) return std::nullopt;
  if (outside(*ma, current_range_ma(channel.shunt_ohm))) {
    const std::string shunt = channel.shunt_ohm > 0
                                  ? " through " + std::to_string(std::llround(channel.shunt_ohm * 1e6)) + " uOhm"
                                  : std::string();
    *why = out_of_range(channel.current_path, "current", *ma, current_range_ma(channel.shunt_ohm), "mA", kChip, shunt);
    return std::nullopt;
  }
  return static_cast<double>(*mv) * static_cast<double>(*ma) / 1e6;
}

}  // namespace layer_energy::power::jetson
