// Linux RAPL through powercap sysfs (Intel and AMD): cumulative energy counters per zone.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "power/source.hpp"

namespace layer_energy::power {

// Rails: one per package zone (named as the zone, "package-0") and one per dram subzone ("dram-0"), summed by
// default; core and uncore subzones are listed too ("core-0", "uncore-0") but never summed: the package contains them.
// psys (the platform, which contains the packages) and intel-rapl-mmio:* (duplicates of the packages) are skipped.
struct RaplOptions {
  bool include_psys = false;  // list psys as a rail (never summed by default)
};

// sysfs_root: prefix for /sys paths ("" on a real machine). Never throws; an unusable source says why.
std::unique_ptr<PowerSource> make_rapl_source(const std::string& sysfs_root);
std::unique_ptr<PowerSource> make_rapl_source(const std::string& sysfs_root, const RaplOptions& options);

// Folds raw energy_uj readings into a 64-bit running total. powercap documents energy_uj in
// [0, max_energy_range_uj]; after the maximum it restarts at 0, so the counter is taken modulo max + 1.
// (The RAPL hardware steps by one energy unit, max / (2^32 - 1) = 15-61 µJ, so a wrap may lose under 61 µJ: at most
// once per 262 kJ, i.e. below 1e-9.) The first reading starts the total at the raw value, so totals read like energy_uj
// until the first wrap; reading the same raw value again adds nothing.
//
// A decrease is a wrap only when the energy it implies (up to the maximum, then up to the new value) fits the time
// since the last reading below max_power_w. Otherwise it is a reset or a bad read, and its energy is unknown: the
// reading is refused with the reason, and the total keeps its value. Which one it was shows on the next reading: one
// that follows on from the last accepted value was a bad read in between; one that follows on from the refused value
// means the counter restarted there, and counting goes on from it (the energy between the last accepted reading and
// the restart is lost; the refused reading leaves a gap in the series that says so). An increase that no load could
// produce is refused the same way.
class RaplCounter {
 public:
  // No CPU package or DRAM zone draws this much: the largest server packages are rated around 500 W.
  static constexpr double kDefaultMaxPowerW = 2000.0;

  explicit RaplCounter(std::uint64_t max_range_uj, double max_power_w = kDefaultMaxPowerW)
      : max_range_uj_(max_range_uj), max_power_w_(max_power_w) {}

  // The running total (µJ) including raw_uj read at t_s (seconds, the trace clock). nullopt with *why (one line) when
  // the step from the last accepted reading is impossible. At most one wrap between two readings is assumed (one takes
  // minutes).
  std::optional<std::uint64_t> update(std::uint64_t raw_uj, double t_s, std::string* why);
  std::uint64_t max_range_uj() const { return max_range_uj_; }

 private:
  // Energy (µJ) from `from` forward to `to`, through one wrap when to < from.
  std::uint64_t forward_uj(std::uint64_t from, std::uint64_t to) const;
  // Whether a counter could gain step_uj in dt_s seconds.
  bool plausible(std::uint64_t step_uj, double dt_s) const;

  std::uint64_t max_range_uj_;
  double max_power_w_;
  std::uint64_t last_uj_ = 0;
  double last_t_s_ = 0.0;
  std::uint64_t total_uj_ = 0;
  bool started_ = false;
  // The last refused reading: where the counter stands if it was reset.
  bool refused_ = false;
  std::uint64_t refused_uj_ = 0;
  double refused_t_s_ = 0.0;
};

}  // namespace layer_energy::power
