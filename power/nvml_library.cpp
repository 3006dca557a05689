#include "power/nvml_library.hpp"

#include <dlfcn.h>

namespace layer_energy::power::nvml {
namespace {

// Resolves one symbol into a typed pointer; a missing one stays null.
template <typename Fn>
void bind(void* handle, const char* symbol, Fn& fn) {
  fn = reinterpret_cast<Fn>(dlsym(handle, symbol));
}

}  // namespace

Library::Library(const std::string& path) {
  // RTLD_LOCAL: NVML's symbols must not leak into (or clash with) anything else loaded later.
  handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) {
    const char* why = dlerror();
    error_ = "cannot load " + path + " (" + (why != nullptr ? why : "unknown dlopen error") + ")";
    return;
  }
  bind(handle_, "nvmlInit_v2", api_.init);
  bind(handle_, "nvmlShutdown", api_.shutdown);
  bind(handle_, "nvmlErrorString", api_.error_string);
  bind(handle_, "nvmlDeviceGetCount_v2", api_.device_count);
  bind(handle_, "nvmlDeviceGetHandleByIndex_v2", api_.handle_by_index);
  bind(handle_, "nvmlDeviceGetHandleByPciBusId_v2", api_.handle_by_pci_bus_id);
  bind(handle_, "nvmlDeviceGetName", api_.name);
  bind(handle_, "nvmlDeviceGetTotalEnergyConsumption", api_.total_energy);
  bind(handle_, "nvmlDeviceGetPowerUsage", api_.power_usage);
  bind(handle_, "nvmlDeviceGetPciInfo_v3", api_.pci_info);
  bind(handle_, "nvmlDeviceGetClockInfo", api_.clock_info);
  bind(handle_, "nvmlDeviceGetMaxClockInfo", api_.max_clock_info);
  bind(handle_, "nvmlDeviceGetTemperature", api_.temperature);

  std::string missing;
  auto require = [&missing](bool present, const char* symbol) {
    if (!present) missing += (missing.empty() ? "" : ", ") + std::string(symbol);
  };
  require(api_.init != nullptr, "nvmlInit_v2");
  require(api_.shutdown != nullptr, "nvmlShutdown");
  require(api_.error_string != nullptr, "nvmlErrorString");
  require(api_.device_count != nullptr, "nvmlDeviceGetCount_v2");
  require(api_.handle_by_index != nullptr, "nvmlDeviceGetHandleByIndex_v2");
  require(api_.name != nullptr, "nvmlDeviceGetName");
  if (!missing.empty()) {
    error_ = path + " lacks " + missing + " (not an NVML library, or a driver too old)";
    dlclose(handle_);
    handle_ = nullptr;
    api_ = Api{};
  }
}

Library::~Library() {
  if (handle_ != nullptr) dlclose(handle_);
}

std::string Library::describe(Return code) const {
  const char* text = api_.error_string != nullptr ? api_.error_string(code) : nullptr;
  if (text == nullptr || *text == '\0') return "NVML error " + std::to_string(code);
  return text;
}

std::string device_label(const NvmlOptions& options) {
  return "GPU " + (options.pci_bus_id.empty() ? std::to_string(options.index) : options.pci_bus_id);
}

std::string open_device(const Library& library, const NvmlOptions& options, bool say_no_gpu, Device* device) {
  const Api& api = library.api();
  if (!options.pci_bus_id.empty()) {
    if (api.handle_by_pci_bus_id == nullptr) {
      return "nvml: cannot match PCI bus id " + options.pci_bus_id + ": nvmlDeviceGetHandleByPciBusId_v2 missing";
    }
    if (Return rc = api.handle_by_pci_bus_id(options.pci_bus_id.c_str(), device); rc != kSuccess) {
      return "nvml: no GPU with PCI bus id " + options.pci_bus_id + " (" + library.describe(rc) + ")";
    }
    return {};
  }
  unsigned count = 0;
  if (Return rc = api.device_count(&count); rc != kSuccess) return "nvml: cannot count GPUs: " + library.describe(rc);
  if (count == 0 && say_no_gpu) return "nvml: no NVIDIA GPU found";
  if (options.index >= count) {
    return "nvml: no GPU with index " + std::to_string(options.index) + " (" + std::to_string(count) + " found)";
  }
  if (Return rc = api.handle_by_index(options.index, device); rc != kSuccess) {
    return "nvml: " + device_label(options) + ": " + library.describe(rc);
  }
  return {};
}

}  // namespace layer_energy::power::nvml
