#include "power/jetson_discovery.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <tuple>

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

struct Range {
  double lo;
  double hi;
};

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

// "PATH: bus voltage -5000 mV is outside what an INA3221 can report (-100..28600 mV)"
std::string out_of_range(const std::string& path, const char* what, long long value, Range range, const char* unit,
                         const std::string& detail = {}) {
  return path + ": " + what + " " + std::to_string(value) + " " + unit + " is outside what an INA3221 can report" +
         detail + " (" + std::to_string(std::llround(range.lo)) + ".." + std::to_string(std::llround(range.hi)) + " " +
         unit + ")";
}

bool outside(long long value, Range range) {
  return static_cast<double>(value) < range.lo || static_cast<double>(value) > range.hi;
}


// One line naming the fix, like the RAPL source's: run as root, or a udev rule that opens the chip's value files.
std::string root_only_reason(Driver driver, const std::string& path) {
  const char* rule = driver == Driver::hwmon ? "ACTION==\"add\", SUBSYSTEM==\"hwmon\", ATTR{name}==\"ina3221\", "
                                               "RUN+=\"/bin/sh -c 'chmod o+r /sys%p/in*_input /sys%p/curr*_input'\""
                                             : "ACTION==\"add\", SUBSYSTEM==\"iio\", ATTR{name}==\"ina3221x\", "
                                               "RUN+=\"/bin/sh -c 'chmod o+r /sys%p/in_power*_input'\"";
  return path + ": Permission denied (readable by root only): run as root, or add a udev rule: " + rule;
}

// A channel's integer file; a permission failure is reported with its fix.
std::optional<long long> read_value(Driver driver, const std::string& path, std::string* why) {
  auto value = sysfs::read_integer(path, why);
  if (!value && why && sysfs::permission_denied(path)) *why = root_only_reason(driver, path);
  return value;
}

std::string trim(const std::string& s) {
  const char* blanks = " \t\r\n";
  const auto first = s.find_first_not_of(blanks);
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(blanks) - first + 1);
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// Orders "2-0040" before "10-0040" (bus number, then address), so rail order is stable and natural.
bool device_less(const std::string& a, const std::string& b) {
  auto key = [](const std::string& s) {
    char* end = nullptr;
    const long bus = std::strtol(s.c_str(), &end, 10);
    const bool numeric = end != s.c_str() && *end == '-';
    return std::make_tuple(!numeric, numeric ? bus : 0L, numeric ? std::string(end) : s);
  };
  return key(a) < key(b);
}

// dir/name
std::string child(const std::string& dir, const std::string& name) {
  std::string path = dir;
  path += '/';
  path += name;
  return path;
}

// The first child directory whose name starts with prefix ("hwmon" under hwmon/, "iio:device"), or "".
std::string child_with_prefix(const std::string& dir, const std::string& prefix) {
  for (const auto& name : sysfs::list_directory(dir)) {
    if (starts_with(name, prefix) && sysfs::is_directory(child(dir, name))) return child(dir, name);
  }
  return {};
}

// A rail label worth listing: present, non-empty, and not the "NC" (not connected) placeholder.
std::optional<std::string> usable_label(const std::string& path, std::string* why) {
  if (!sysfs::exists(path)) return std::nullopt;
  auto label = sysfs::read_line(path, why);
  if (!label) return std::nullopt;
  std::string name = trim(*label);
  if (name.empty() || name == "NC") return std::nullopt;
  return name;
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

void add_hwmon_channels(const Chip& chip, std::size_t chip_index, Layout& layout, std::string& label_why) {
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
    layout.channels.push_back(std::move(channel));
  }
}

void add_iio_channels(const Chip& chip, std::size_t chip_index, Layout& layout, std::string& label_why) {
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
    layout.channels.push_back(std::move(channel));
  }
}

std::string read_board(const std::string& root) {
  const auto model = sysfs::read_line(sysfs::join(root, "/proc/device-tree/model"));
  if (!model || trim(*model).empty()) return "unknown Jetson";
  return trim(*model);
}

}  // namespace

const char* driver_name(Driver d) {
  return d == Driver::hwmon ? "hwmon" : "iio";
}

Layout discover(const std::string& sysfs_root) {
  Layout layout;
  layout.board = read_board(sysfs_root);
  const std::string devices_dir = sysfs::join(sysfs_root, "/sys/bus/i2c/devices");

  std::vector<std::string> devices;
  for (const auto& device : sysfs::list_directory(devices_dir)) {
    const auto name = sysfs::read_line(child(child(devices_dir, device), "name"));
    if (name && (trim(*name) == "ina3221" || trim(*name) == "ina3221x")) devices.push_back(device);
  }
  if (devices.empty()) {
    layout.problem = "no INA3221 power monitor under " + devices_dir + " (not a Jetson, or a Nano 2GB which has none)";
    return layout;
  }
  std::sort(devices.begin(), devices.end(), device_less);

  std::string unbound;    // first chip without a driver directory
  std::string label_why;  // first label that could not be read
  for (const auto& device : devices) {
    const std::string device_dir = child(devices_dir, device);
    Chip chip;
    chip.device = device;
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
    layout.chips.push_back(chip);
    const std::size_t index = layout.chips.size() - 1;
    if (chip.driver == Driver::hwmon) {
      add_hwmon_channels(chip, index, layout, label_why);
    } else {
      add_iio_channels(chip, index, layout, label_why);
    }
  }

  if (layout.chips.empty()) {
    layout.problem = "INA3221 at " + unbound + " has no hwmon/hwmon* or iio:device* directory (driver not bound?)";
  } else if (layout.channels.empty()) {
    layout.problem = "no labelled rail on the INA3221 under " + layout.chips.front().dir;
    if (!label_why.empty()) layout.problem += " (" + label_why + ")";
  }
  return layout;
}

std::optional<double> read_watts(const Channel& channel, std::string* why) {
  std::string ignored;
  if (!why) why = &ignored;
  if (channel.driver == Driver::iio) {
    const auto mw = read_value(channel.driver, channel.power_path, why);
    if (!mw) return std::nullopt;
    if (outside(*mw, legacy_power_range_mw())) {
      *why = out_of_range(channel.power_path, "power", *mw, legacy_power_range_mw(), "mW");
      return std::nullopt;
    }
    return static_cast<double>(*mw) / 1000.0;
  }
  const auto mv = read_value(channel.driver, channel.voltage_path, why);
  if (!mv) return std::nullopt;
  if (outside(*mv, Range{kBusMinMv, kBusMaxMv})) {
    *why = out_of_range(channel.voltage_path, "bus voltage", *mv, Range{kBusMinMv, kBusMaxMv}, "mV");
    return std::nullopt;
  }
  const auto ma = read_value(channel.driver, channel.current_path, why);
  if (!ma) return std::nullopt;
  if (outside(*ma, current_range_ma(channel.shunt_ohm))) {
    const std::string shunt = channel.shunt_ohm > 0
                                  ? " through " + std::to_string(std::llround(channel.shunt_ohm * 1e6)) + " uOhm"
                                  : std::string();
    *why = out_of_range(channel.current_path, "current", *ma, current_range_ma(channel.shunt_ohm), "mA", shunt);
    return std::nullopt;
  }
  return static_cast<double>(*mv) * static_cast<double>(*ma) / 1e6;
}

}  // namespace layer_energy::power::jetson
