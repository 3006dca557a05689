// Turns --power=auto|jetson|nvml|rapl|replay:FILE|none into a source, keeping why each candidate was not used.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "power/source.hpp"

namespace layer_energy::power {

struct SourceOptions {
  std::string sysfs_root;       // --power_sysfs_root
  std::string backend = "cpu";  // "cuda" or "cpu": auto picks nvml for cuda, rapl for cpu
  std::string nvml_pci_bus_id;  // the CUDA device's PCI bus id, when known
  unsigned nvml_index = 0;
};

// One named source (jetson, nvml, rapl, replay:FILE). Never null: an unusable one says why.
// Throws std::invalid_argument for an unknown name.
std::unique_ptr<PowerSource> make_source(const std::string& spec, const SourceOptions& options);

// The names --power=auto tries, in order: jetson first (a Jetson's rails include the GPU), then nvml (cuda backend)
// or rapl (cpu backend).
std::vector<std::string> auto_candidates(const SourceOptions& options);

struct Selection {
  std::unique_ptr<PowerSource> source;  // null: time only (--power=none, or auto found nothing)
  std::vector<std::string> not_used;    // "name: reason" for each candidate that cannot be used
  std::string error;                    // non-empty: an explicitly named source cannot be used (exit non-zero)
};

Selection select_source(const std::string& spec, const SourceOptions& options);

}  // namespace layer_energy::power
