// One NVIDIA GPU as NVML sees it, shared by everything that reads it: the NVML power source (power, energy) and the
// NVML device-state reader (clock, temperature) hold the same object, so libnvidia-ml is loaded, initialised
// (nvmlInit) and searched for the GPU once per GPU, however many readers it has.
#pragma once

#include <memory>
#include <string>

#include "power/nvml_library.hpp"
#include "power/nvml_source.hpp"

namespace layer_energy::power {

class NvmlDevice {
 public:
  // How a caller wants a failed open worded and what it needs beyond the required entry points. Only the failure
  // messages depend on these; a live device found in the cache is handed out whatever they say (after the needs check).
  struct Needs {
    // Append ": no NVIDIA driver here" when the default library name ("libnvidia-ml.so.1") fails to load.
    bool no_driver_hint = false;
    // An index asked of a machine with no GPU reads "nvml: no NVIDIA GPU found" (see nvml::open_device).
    bool say_no_gpu = false;
    // Require nvmlDeviceGetClockInfo; checked after loading and before nvmlInit, failing
    // "nvml: nvmlDeviceGetClockInfo missing from the library".
    bool clock_info = false;
  };

  // The device for these options: the live one already open for the same library path (nvml_library_path) and the
  // same selection (PCI bus id when given, else index) when there is one, else a newly opened one. nullptr with *why
  // (one line, starting "nvml: ") when the library does not load, nvmlInit fails or the GPU is not found.
  // Thread-safe: the process-wide cache of live devices is guarded by a mutex (NVML itself is thread-safe).
  static std::shared_ptr<NvmlDevice> open(const NvmlOptions& options, const Needs& needs, std::string* why);

  // nvmlShutdown (balancing this object's nvmlInit), then the library is closed.
  ~NvmlDevice();
  NvmlDevice(const NvmlDevice&) = delete;
  NvmlDevice& operator=(const NvmlDevice&) = delete;

  const nvml::Library& library() const { return library_; }
  const nvml::Api& api() const { return library_.api(); }
  nvml::Device handle() const { return device_; }
  // How messages name this GPU: "GPU <bus id>" or "GPU <index>", as the options that opened it select it.
  const std::string& label() const { return label_; }
  // nvmlErrorString text, or the numeric code when the library gives none.
  std::string describe(nvml::Return code) const { return library_.describe(code); }

 private:
  NvmlDevice(const std::string& path, const NvmlOptions& options);
  // Loads, initialises and finds the GPU; empty on success, else the one-line reason.
  std::string start(const std::string& path, const NvmlOptions& options, const Needs& needs);

  nvml::Library library_;
  bool initialised_ = false;
  nvml::Device device_ = nullptr;
  std::string label_;
};

}  // namespace layer_energy::power
