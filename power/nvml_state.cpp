// GPU state through NVML: SM clock (nvmlDeviceGetClockInfo), GPU temperature (nvmlDeviceGetTemperature) and the
// maximum SM clock (nvmlDeviceGetMaxClockInfo) for the context and the throttle rule.
#include <memory>
#include <string>

#include "power/device_state.hpp"
#include "power/nvml_device.hpp"
#include "power/nvml_library.hpp"

namespace layer_energy::power {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

class NvmlStateReader final : public DeviceStateReader {
 public:
  explicit NvmlStateReader(const NvmlOptions& options) {
    reason_ = open(options);
    if (!reason_.empty()) device_.reset();
  }

  // Empty when the reader can read a clock.
  const std::string& reason() const { return reason_; }

  DeviceState read() override {
    DeviceState state;
    if (!reason_.empty()) return state;
    const nvml::Api& api = device_->api();
    const nvml::Device device = device_->handle();
    unsigned value = 0;
    if (api.clock_info(device, nvml::kClockSm, &value) == nvml::kSuccess) state.gpu_clock_mhz = value;
    if (temperature_ && api.temperature(device, nvml::kTemperatureGpu, &value) == nvml::kSuccess) {
      state.temp_c = value;
    }
    return state;
  }

  std::map<std::string, std::string> context() const override { return context_; }
  std::string description() const override { return "nvml"; }
  double max_clock_mhz() const override { return max_clock_mhz_; }

 private:
  std::string open(const NvmlOptions& options);

  // Shared with an NVML power source of the same GPU (one nvmlInit per GPU); null when unusable.
  std::shared_ptr<NvmlDevice> device_;
  bool temperature_ = false;
  double max_clock_mhz_ = kNaN;
  std::map<std::string, std::string> context_;
  std::string reason_;
};

std::string NvmlStateReader::open(const NvmlOptions& options) {
  NvmlDevice::Needs needs;
  needs.clock_info = true;
  std::string why;
  device_ = NvmlDevice::open(options, needs, &why);
  if (!device_) return why;
  const nvml::Api& api = device_->api();
  const nvml::Device device = device_->handle();

  unsigned value = 0;
  if (nvml::Return rc = api.clock_info(device, nvml::kClockSm, &value); rc != nvml::kSuccess) {
    return "nvml: " + device_->label() + ": no SM clock (" + device_->describe(rc) + ")";
  }
  // Probed once: a GPU without a temperature sensor reading is not asked again at every window edge.
  temperature_ = api.temperature != nullptr && api.temperature(device, nvml::kTemperatureGpu, &value) == nvml::kSuccess;
  if (api.max_clock_info != nullptr && api.max_clock_info(device, nvml::kClockSm, &value) == nvml::kSuccess &&
      value > 0) {
    max_clock_mhz_ = value;
    context_["gpu_max_clock_MHz"] = std::to_string(value);
  }
  return {};
}

}  // namespace

std::unique_ptr<DeviceStateReader> make_nvml_state_reader(const NvmlOptions& options, std::string* why) {
  auto reader = std::make_unique<NvmlStateReader>(options);
  if (!reader->reason().empty()) {
    if (why) *why = reader->reason();
    return nullptr;
  }
  return reader;
}

}  // namespace layer_energy::power
