// NVIDIA GPU power through NVML, loaded at run time (no build-time dependency on the driver or nvml.h).
#pragma once

#include <memory>
#include <string>

#include "power/source.hpp"

namespace layer_energy::power {

struct NvmlOptions {
  std::string pci_bus_id;    // match the GPU by PCI bus id (as from cudaDeviceGetPCIBusId) when non-empty
  unsigned index = 0;        // otherwise NVML index
  std::string library = "";  // empty: $LAYER_ENERGY_NVML_LIBRARY if set, else "libnvidia-ml.so.1"
};

// Always returns a source; one that cannot run says why in unusable_reason().
// Rails: "GPU" (cumulative energy counter, J, edge_only) plus "GPU_power" (W) where the total-energy counter works;
// "GPU" as a power reading (W) where only power usage works (pre-Volta); none (unusable) where neither does (Jetson).
std::unique_ptr<PowerSource> make_nvml_source(const NvmlOptions& options);

// The library path make_nvml_source would load for these options.
std::string nvml_library_path(const NvmlOptions& options);

}  // namespace layer_energy::power
