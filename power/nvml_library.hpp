// libnvidia-ml loaded at run time (dlopen): the build needs no nvml.h, and a machine without the NVIDIA driver still
// runs every other source. Only the few entry points the NVML source and the device-state reader use are declared,
// with our own types that match NVML's C ABI.
#pragma once

#include <string>

#include "power/nvml_source.hpp"

namespace layer_energy::power::nvml {

// The library loaded when neither NvmlOptions::library nor $LAYER_ENERGY_NVML_LIBRARY names one.
constexpr const char* kDefaultLibrary = "libnvidia-ml.so.1";

// nvmlReturn_t is a C enum: passed and returned as int.
using Return = int;
constexpr Return kSuccess = 0;
constexpr Return kNotSupported = 3;

// nvmlClockType_t and nvmlTemperatureSensors_t values (C enums, passed as int).
constexpr int kClockGraphics = 0;
constexpr int kClockSm = 1;
constexpr int kClockMem = 2;
constexpr int kTemperatureGpu = 0;

// nvmlDevice_t: an opaque pointer owned by the library.
struct DeviceOpaque;
using Device = DeviceOpaque*;

// nvmlPciInfo_t as filled by nvmlDeviceGetPciInfo_v3 (fixed layout of the public C API).
struct PciInfo {
  char bus_id_legacy[16];
  unsigned domain;
  unsigned bus;
  unsigned device;
  unsigned pci_device_id;
  unsigned pci_subsystem_id;
  char bus_id[32];
};

// NVML_DEVICE_NAME_V2_BUFFER_SIZE: the buffer NVML asks for to hold any device name.
constexpr unsigned kNameBufferSize = 96;

struct Api {
  Return (*init)() = nullptr;  // nvmlInit_v2
  Return (*shutdown)() = nullptr;
  const char* (*error_string)(Return) = nullptr;
  Return (*device_count)(unsigned*) = nullptr;                     // nvmlDeviceGetCount_v2
  Return (*handle_by_index)(unsigned, Device*) = nullptr;          // nvmlDeviceGetHandleByIndex_v2
  Return (*handle_by_pci_bus_id)(const char*, Device*) = nullptr;  // optional: nvmlDeviceGetHandleByPciBusId_v2
  Return (*name)(Device, char*, unsigned) = nullptr;               // nvmlDeviceGetName
  Return (*total_energy)(Device, unsigned long long*) = nullptr;   // optional: mJ since driver load (Volta+)
  Return (*power_usage)(Device, unsigned*) = nullptr;              // optional: mW
  Return (*pci_info)(Device, PciInfo*) = nullptr;                  // optional: nvmlDeviceGetPciInfo_v3
  Return (*clock_info)(Device, int, unsigned*) = nullptr;          // optional: nvmlDeviceGetClockInfo, MHz
  Return (*max_clock_info)(Device, int, unsigned*) = nullptr;      // optional: nvmlDeviceGetMaxClockInfo, MHz
  Return (*temperature)(Device, int, unsigned*) = nullptr;         // optional: nvmlDeviceGetTemperature, deg C
};

// One dlopen'ed copy of the library; dlclose on destruction. Does not call nvmlInit (NvmlDevice does).
class Library {
 public:
  explicit Library(const std::string& path);
  ~Library();
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;

  // Empty when loaded and every required symbol resolved; otherwise one line (without the "nvml: " prefix).
  const std::string& error() const { return error_; }
  const Api& api() const { return api_; }
  // nvmlErrorString text, or the numeric code when the library gives none.
  std::string describe(Return code) const;

 private:
  void* handle_ = nullptr;
  Api api_;
  std::string error_;
};

// How messages name the GPU the options select: "GPU <bus id>" when they name a PCI bus id, else "GPU <index>".
std::string device_label(const NvmlOptions& options);

// Finds the GPU the options select (by PCI bus id when given, else by index) in a loaded and initialised library.
// Sets *device and returns empty, or returns one line (starting "nvml: ") why not. An index asked of a machine with no
// GPU at all reads "nvml: no NVIDIA GPU found" when say_no_gpu is set, else the out-of-range index line ("0 found").
std::string open_device(const Library& library, const NvmlOptions& options, bool say_no_gpu, Device* device);

}  // namespace layer_energy::power::nvml
