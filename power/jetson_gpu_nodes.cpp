#include "power/jetson_gpu_nodes.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "power/sysfs.hpp"

namespace layer_energy::power::jetson {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool contains(const std::string& haystack, const char* needle) {
  return haystack.find(needle) != std::string::npos;
}

// The node's name says GPU (the nodes of the Tegra GPUs are named after the chip).
bool named_like_gpu(const std::string& node) {
  const std::string name = lower(node);
  return contains(name, "gpu") || contains(name, "ga10b") || contains(name, "gv11b") || contains(name, "gp10b") ||
         contains(name, "gm20b");
}

std::string gpu_node(const std::string& class_dir) {
  const std::vector<std::string> nodes = sysfs::list_directory(class_dir);
  for (const std::string& node : nodes) {
    if (named_like_gpu(node) && sysfs::exists(class_dir + "/" + node + "/cur_freq")) return node;
  }
  for (const std::string& node : nodes) {
    const auto of_name = sysfs::read_line(class_dir + "/" + node + "/device/of_node/name");
    if (of_name && lower(*of_name) == "gpu" && sysfs::exists(class_dir + "/" + node + "/cur_freq")) return node;
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

}  // namespace

GpuDevfreq find_gpu_devfreq(const std::string& sysfs_root) {
  GpuDevfreq gpu;
  gpu.class_dir = sysfs::join(sysfs_root, "/sys/class/devfreq");
  gpu.node = gpu_node(gpu.class_dir);
  if (gpu.node.empty()) return gpu;
  const std::string dir = gpu.class_dir + "/" + gpu.node;
  gpu.cur_freq_path = dir + "/cur_freq";
  gpu.governor = sysfs::read_line(dir + "/governor");
  gpu.max_hz = sysfs::read_integer(dir + "/max_freq");
  gpu.min_hz = sysfs::read_integer(dir + "/min_freq");
  if (const auto available = sysfs::read_text(dir + "/available_frequencies")) {
    gpu.available_hz = parse_frequencies(*available);
  }
  return gpu;
}

GpuThermalZone find_gpu_thermal_zone(const std::string& sysfs_root) {
  const std::string class_dir = sysfs::join(sysfs_root, "/sys/class/thermal");
  for (const std::string& zone : sysfs::list_directory(class_dir)) {
    if (zone.rfind("thermal_zone", 0) != 0) continue;
    const auto type = sysfs::read_line(class_dir + "/" + zone + "/type");
    if (type && lower(*type).rfind("gpu", 0) == 0) return GpuThermalZone{zone, *type, class_dir + "/" + zone + "/temp"};
  }
  return {};
}

}  // namespace layer_energy::power::jetson
