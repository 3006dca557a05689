#include "power/jetson_monitor_files.hpp"

#include <cmath>
#include <cstdlib>
#include <tuple>

#include "power/sysfs.hpp"

namespace layer_energy::power::jetson {

bool outside(long long value, Range range) {
  return static_cast<double>(value) < range.lo || static_cast<double>(value) > range.hi;
}

std::string out_of_range(const std::string& path, const char* what, long long value, Range range, const char* unit,
                         const char* chip, const std::string& detail) {
  return path + ": " + what + " " + std::to_string(value) + " " + unit + " is outside what an " + chip + " can report" +
         detail + " (" + std::to_string(std::llround(range.lo)) + ".." + std::to_string(std::llround(range.hi)) + " " +
         unit + ")";
}

std::optional<long long> read_value(const std::string& path, const char* udev_rule, std::string* why) {
  auto value = sysfs::read_integer(path, why);
  if (!value && why && sysfs::permission_denied(path)) {
    *why = path + ": Permission denied (readable by root only): run as root, or add a udev rule: " + udev_rule;
  }
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

std::string child(const std::string& dir, const std::string& name) {
  std::string path = dir;
  path += '/';
  path += name;
  return path;
}

std::string child_with_prefix(const std::string& dir, const std::string& prefix) {
  for (const auto& name : sysfs::list_directory(dir)) {
    if (starts_with(name, prefix) && sysfs::is_directory(child(dir, name))) return child(dir, name);
  }
  return {};
}

std::optional<std::string> usable_label(const std::string& path, std::string* why) {
  if (!sysfs::exists(path)) return std::nullopt;
  auto label = sysfs::read_line(path, why);
  if (!label) return std::nullopt;
  std::string name = trim(*label);
  if (name.empty() || name == "NC") return std::nullopt;
  return name;
}

bool device_less(const std::string& a, const std::string& b) {
  auto key = [](const std::string& s) {
    char* end = nullptr;
    const long bus = std::strtol(s.c_str(), &end, 10);
    const bool numeric = end != s.c_str() && *end == '-';
    return std::make_tuple(!numeric, numeric ? bus : 0L, numeric ? std::string(end) : s);
  };
  return key(a) < key(b);
}

}  // namespace layer_energy::power::jetson
