// Jetson GPU state: the GPU's devfreq node (clock in Hz) and its thermal zone (millidegrees C), plus the nvpmodel mode.
// Every path is found once at construction; a read() is two small sysfs reads.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "power/device_state.hpp"
#include "power/sysfs.hpp"

namespace layer_energy::power {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// A thermal zone outside this range (m°C) is a disabled or broken sensor (some Tegra zones read -256000).
constexpr long long kMinPlausibleMilliC = -100000;
constexpr long long kMaxPlausibleMilliC = 200000;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool contains(const std::string& haystack, const char* needle) {
  return haystack.find(needle) != std::string::npos;
}

// 1300500000 Hz -> "1300.5".
std::string mhz_text(double mhz) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.10g", mhz);
  return buffer;
}

// The GPU's devfreq node: by node name (17000000.ga10b Orin, 17000000.gv11b Xavier, 17000000.gp10b TX2,
// 57000000.gpu Nano/TX1), else by the device-tree node name "gpu". Empty when none has a cur_freq.
std::string find_gpu_devfreq(const std::string& class_dir) {
  const std::vector<std::string> nodes = sysfs::list_directory(class_dir);
  for (const std::string& node : nodes) {
    const std::string name = lower(node);
    if (!(contains(name, "gpu") || contains(name, "ga10b") || contains(name, "gv11b") || contains(name, "gp10b") ||
          contains(name, "gm20b"))) {
      continue;
    }
    if (sysfs::exists(class_dir + "/" + node + "/cur_freq")) return node;
  }
  for (const std::string& node : nodes) {
    const auto of_name = sysfs::read_line(class_dir + "/" + node + "/device/of_node/name");
    if (of_name && lower(*of_name) == "gpu" && sysfs::exists(class_dir + "/" + node + "/cur_freq")) return node;
  }
  return {};
}

struct ThermalZone {
  std::string name;  // thermal_zone<N>
  std::string type;  // GPU-therm (L4T 32), gpu-thermal (L4T 35+)
};

// The first thermal zone whose type starts with "gpu" (case-insensitive).
ThermalZone find_gpu_thermal_zone(const std::string& class_dir) {
  for (const std::string& zone : sysfs::list_directory(class_dir)) {
    if (zone.rfind("thermal_zone", 0) != 0) continue;
    const auto type = sysfs::read_line(class_dir + "/" + zone + "/type");
    if (type && lower(*type).rfind("gpu", 0) == 0) return ThermalZone{zone, *type};
  }
  return {};
}

// The numbers in available_frequencies (Hz, space-separated).
std::vector<long long> parse_frequencies(const std::string& text) {
  std::vector<long long> values;
  const char* cursor = text.c_str();
  for (;;) {
    char* end = nullptr;
    const long long value = std::strtoll(cursor, &end, 10);
    if (end == cursor) break;
    values.push_back(value);
    cursor = end;
  }
  return values;
}

// The "pmode:NNNN" line of /var/lib/nvpmodel/status (first line when there is none); empty when absent.
std::string nvpmodel_status(const std::string& root) {
  const auto text = sysfs::read_text(sysfs::join(root, "/var/lib/nvpmodel/status"));
  if (!text) return {};
  std::string first;
  std::size_t start = 0;
  while (start < text->size()) {
    std::size_t stop = text->find('\n', start);
    if (stop == std::string::npos) stop = text->size();
    std::string line = text->substr(start, stop - start);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    if (first.empty()) first = line;
    if (line.rfind("pmode:", 0) == 0) return line;
    start = stop + 1;
  }
  return first;
}

// The NAME of "< POWER_MODEL ID=<id> NAME=<name> >" in /etc/nvpmodel.conf; empty when not found.
std::string nvpmodel_name(const std::string& root, long mode_id) {
  const auto text = sysfs::read_text(sysfs::join(root, "/etc/nvpmodel.conf"));
  if (!text) return {};
  std::size_t start = 0;
  while (start < text->size()) {
    std::size_t stop = text->find('\n', start);
    if (stop == std::string::npos) stop = text->size();
    const std::string line = text->substr(start, stop - start);
    start = stop + 1;
    const auto model = line.find("POWER_MODEL");
    const auto id = line.find("ID=");
    const auto name = line.find("NAME=");
    if (model == std::string::npos || id == std::string::npos || name == std::string::npos) continue;
    char* end = nullptr;
    const long value = std::strtol(line.c_str() + id + 3, &end, 10);
    if (end == line.c_str() + id + 3 || value != mode_id) continue;
    std::string result;
    for (std::size_t i = name + 5;
         i < line.size() && line[i] != '>' && !std::isspace(static_cast<unsigned char>(line[i])); ++i) {
      result += line[i];
    }
    return result;
  }
  return {};
}

class JetsonStateReader final : public DeviceStateReader {
 public:
  JetsonStateReader(const std::string& root, const std::string& devfreq_class, const std::string& node) {
    const std::string dir = devfreq_class + "/" + node;
    cur_freq_path_ = dir + "/cur_freq";
    context_["gpu_devfreq_node"] = node;
    if (const auto governor = sysfs::read_line(dir + "/governor")) context_["gpu_devfreq_governor"] = *governor;

    // max_freq/min_freq: the limits in force (nvpmodel and jetson_clocks set them); available_frequencies: the steps.
    const auto max_hz = sysfs::read_integer(dir + "/max_freq");
    const auto min_hz = sysfs::read_integer(dir + "/min_freq");
    std::vector<long long> steps;
    if (const auto available = sysfs::read_text(dir + "/available_frequencies")) steps = parse_frequencies(*available);
    const double top_step_mhz =
        steps.empty() ? kNaN : static_cast<double>(*std::max_element(steps.begin(), steps.end())) * 1e-6;
    if (!steps.empty()) context_["gpu_available_max_clock_MHz"] = mhz_text(top_step_mhz);
    max_clock_mhz_ = max_hz && *max_hz > 0 ? static_cast<double>(*max_hz) * 1e-6 : top_step_mhz;
    if (std::isfinite(max_clock_mhz_)) context_["gpu_max_clock_MHz"] = mhz_text(max_clock_mhz_);
    if (min_hz) context_["gpu_min_clock_MHz"] = mhz_text(static_cast<double>(*min_hz) * 1e-6);
    if (min_hz && max_hz) context_["gpu_clock_pinned"] = *min_hz == *max_hz ? "yes" : "no";

    const std::string thermal_class = sysfs::join(root, "/sys/class/thermal");
    const ThermalZone zone = find_gpu_thermal_zone(thermal_class);
    if (!zone.name.empty()) {
      temp_path_ = thermal_class + "/" + zone.name + "/temp";
      context_["gpu_thermal_zone"] = zone.name + " (" + zone.type + ")";
    }

    const std::string status = nvpmodel_status(root);
    if (!status.empty()) {
      context_["nvpmodel_status"] = status;
      const auto colon = status.find(':');
      if (status.rfind("pmode:", 0) == 0 && colon + 1 < status.size()) {
        char* end = nullptr;
        const long id = std::strtol(status.c_str() + colon + 1, &end, 10);
        if (end != status.c_str() + colon + 1) {
          const std::string name = nvpmodel_name(root, id);
          if (!name.empty()) context_["nvpmodel_mode"] = name;
        }
      }
    }
    // jetson_clocks keeps no state file of its own: min_freq == max_freq (gpu_clock_pinned) is the visible effect.
    context_["jetson_clocks"] = "unknown";
  }

  DeviceState read() override {
    DeviceState state;
    if (const auto hz = sysfs::read_integer(cur_freq_path_); hz && *hz >= 0) {
      state.gpu_clock_mhz = static_cast<double>(*hz) * 1e-6;
    }
    if (!temp_path_.empty()) {
      const auto milli_c = sysfs::read_integer(temp_path_);
      if (milli_c && *milli_c >= kMinPlausibleMilliC && *milli_c <= kMaxPlausibleMilliC) {
        state.temp_c = static_cast<double>(*milli_c) * 1e-3;
      }
    }
    return state;
  }

  std::map<std::string, std::string> context() const override { return context_; }
  std::string description() const override { return "jetson devfreq"; }
  double max_clock_mhz() const override { return max_clock_mhz_; }

 private:
  std::string cur_freq_path_;
  std::string temp_path_;  // empty: no GPU thermal zone
  double max_clock_mhz_ = kNaN;
  std::map<std::string, std::string> context_;
};

}  // namespace

std::unique_ptr<DeviceStateReader> make_jetson_state_reader(const std::string& sysfs_root, std::string* why) {
  const std::string devfreq_class = sysfs::join(sysfs_root, "/sys/class/devfreq");
  const std::string node = find_gpu_devfreq(devfreq_class);
  if (node.empty()) {
    if (why) *why = "jetson: no GPU devfreq node in " + devfreq_class;
    return nullptr;
  }
  return std::make_unique<JetsonStateReader>(sysfs_root, devfreq_class, node);
}

}  // namespace layer_energy::power
