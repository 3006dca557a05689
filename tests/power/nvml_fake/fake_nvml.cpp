// A stand-in for libnvidia-ml at the hardware boundary: the NVML entry points the NVML source and the device-state
// reader use, with behaviour scripted by environment variables read at every nvmlInit_v2 (state resets when the last
// nvmlShutdown balances it).
//   FAKE_NVML_MODE        ok (default) | not_supported (Jetson-like: no power, no energy) | init_fails
//                         | no_energy (power only, pre-Volta) | no_power (energy counter only) | no_device
//                         | no_clock (clock, maximum clock and temperature NOT_SUPPORTED; power and energy work)
//   FAKE_NVML_COUNT       GPUs present (default 1); GPU i has bus id 00000000:0<i+1>:00.0
//   FAKE_NVML_NAME        device name (default "Fake NVIDIA H100")
//   FAKE_NVML_ENERGY_MJ   counter value at the first read (default 1000000)
//   FAKE_NVML_STEP_MJ     counter increase per read (default 250)
//   FAKE_NVML_POWER_MW    power reading (default 150000)
//   FAKE_NVML_FAIL_AFTER  reads (energy and power together) that succeed before every later one fails "GPU is lost"
//                         (clock and temperature reads do not count, but fail too once the budget is spent)
//   FAKE_NVML_CLOCK_MHZ   SM/graphics clock: one value, or a comma list taken one per read, the last repeated
//                         (default 1755); the memory clock is 2619 MHz, the video clock 1500 MHz
//   FAKE_NVML_MAX_CLOCK_MHZ  maximum SM/graphics clock (default 1980)
//   FAKE_NVML_TEMP_C      GPU temperature (default 45)
// fake_nvml_init_count() (not NVML) lets a test check that every nvmlInit_v2 was balanced by nvmlShutdown.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

// Values of the public NVML C API.
enum : int {
  kSuccess = 0,
  kUninitialized = 1,
  kInvalidArgument = 2,
  kNotSupported = 3,
  kNotFound = 6,
  kInsufficientSize = 7,
  kDriverNotLoaded = 9,
  kGpuIsLost = 15,
};

constexpr unsigned kMaxDevices = 8;
constexpr unsigned kMaxClockSteps = 16;
// nvmlClockType_t and nvmlTemperatureSensors_t values of the public C API.
enum : int { kClockGraphics = 0, kClockSm = 1, kClockMem = 2, kClockVideo = 3, kTemperatureGpu = 0 };
constexpr unsigned kMemClockMhz = 2619;
constexpr unsigned kVideoClockMhz = 1500;

struct FakeDevice {
  unsigned index = 0;
  unsigned long long energy_reads = 0;
};

struct State {
  int init_count = 0;
  std::string mode = "ok";
  unsigned count = 1;
  std::string name = "Fake NVIDIA H100";
  unsigned long long energy_mj = 1000000;
  unsigned long long step_mj = 250;
  unsigned power_mw = 150000;
  long long fail_after = -1;  // -1: never
  long long reads = 0;
  unsigned clock_mhz[kMaxClockSteps] = {1755};
  unsigned clock_steps = 1;
  unsigned long long clock_reads = 0;
  unsigned max_clock_mhz = 1980;
  unsigned temp_c = 45;
  FakeDevice devices[kMaxDevices];
};

State state;

std::string env_or(const char* key, const char* fallback) {
  const char* value = std::getenv(key);
  return value != nullptr && *value != '\0' ? value : fallback;
}

unsigned long long env_number(const char* key, unsigned long long fallback) {
  const char* value = std::getenv(key);
  return value != nullptr && *value != '\0' ? std::strtoull(value, nullptr, 10) : fallback;
}

void load_script() {
  state.mode = env_or("FAKE_NVML_MODE", "ok");
  state.count = static_cast<unsigned>(env_number("FAKE_NVML_COUNT", 1));
  if (state.count > kMaxDevices) state.count = kMaxDevices;
  if (state.mode == "no_device") state.count = 0;
  state.name = env_or("FAKE_NVML_NAME", "Fake NVIDIA H100");
  state.energy_mj = env_number("FAKE_NVML_ENERGY_MJ", 1000000);
  state.step_mj = env_number("FAKE_NVML_STEP_MJ", 250);
  state.power_mw = static_cast<unsigned>(env_number("FAKE_NVML_POWER_MW", 150000));
  const char* fail = std::getenv("FAKE_NVML_FAIL_AFTER");
  state.fail_after = fail != nullptr && *fail != '\0' ? std::strtoll(fail, nullptr, 10) : -1;
  state.reads = 0;
  state.clock_steps = 0;
  const std::string clocks = env_or("FAKE_NVML_CLOCK_MHZ", "1755");
  for (const char* cursor = clocks.c_str(); state.clock_steps < kMaxClockSteps;) {
    char* end = nullptr;
    const unsigned long value = std::strtoul(cursor, &end, 10);
    if (end == cursor) break;
    state.clock_mhz[state.clock_steps++] = static_cast<unsigned>(value);
    if (*end != ',') break;
    cursor = end + 1;
  }
  if (state.clock_steps == 0) state.clock_mhz[state.clock_steps++] = 1755;
  state.clock_reads = 0;
  state.max_clock_mhz = static_cast<unsigned>(env_number("FAKE_NVML_MAX_CLOCK_MHZ", 1980));
  state.temp_c = static_cast<unsigned>(env_number("FAKE_NVML_TEMP_C", 45));
  for (unsigned i = 0; i < kMaxDevices; ++i) state.devices[i] = FakeDevice{i, 0};
}

FakeDevice* as_device(void* handle) {
  for (FakeDevice& device : state.devices) {
    if (&device == handle && device.index < state.count) return &device;
  }
  return nullptr;
}

// Common checks of a device query: library initialised, handle valid, and the read budget not exhausted.
int check_read(void* handle) {
  if (state.init_count == 0) return kUninitialized;
  if (as_device(handle) == nullptr) return kInvalidArgument;
  if (state.fail_after >= 0 && state.reads >= state.fail_after) return kGpuIsLost;
  return kSuccess;
}

}  // namespace

extern "C" {

int fake_nvml_init_count() {
  return state.init_count;
}

int nvmlInit_v2() {
  if (state.init_count == 0) load_script();
  if (state.mode == "init_fails") return kDriverNotLoaded;
  ++state.init_count;
  return kSuccess;
}

int nvmlShutdown() {
  if (state.init_count == 0) return kUninitialized;
  if (--state.init_count == 0) state = State{};
  return kSuccess;
}

const char* nvmlErrorString(int code) {
  switch (code) {
    case kSuccess:
      return "Success";
    case kUninitialized:
      return "Uninitialized";
    case kInvalidArgument:
      return "Invalid Argument";
    case kNotSupported:
      return "Not Supported";
    case kNotFound:
      return "Not Found";
    case kInsufficientSize:
      return "Insufficient Size";
    case kDriverNotLoaded:
      return "Driver Not Loaded";
    case kGpuIsLost:
      return "GPU is lost";
    default:
      return "Unknown Error";
  }
}

int nvmlDeviceGetCount_v2(unsigned* count) {
  if (state.init_count == 0) return kUninitialized;
  if (count == nullptr) return kInvalidArgument;
  *count = state.count;
  return kSuccess;
}

int nvmlDeviceGetHandleByIndex_v2(unsigned index, void** device) {
  if (state.init_count == 0) return kUninitialized;
  if (device == nullptr || index >= state.count) return kInvalidArgument;
  *device = &state.devices[index];
  return kSuccess;
}

// Accepts both "0000:01:00.0" (CUDA's form) and "00000000:01:00.0" (NVML's), as the real library does.
int nvmlDeviceGetHandleByPciBusId_v2(const char* bus_id, void** device) {
  if (state.init_count == 0) return kUninitialized;
  if (bus_id == nullptr || device == nullptr) return kInvalidArgument;
  unsigned long fields[4] = {};  // domain, bus, device, function
  const char separators[4] = {':', ':', '.', '\0'};
  const char* cursor = bus_id;
  for (int i = 0; i < 4; ++i) {
    char* end = nullptr;
    fields[i] = std::strtoul(cursor, &end, 16);
    if (end == cursor || *end != separators[i]) return kInvalidArgument;
    cursor = end + 1;
  }
  const unsigned long bus = fields[1];
  if (fields[0] != 0 || fields[2] != 0 || fields[3] != 0 || bus == 0 || bus > state.count) return kNotFound;
  *device = &state.devices[bus - 1];
  return kSuccess;
}

int nvmlDeviceGetName(void* handle, char* name, unsigned length) {
  if (state.init_count == 0) return kUninitialized;
  if (as_device(handle) == nullptr || name == nullptr) return kInvalidArgument;
  if (state.name.size() + 1 > length) return kInsufficientSize;
  std::memcpy(name, state.name.c_str(), state.name.size() + 1);
  return kSuccess;
}

int nvmlDeviceGetTotalEnergyConsumption(void* handle, unsigned long long* mj) {
  if (int rc = check_read(handle); rc != kSuccess) return rc;
  if (state.mode == "not_supported" || state.mode == "no_energy") return kNotSupported;
  if (mj == nullptr) return kInvalidArgument;
  FakeDevice* device = as_device(handle);
  *mj = state.energy_mj + state.step_mj * device->energy_reads++;
  ++state.reads;
  return kSuccess;
}

int nvmlDeviceGetPowerUsage(void* handle, unsigned* mw) {
  if (int rc = check_read(handle); rc != kSuccess) return rc;
  if (state.mode == "not_supported" || state.mode == "no_power") return kNotSupported;
  if (mw == nullptr) return kInvalidArgument;
  *mw = state.power_mw;
  ++state.reads;
  return kSuccess;
}

int nvmlDeviceGetClockInfo(void* handle, int type, unsigned* mhz) {
  if (int rc = check_read(handle); rc != kSuccess) return rc;
  if (state.mode == "no_clock") return kNotSupported;
  if (mhz == nullptr) return kInvalidArgument;
  switch (type) {
    case kClockGraphics:
    case kClockSm: {
      const unsigned long long step = state.clock_reads < state.clock_steps ? state.clock_reads : state.clock_steps - 1;
      *mhz = state.clock_mhz[step];
      ++state.clock_reads;
      return kSuccess;
    }
    case kClockMem:
      *mhz = kMemClockMhz;
      return kSuccess;
    case kClockVideo:
      *mhz = kVideoClockMhz;
      return kSuccess;
    default:
      return kInvalidArgument;
  }
}

int nvmlDeviceGetMaxClockInfo(void* handle, int type, unsigned* mhz) {
  if (int rc = check_read(handle); rc != kSuccess) return rc;
  if (state.mode == "no_clock") return kNotSupported;
  if (mhz == nullptr) return kInvalidArgument;
  switch (type) {
    case kClockGraphics:
    case kClockSm:
      *mhz = state.max_clock_mhz;
      return kSuccess;
    case kClockMem:
      *mhz = kMemClockMhz;
      return kSuccess;
    case kClockVideo:
      *mhz = kVideoClockMhz;
      return kSuccess;
    default:
      return kInvalidArgument;
  }
}

int nvmlDeviceGetTemperature(void* handle, int sensor, unsigned* celsius) {
  if (int rc = check_read(handle); rc != kSuccess) return rc;
  if (state.mode == "no_clock") return kNotSupported;
  if (celsius == nullptr || sensor != kTemperatureGpu) return kInvalidArgument;
  *celsius = state.temp_c;
  return kSuccess;
}

// nvmlPciInfo_t's layout in the public C API.
struct FakePciInfo {
  char bus_id_legacy[16];
  unsigned domain;
  unsigned bus;
  unsigned device;
  unsigned pci_device_id;
  unsigned pci_subsystem_id;
  char bus_id[32];
};

int nvmlDeviceGetPciInfo_v3(void* handle, FakePciInfo* info) {
  if (state.init_count == 0) return kUninitialized;
  FakeDevice* device = as_device(handle);
  if (device == nullptr || info == nullptr) return kInvalidArgument;
  *info = FakePciInfo{};
  info->bus = device->index + 1;
  std::snprintf(info->bus_id_legacy, sizeof info->bus_id_legacy, "0000:%02x:00.0", info->bus);
  std::snprintf(info->bus_id, sizeof info->bus_id, "00000000:%02x:00.0", info->bus);
  return kSuccess;
}

}  // extern "C"
