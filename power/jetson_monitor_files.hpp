// What the Jetson power-monitor readers (INA3221, INA238) share about their sysfs files: reading a value with the
// root-only fix named, labels, bounds and their one-line messages, paths and the i2c device order.
#pragma once

#include <optional>
#include <string>

namespace layer_energy::power::jetson {

struct Range {
  double lo;
  double hi;
};

bool outside(long long value, Range range);

// "PATH: bus voltage -5000 mV is outside what an INA3221 can report (-100..28600 mV)"; detail goes after the chip
// name (" through 5000 uOhm").
std::string out_of_range(const std::string& path, const char* what, long long value, Range range, const char* unit,
                         const char* chip, const std::string& detail = {});

// A value file; when it is root-only, *why names the file and the fix: run as root, or `udev_rule`.
std::optional<long long> read_value(const std::string& path, const char* udev_rule, std::string* why);

std::string trim(const std::string& s);
bool starts_with(const std::string& s, const std::string& prefix);
// dir/name
std::string child(const std::string& dir, const std::string& name);
// The first child directory whose name starts with prefix ("hwmon" under hwmon/, "iio:device"), or "".
std::string child_with_prefix(const std::string& dir, const std::string& prefix);

// A rail label worth listing: present, non-empty, and not the "NC" (not connected) placeholder.
std::optional<std::string> usable_label(const std::string& path, std::string* why);

// Orders "2-0040" before "10-0040" (bus number, then address); names that are not i2c devices go last.
bool device_less(const std::string& a, const std::string& b);

}  // namespace layer_energy::power::jetson
