// The Jetson power source: the INA3221 rails of a Jetson module, through either driver generation.
#pragma once

#include <memory>
#include <string>

#include "power/source.hpp"

namespace layer_energy::power {

// sysfs_root: prefix for every /sys and /proc path ("" on a real board). Never throws; an unusable source says why.
std::unique_ptr<PowerSource> make_jetson_source(const std::string& sysfs_root);

}  // namespace layer_energy::power
