// One Jetson board as sysfs shows it, discovered once per sysfs root and shared by everything that reads it: the
// Jetson power source (its monitors' rails), the Jetson device-state reader (GPU clock, thermal zone, nvpmodel mode)
// and, through the source, --list_power. As NvmlDevice does for a GPU: while one holder keeps the board, every other
// caller for the same root gets that same object, so they cannot disagree about what the machine has.
#pragma once

#include <memory>
#include <string>

#include "power/jetson_discovery.hpp"
#include "power/jetson_gpu_nodes.hpp"
#include "power/jetson_nvpmodel.hpp"

namespace layer_energy::power::jetson {

class Board {
 public:
  // The live board of this root (--power_sysfs_root; trailing slashes ignored) when one is held, else one discovered
  // now. Never null: what is missing says so in its parts (monitors().problem, an empty gpu_devfreq().node).
  // Thread-safe (a process-wide cache of live boards under a mutex). Throws only on memory exhaustion.
  static std::shared_ptr<const Board> open(const std::string& sysfs_root);

  Board(const Board&) = delete;
  Board& operator=(const Board&) = delete;

  const std::string& sysfs_root() const { return sysfs_root_; }
  // /proc/device-tree/model, or "unknown Jetson".
  const std::string& model() const { return model_; }
  // The INA3221 (and Thor's INA238) chips and their rails.
  const Monitors& monitors() const { return monitors_; }
  const GpuDevfreq& gpu_devfreq() const { return gpu_devfreq_; }
  const GpuThermalZone& gpu_thermal_zone() const { return gpu_thermal_zone_; }
  const Nvpmodel& nvpmodel() const { return nvpmodel_; }

 private:
  explicit Board(const std::string& sysfs_root);

  std::string sysfs_root_;
  std::string model_;
  Monitors monitors_;
  GpuDevfreq gpu_devfreq_;
  GpuThermalZone gpu_thermal_zone_;
  Nvpmodel nvpmodel_;
};

}  // namespace layer_energy::power::jetson
