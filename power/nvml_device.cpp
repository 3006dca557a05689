#include "power/nvml_device.hpp"

#include <iterator>
#include <map>
#include <mutex>

namespace layer_energy::power {
namespace {

// The live devices, by library path and selection. Entries expire with their device and are swept on the next open.
struct Cache {
  std::mutex mutex;
  std::map<std::string, std::weak_ptr<NvmlDevice>> devices;
};

Cache& cache() {
  static Cache instance;  // constructed on first use, thread-safe (C++11 magic statics)
  return instance;
}

// Path and selection, separated by a NUL (which neither contains): a bus id and an index never collide.
std::string cache_key(const std::string& path, const NvmlOptions& options) {
  std::string key = path;
  key += '\0';
  key += options.pci_bus_id.empty() ? "index " + std::to_string(options.index) : "bus " + options.pci_bus_id;
  return key;
}

// What a caller needs beyond the device itself; empty when the device has it.
std::string missing_need(const nvml::Api& api, const NvmlDevice::Needs& needs) {
  if (needs.clock_info && api.clock_info == nullptr) return "nvml: nvmlDeviceGetClockInfo missing from the library";
  return {};
}

}  // namespace

NvmlDevice::NvmlDevice(const std::string& path, const NvmlOptions& options)
    : library_(path), label_(nvml::device_label(options)) {}

NvmlDevice::~NvmlDevice() {
  if (initialised_) library_.api().shutdown();
}

std::string NvmlDevice::start(const std::string& path, const NvmlOptions& options, const Needs& needs) {
  if (!library_.error().empty()) {
    // Only the default name failing means "no driver"; an explicit path may simply be wrong.
    const bool hint = needs.no_driver_hint && path == nvml::kDefaultLibrary;
    return "nvml: " + library_.error() + (hint ? ": no NVIDIA driver here" : "");
  }
  if (std::string why = missing_need(library_.api(), needs); !why.empty()) return why;
  if (nvml::Return rc = library_.api().init(); rc != nvml::kSuccess) {
    return "nvml: nvmlInit failed: " + library_.describe(rc);
  }
  initialised_ = true;
  return nvml::open_device(library_, options, needs.say_no_gpu, &device_);
}

std::shared_ptr<NvmlDevice> NvmlDevice::open(const NvmlOptions& options, const Needs& needs, std::string* why) {
  const std::string path = nvml_library_path(options);
  const std::string key = cache_key(path, options);
  Cache& shared = cache();
  // Held across the open as well, so two threads asking for the same GPU at once still get one object. Never taken by
  // ~NvmlDevice, so a device released inside this scope (its last other owner let go meanwhile) cannot deadlock.
  std::lock_guard<std::mutex> lock(shared.mutex);
  for (auto it = shared.devices.begin(); it != shared.devices.end();) {
    it = it->second.expired() ? shared.devices.erase(it) : std::next(it);
  }
  if (auto found = shared.devices.find(key); found != shared.devices.end()) {
    if (std::shared_ptr<NvmlDevice> live = found->second.lock()) {
      if (std::string missing = missing_need(live->api(), needs); !missing.empty()) {
        if (why) *why = missing;
        return nullptr;
      }
      return live;
    }
  }
  std::shared_ptr<NvmlDevice> device(new NvmlDevice(path, options));
  if (std::string failed = device->start(path, options, needs); !failed.empty()) {
    if (why) *why = failed;
    return nullptr;  // the destructor balances an nvmlInit that succeeded before the GPU was not found
  }
  shared.devices[key] = device;
  return device;
}

}  // namespace layer_energy::power
