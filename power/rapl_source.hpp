// Linux RAPL through powercap sysfs (Intel and AMD): cumulative energy counters per zone.
#pragma once

#include <cstdint>
#include <memory>
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
class RaplCounter {
 public:
  explicit RaplCounter(std::uint64_t max_range_uj) : max_range_uj_(max_range_uj) {}

  // The running total (µJ) including raw_uj. At most one wrap between two readings is assumed (one takes minutes).
  std::uint64_t update(std::uint64_t raw_uj);
  std::uint64_t max_range_uj() const { return max_range_uj_; }

 private:
  std::uint64_t max_range_uj_;
  std::uint64_t last_uj_ = 0;
  std::uint64_t total_uj_ = 0;
  bool started_ = false;
};

}  // namespace layer_energy::power
