#include "power/nvml_source.hpp"

#include <cstdlib>

#include "power/nvml_device.hpp"
#include "power/nvml_library.hpp"

namespace layer_energy::power {
namespace {

constexpr std::size_t kNoRail = static_cast<std::size_t>(-1);

class NvmlSource final : public PowerSource {
 public:
  explicit NvmlSource(const NvmlOptions& options) {
    reason_ = open(options);
    if (!reason_.empty()) release();
  }
  ~NvmlSource() override { release(); }

  std::string name() const override { return "nvml"; }
  std::string unusable_reason() const override { return reason_; }
  const std::vector<Rail>& rails() const override { return rails_; }
  // Nominal: both the H100's energy counter and its power reading change every ~100 ms.
  double update_period_s() const override { return 0.1; }
  std::string board() const override { return gpu_name_; }
  std::map<std::string, std::string> context() const override;
  void poll(bool include_edge_only, std::vector<Reading>& out, std::vector<ReadFailure>& failures) override;

 private:
  std::string open(const NvmlOptions& options);
  void read_energy(std::vector<Reading>& out, std::vector<ReadFailure>& failures);
  void read_power(std::vector<Reading>& out, std::vector<ReadFailure>& failures);
  void release();

  // Shared with an NVML state reader of the same GPU (one nvmlInit per GPU); null when unusable.
  std::shared_ptr<NvmlDevice> device_;
  std::string reason_;
  std::string gpu_name_;
  std::string bus_id_;
  bool energy_counter_ = false;
  std::vector<Rail> rails_;
  std::size_t energy_rail_ = kNoRail;
  std::size_t power_rail_ = kNoRail;
};

std::string NvmlSource::open(const NvmlOptions& options) {
  NvmlDevice::Needs needs;
  needs.no_driver_hint = true;
  needs.say_no_gpu = true;
  std::string why;
  device_ = NvmlDevice::open(options, needs, &why);
  if (!device_) return why;
  const nvml::Api& api = device_->api();
  const nvml::Device device = device_->handle();

  char name[nvml::kNameBufferSize] = {};
  gpu_name_ = api.name(device, name, sizeof name) == nvml::kSuccess ? name : "unknown NVIDIA GPU";
  nvml::PciInfo pci{};
  if (api.pci_info != nullptr && api.pci_info(device, &pci) == nvml::kSuccess) {
    pci.bus_id[sizeof pci.bus_id - 1] = '\0';
    bus_id_ = pci.bus_id;
  } else {
    bus_id_ = options.pci_bus_id;
  }

  // Probe once: which of the two readings this GPU and driver support decides the rails.
  nvml::Return energy_rc = nvml::kNotSupported;
  if (api.total_energy != nullptr) {
    unsigned long long mj = 0;
    energy_rc = api.total_energy(device, &mj);
  }
  nvml::Return power_rc = nvml::kNotSupported;
  if (api.power_usage != nullptr) {
    unsigned mw = 0;
    power_rc = api.power_usage(device, &mw);
  }
  energy_counter_ = energy_rc == nvml::kSuccess;
  const bool power_ok = power_rc == nvml::kSuccess;
  const std::string prefix = "nvml: " + device_->label() + " (" + gpu_name_ + "): ";
  if (!energy_counter_ && !power_ok) {
    if (energy_rc == nvml::kNotSupported && power_rc == nvml::kNotSupported) {
      // Jetson's integrated GPU: NVML initialises but reports no power; the board's INA3221 rails do.
      return prefix + "power and energy queries NOT_SUPPORTED (on Jetson use --power=jetson)";
    }
    return prefix + "no power reading (energy counter: " + device_->describe(energy_rc) +
           "; power usage: " + device_->describe(power_rc) + ")";
  }

  if (energy_counter_) {
    // One counter read costs ~3.5 ms on an H100: read it at window edges only.
    energy_rail_ = rails_.size();
    rails_.push_back(Rail{"GPU", Quantity::energy_j, true, true, 0.001});
    if (power_ok) {
      power_rail_ = rails_.size();
      rails_.push_back(Rail{"GPU_power", Quantity::power_w, false, false, 0.001});
    }
  } else {
    power_rail_ = rails_.size();
    rails_.push_back(Rail{"GPU", Quantity::power_w, true, false, 0.001});
  }
  return {};
}

std::map<std::string, std::string> NvmlSource::context() const {
  return {
      {"nvml_gpu", gpu_name_}, {"nvml_pci_bus_id", bus_id_}, {"nvml_energy_counter", energy_counter_ ? "yes" : "no"}};
}

void NvmlSource::poll(bool include_edge_only, std::vector<Reading>& out, std::vector<ReadFailure>& failures) {
  if (!reason_.empty()) return;
  if (power_rail_ != kNoRail) read_power(out, failures);
  if (energy_rail_ != kNoRail && include_edge_only) read_energy(out, failures);
}

// Each reading is stamped at the midpoint of its call: the counter read alone takes milliseconds.
void NvmlSource::read_energy(std::vector<Reading>& out, std::vector<ReadFailure>& failures) {
  unsigned long long mj = 0;
  const double t0 = now_s();
  const nvml::Return rc = device_->api().total_energy(device_->handle(), &mj);
  const double t = 0.5 * (t0 + now_s());
  if (rc != nvml::kSuccess) {
    failures.push_back(ReadFailure{t, energy_rail_, "nvmlDeviceGetTotalEnergyConsumption: " + device_->describe(rc)});
    return;
  }
  out.push_back(Reading{t, energy_rail_, static_cast<double>(mj) * 1e-3});
}

void NvmlSource::read_power(std::vector<Reading>& out, std::vector<ReadFailure>& failures) {
  unsigned mw = 0;
  const double t0 = now_s();
  const nvml::Return rc = device_->api().power_usage(device_->handle(), &mw);
  const double t = 0.5 * (t0 + now_s());
  if (rc != nvml::kSuccess) {
    failures.push_back(ReadFailure{t, power_rail_, "nvmlDeviceGetPowerUsage: " + device_->describe(rc)});
    return;
  }
  out.push_back(Reading{t, power_rail_, static_cast<double>(mw) * 1e-3});
}

// An unusable source lets go of the GPU at once (its nvmlShutdown runs when no state reader shares it).
void NvmlSource::release() {
  device_.reset();
}

}  // namespace

std::string nvml_library_path(const NvmlOptions& options) {
  if (!options.library.empty()) return options.library;
  const char* env = std::getenv("LAYER_ENERGY_NVML_LIBRARY");
  if (env != nullptr && *env != '\0') return env;
  return nvml::kDefaultLibrary;
}

std::unique_ptr<PowerSource> make_nvml_source(const NvmlOptions& options) {
  return std::make_unique<NvmlSource>(options);
}

}  // namespace layer_energy::power
