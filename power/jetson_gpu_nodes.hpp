// Finding a Jetson's GPU in sysfs: its devfreq node (clock and the limits nvpmodel and jetson_clocks set) and its
// thermal zone. Run once per board by jetson::Board (power/jetson_board.hpp); the state reader reads the paths.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace layer_energy::power::jetson {

struct GpuDevfreq {
  std::string class_dir;  // <root>/sys/class/devfreq, searched
  std::string node;       // e.g. 17000000.ga10b; empty when no node has a cur_freq
  std::string cur_freq_path;
  std::optional<std::string> governor;
  std::optional<long long> max_hz;  // max_freq/min_freq: the limits in force
  std::optional<long long> min_hz;
  std::vector<long long> available_hz;  // available_frequencies: the steps
};

struct GpuThermalZone {
  std::string name;       // thermal_zone<N>; empty when no zone is the GPU's
  std::string type;       // GPU-therm (L4T 32), gpu-thermal (L4T 35+)
  std::string temp_path;  // millidegrees C
};

// By node name (17000000.ga10b Orin, 17000000.gv11b Xavier, 17000000.gp10b TX2, 57000000.gpu Nano/TX1), else by the
// device-tree node name "gpu".
GpuDevfreq find_gpu_devfreq(const std::string& sysfs_root);

// The first thermal zone whose type starts with "gpu" (case-insensitive).
GpuThermalZone find_gpu_thermal_zone(const std::string& sysfs_root);

}  // namespace layer_energy::power::jetson
