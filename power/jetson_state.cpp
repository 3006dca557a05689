// Jetson GPU state: the GPU's devfreq node (clock in Hz) and its thermal zone (millidegrees C), plus the nvpmodel mode.
// Every path comes from the board's one discovery (jetson::Board); a read() is two small sysfs reads.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include "power/device_state.hpp"
#include "power/jetson_board.hpp"
#include "power/sysfs.hpp"

namespace layer_energy::power {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// A thermal zone outside this range (m°C) is a disabled or broken sensor (some Tegra zones read -256000).
constexpr long long kMinPlausibleMilliC = -100000;
constexpr long long kMaxPlausibleMilliC = 200000;

// 1300500000 Hz -> "1300.5".
std::string mhz_text(double mhz) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.10g", mhz);
  return buffer;
}

class JetsonStateReader final : public DeviceStateReader {
 public:
  explicit JetsonStateReader(std::shared_ptr<const jetson::Board> board) : board_(std::move(board)) {
    const jetson::GpuDevfreq& gpu = board_->gpu_devfreq();
    context_["gpu_devfreq_node"] = gpu.node;
    if (gpu.governor) context_["gpu_devfreq_governor"] = *gpu.governor;

    // max_freq/min_freq: the limits in force (nvpmodel and jetson_clocks set them); available_frequencies: the steps.
    const auto& steps = gpu.available_hz;
    const double top_step_mhz =
        steps.empty() ? kNaN : static_cast<double>(*std::max_element(steps.begin(), steps.end())) * 1e-6;
    if (!steps.empty()) context_["gpu_available_max_clock_MHz"] = mhz_text(top_step_mhz);
    max_clock_mhz_ = gpu.max_hz && *gpu.max_hz > 0 ? static_cast<double>(*gpu.max_hz) * 1e-6 : top_step_mhz;
    if (std::isfinite(max_clock_mhz_)) context_["gpu_max_clock_MHz"] = mhz_text(max_clock_mhz_);
    if (gpu.min_hz) context_["gpu_min_clock_MHz"] = mhz_text(static_cast<double>(*gpu.min_hz) * 1e-6);
    if (gpu.min_hz && gpu.max_hz) context_["gpu_clock_pinned"] = *gpu.min_hz == *gpu.max_hz ? "yes" : "no";

    const jetson::GpuThermalZone& zone = board_->gpu_thermal_zone();
    if (!zone.name.empty()) context_["gpu_thermal_zone"] = zone.name + " (" + zone.type + ")";

    const jetson::Nvpmodel& nvpmodel = board_->nvpmodel();
    if (!nvpmodel.status.empty()) context_["nvpmodel_status"] = nvpmodel.status;
    if (!nvpmodel.mode.empty()) context_["nvpmodel_mode"] = nvpmodel.mode;
    // jetson_clocks keeps no state file of its own: min_freq == max_freq (gpu_clock_pinned) is the visible effect.
    context_["jetson_clocks"] = "unknown";
  }

  DeviceState read() override {
    DeviceState state;
    if (const auto hz = sysfs::read_integer(board_->gpu_devfreq().cur_freq_path); hz && *hz >= 0) {
      state.gpu_clock_mhz = static_cast<double>(*hz) * 1e-6;
    }
    const std::string& temp_path = board_->gpu_thermal_zone().temp_path;
    if (!temp_path.empty()) {
      const auto milli_c = sysfs::read_integer(temp_path);
      if (milli_c && *milli_c >= kMinPlausibleMilliC && *milli_c <= kMaxPlausibleMilliC) {
        state.temp_c = static_cast<double>(*milli_c) * 1e-3;
      }
    }
    return state;
  }

  std::map<std::string, std::string> context() const override { return context_; }
  std::string description() const override { return "jetson devfreq"; }
  double max_clock_mhz() const override { return max_clock_mhz_; }

 private:
  std::shared_ptr<const jetson::Board> board_;  // shared with a Jetson power source of the same root
  double max_clock_mhz_ = kNaN;
  std::map<std::string, std::string> context_;
};

}  // namespace

std::unique_ptr<DeviceStateReader> make_jetson_state_reader(const std::string& sysfs_root, std::string* why) {
  std::shared_ptr<const jetson::Board> board = jetson::Board::open(sysfs_root);
  if (board->gpu_devfreq().node.empty()) {
    if (why) *why = "jetson: no GPU devfreq node in " + board->gpu_devfreq().class_dir;
    return nullptr;
  }
  return std::make_unique<JetsonStateReader>(std::move(board));
}

}  // namespace layer_energy::power
