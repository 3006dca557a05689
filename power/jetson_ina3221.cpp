#include "power/jetson_ina3221.hpp"

#include <algorithm>
#include <exception>
#include <utility>

#include "power/jetson_board.hpp"
#include "power/rail_selection.hpp"

namespace layer_energy::power {
namespace {

// Legacy ina3221x: its documented default configuration refreshes three channels about every 0.42 s.
constexpr double kIioNominalPeriodS = 0.42;
// hwmon without a readable update_interval: the chip's reset configuration (3 channels x 2 x 1.1 ms).
constexpr double kHwmonNominalPeriodS = 0.0066;
// INA238 without update_interval: the configuration its driver writes (ina238.c: 16 samples averaged, bus, shunt and
// temperature each converted in 1052 us), 16 x 3 x 1.052 ms. Unverified on a Thor.
constexpr double kIna238NominalPeriodS = 16 * 3 * 0.001052;

std::string format_ms(double seconds) {
  std::string text = std::to_string(seconds * 1000.0);
  text.erase(text.find_last_not_of('0') + 1);
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

// One value when every chip agrees, else "1-0040:26,1-0041:8"; "" when no chip has one.
std::string per_chip(const std::vector<std::pair<std::string, std::string>>& values) {
  if (values.empty()) return {};
  const bool same =
      std::all_of(values.begin(), values.end(), [&](const auto& v) { return v.second == values[0].second; });
  if (same) return values[0].second;
  std::string text;
  for (const auto& v : values) text += (text.empty() ? "" : ",") + v.first + ":" + v.second;
  return text;
}

class JetsonSource final : public PowerSource {
 public:
  explicit JetsonSource(std::shared_ptr<const jetson::Board> board)
      : board_(std::move(board)), board_name_(board_->model()) {
    reason_ = monitors().problem;
    if (reason_.empty()) check_readable();
    build_rails();
    build_context();
  }

  // A source that could not even be built (memory exhaustion during discovery).
  struct Failed {};
  JetsonSource(Failed, std::string reason) : board_name_("unknown Jetson"), reason_(std::move(reason)) {}

  std::string name() const override { return "jetson"; }
  SourceTraits traits() const override {
    SourceTraits traits;
    traits.board_names_machine = true;  // /proc/device-tree/model: the module, whose rails are the whole board
    traits.period_from_driver = period_from_driver_;
    return traits;
  }
  std::string unusable_reason() const override { return reason_; }
  const std::vector<Rail>& rails() const override { return rails_; }
  double update_period_s() const override { return update_period_s_; }
  std::string board() const override { return board_name_; }
  std::map<std::string, std::string> context() const override { return context_; }

  void poll(bool /*include_edge_only: no rail here is edge-only*/, std::vector<Reading>& out,
            std::vector<ReadFailure>& failures) override {
    if (!reason_.empty()) return;
    try {
      std::string why;
      const auto& channels = monitors().channels;
      for (std::size_t i = 0; i < channels.size(); ++i) {
        const double t0 = now_s();
        const auto watts = jetson::read_watts(channels[i], &why);
        const double t = 0.5 * (t0 + now_s());  // the read's midpoint: a legacy read is a slow I2C transaction
        if (watts) {
          out.push_back(Reading{t, i, *watts});
        } else {
          failures.push_back(ReadFailure{t, i, why});
        }
      }
    } catch (const std::exception&) {
      // Only memory exhaustion lands here; dropping the rest of this poll beats an exception in the sampler.
    }
  }

 private:
  const jetson::Monitors& monitors() const { return board_->monitors(); }

  // A source whose every rail fails is unusable now; one that fails on some rails reports those per poll.
  void check_readable() {
    std::string first_why;
    for (const auto& channel : monitors().channels) {
      std::string why;
      if (jetson::read_watts(channel, &why)) return;
      if (first_why.empty()) first_why = why;
    }
    reason_ = "none of the " + std::to_string(monitors().channels.size()) + " " + monitor_names() +
              " rails is readable: " + first_why;
  }

  // "INA3221", or "INA3221/INA238" on a board that has both: what the unusable reason names.
  std::string monitor_names() const {
    const auto& chips = monitors().chips;
    const bool ina238 =
        std::any_of(chips.begin(), chips.end(), [](const jetson::Chip& c) { return c.part == jetson::Part::ina238; });
    return ina238 ? "INA3221/INA238" : "INA3221";
  }

  void build_rails() {
    for (const auto& channel : monitors().channels) {
      Rail rail;
      rail.name = channel.rail;
      rail.quantity = Quantity::power_w;
      rail.resolution = channel.resolution_w;
      rail.whole_module = channel.module_input;
      rails_.push_back(rail);
    }
    choose_default_total(rails_);  // the whole-module rail alone where one exists (Thor's INA238), else every rail
  }

  void build_context() {
    std::vector<std::pair<std::string, std::string>> drivers, intervals, samples, modes;
    std::string devices;
    period_from_driver_ = !monitors().chips.empty();
    for (const auto& chip : monitors().chips) {
      devices += (devices.empty() ? "" : ",") + chip.device;
      drivers.emplace_back(chip.device, jetson::driver_name(chip.driver));
      double period = 0.0;
      bool read_from_driver = false;
      if (chip.driver == jetson::Driver::iio) {
        period = kIioNominalPeriodS;
        intervals.emplace_back(chip.device, format_ms(period) + " (nominal: legacy ina3221x default configuration)");
        if (chip.running_mode) {
          modes.emplace_back(chip.device, std::to_string(*chip.running_mode) +
                                              (*chip.running_mode ? " (continuous)" : " (triggered)"));
        }
      } else if (chip.update_interval_ms && *chip.update_interval_ms > 0) {
        period = static_cast<double>(*chip.update_interval_ms) / 1000.0;
        intervals.emplace_back(chip.device, std::to_string(*chip.update_interval_ms));
        read_from_driver = true;
      } else if (chip.part == jetson::Part::ina238) {
        period = kIna238NominalPeriodS;
        intervals.emplace_back(chip.device, format_ms(period) + " (nominal: ina238 driver default configuration)");
      } else {
        period = kHwmonNominalPeriodS;
        intervals.emplace_back(chip.device, format_ms(period) + " (nominal: INA3221 reset default)");
      }
      if (!read_from_driver) period_from_driver_ = false;
      if (chip.samples) samples.emplace_back(chip.device, std::to_string(*chip.samples));
      update_period_s_ = std::max(update_period_s_, period);  // the slowest chip bounds every rail's staleness
    }
    const std::pair<const char*, std::string> entries[] = {
        {"jetson_driver", per_chip(drivers)},
        {"jetson_sensors", devices},
        {"jetson_update_interval_ms", per_chip(intervals)},
        {"jetson_samples", per_chip(samples)},
        {"jetson_running_mode", per_chip(modes)},
    };
    for (const auto& entry : entries) {
      if (!entry.second.empty()) context_[entry.first] = entry.second;
    }
  }

  // Shared with a Jetson state reader of the same root: one discovery of the board. Null only for a Failed source.
  std::shared_ptr<const jetson::Board> board_;
  std::string board_name_;
  std::string reason_;
  std::vector<Rail> rails_;
  double update_period_s_ = 0.0;
  bool period_from_driver_ = false;  // every chip's update_interval read from its driver
  std::map<std::string, std::string> context_;
};

}  // namespace

std::unique_ptr<PowerSource> make_jetson_source(const std::string& sysfs_root) {
  try {
    return std::make_unique<JetsonSource>(jetson::Board::open(sysfs_root));
  } catch (const std::exception& e) {
    return std::make_unique<JetsonSource>(JetsonSource::Failed{},
                                          std::string("Jetson power source could not start: ") + e.what());
  }
}

}  // namespace layer_energy::power
