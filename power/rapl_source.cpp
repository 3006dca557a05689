#include "power/rapl_source.hpp"

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <utility>
#include <vector>

#include "power/sysfs.hpp"

namespace layer_energy::power {

// The RAPL status registers update about every millisecond, so a reading may carry up to one update's energy more
// than its interval alone allows: the ceiling is applied to the interval plus this.
constexpr double kRaplUpdateSlackS = 0.001;

std::uint64_t RaplCounter::forward_uj(std::uint64_t from, std::uint64_t to) const {
  if (to >= from) return to - from;
  // Wrapped: up to the maximum, one step from the maximum to 0, then up to `to`.
  return (from <= max_range_uj_ ? max_range_uj_ - from : 0) + 1 + to;
}

bool RaplCounter::plausible(std::uint64_t step_uj, double dt_s) const {
  const double allowed_uj = max_power_w_ * (std::max(dt_s, 0.0) + kRaplUpdateSlackS) * 1e6;
  return static_cast<double>(step_uj) <= allowed_uj;
}

std::optional<std::uint64_t> RaplCounter::update(std::uint64_t raw_uj, double t_s, std::string* why) {
  if (!started_) {
    started_ = true;
    total_uj_ = raw_uj;
    last_uj_ = raw_uj;
    last_t_s_ = t_s;
    return total_uj_;
  }
  const std::uint64_t step = forward_uj(last_uj_, raw_uj);
  if (plausible(step, t_s - last_t_s_)) {
    total_uj_ += step;
  } else if (refused_ && raw_uj >= refused_uj_ && plausible(raw_uj - refused_uj_, t_s - refused_t_s_)) {
    // The refused value was no bad read: the counter restarted there. Count on from it.
    total_uj_ += raw_uj - refused_uj_;
  } else {
    const double dt = t_s - last_t_s_;
    if (why) {
      *why = "energy counter " + std::string(raw_uj < last_uj_ ? "stepped back" : "jumped") + " from " +
             std::to_string(last_uj_) + " to " + std::to_string(raw_uj) + " uJ in " + std::to_string(dt) +
             " s, which no wrap at " + std::to_string(max_range_uj_) + " uJ explains below " +
             std::to_string(static_cast<long long>(max_power_w_)) +
             " W (counter reset or bad read; the energy since the last reading is unknown)";
    }
    refused_ = true;
    refused_uj_ = raw_uj;
    refused_t_s_ = t_s;
    return std::nullopt;
  }
  refused_ = false;
  last_uj_ = raw_uj;
  last_t_s_ = t_s;
  return total_uj_;
}

namespace {

constexpr const char* kPowercap = "/sys/class/powercap";
// The RAPL energy status registers update about every millisecond; nothing in sysfs says so, hence nominal.
constexpr double kNominalPeriodS = 0.001;

struct Zone {
  std::string entry;  // "intel-rapl:0:2"
  std::string dir;    // <root>/sys/class/powercap/intel-rapl:0:2
  int package = 0;
  int sub = -1;  // -1: a top-level (package or psys) zone
  std::string name;
};

// "intel-rapl:<pkg>" or "intel-rapl:<pkg>:<sub>"; anything else (the control type "intel-rapl", the duplicate
// "intel-rapl-mmio:*") is not ours.
bool parse_entry(const std::string& entry, int* package, int* sub) {
  static const std::string prefix = "intel-rapl:";
  if (entry.compare(0, prefix.size(), prefix) != 0) return false;
  const char* p = entry.c_str() + prefix.size();
  char* end = nullptr;
  if (*p < '0' || *p > '9') return false;
  *package = static_cast<int>(std::strtol(p, &end, 10));
  *sub = -1;
  if (*end == '\0') return true;
  if (*end != ':' || end[1] < '0' || end[1] > '9') return false;
  *sub = static_cast<int>(std::strtol(end + 1, &end, 10));
  return *end == '\0';
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}


std::string root_only_reason(const std::string& path) {
  return "rapl: " + path +
         " is readable by root only (since Linux 5.10, CVE-2020-8694): run as root, or add a udev rule: "
         "ACTION==\"add\", SUBSYSTEM==\"powercap\", RUN+=\"/bin/chmod o+r /sys/class/powercap/%k/energy_uj\"";
}

// "model name" of the first CPU in /proc/cpuinfo, or "".
std::string cpu_model(const std::string& root) {
  const auto text = sysfs::read_text(sysfs::join(root, "/proc/cpuinfo"));
  if (!text) return {};
  std::size_t pos = 0;
  while (pos < text->size()) {
    const std::size_t eol = std::min(text->find('\n', pos), text->size());
    const std::string line = text->substr(pos, eol - pos);
    pos = eol + 1;
    const std::size_t colon = line.find(':');
    if (!starts_with(line, "model name") || colon == std::string::npos) continue;
    const std::size_t begin = line.find_first_not_of(" \t", colon + 1);
    const std::size_t last = line.find_last_not_of(" \t\r");
    return begin == std::string::npos ? std::string() : line.substr(begin, last + 1 - begin);
  }
  return {};
}

class RaplSource final : public PowerSource {
 public:
  RaplSource(const std::string& root, const RaplOptions& options) : board_(cpu_model(root)) {
    const std::vector<Zone> zones = discover(root);
    if (zones.empty()) {
      reason_ = "rapl: no " + sysfs::join(root, kPowercap) +
                "/intel-rapl:* zones (not Linux on x86, or the intel_rapl / amd powercap driver is not loaded)";
      return;
    }
    for (const Zone& zone : zones) add_rail(zones, zone, options);
    if (reason_.empty() && rails_.empty()) {
      reason_ = "rapl: no package zone under " + sysfs::join(root, kPowercap) + " (skipped: " + skipped_ + ")";
    }
    if (!reason_.empty()) {
      rails_.clear();
      counters_.clear();
      paths_.clear();
      entries_.clear();
    }
  }

  struct Failed {};
  RaplSource(Failed, std::string reason) : reason_(std::move(reason)) {}

  std::string name() const override { return "rapl"; }
  std::string unusable_reason() const override { return reason_; }
  const std::vector<Rail>& rails() const override { return rails_; }
  double update_period_s() const override { return kNominalPeriodS; }
  std::string board() const override { return board_; }

  std::map<std::string, std::string> context() const override {
    std::map<std::string, std::string> context{
        {"rapl_update_s", "0.001 (nominal: RAPL energy status updates about every 1 ms)"}};
    std::string zones, ranges;
    for (std::size_t i = 0; i < rails_.size(); ++i) {
      zones += (i ? "," : "") + rails_[i].name + "=" + entries_[i];
      ranges += (i ? "," : "") + rails_[i].name + ":" + std::to_string(counters_[i].max_range_uj());
    }
    if (!zones.empty()) context["rapl_zones"] = zones;
    if (!ranges.empty()) context["rapl_max_energy_range_uj"] = ranges;
    if (!skipped_.empty()) context["rapl_skipped"] = skipped_;
    return context;
  }

  // Each reading is stamped at the midpoint of its read; the total is folded across wraps here, so the window sees a
  // monotonic counter.
  void poll(bool /*include_edge_only: no rail here is edge-only*/, std::vector<Reading>& out,
            std::vector<ReadFailure>& failures) override {
    if (!reason_.empty()) return;
    try {
      std::string why;
      for (std::size_t i = 0; i < rails_.size(); ++i) {
        const double t0 = now_s();
        const auto raw = sysfs::read_integer(paths_[i], &why);
        const double t = 0.5 * (t0 + now_s());
        if (raw && *raw < 0) why = paths_[i] + ": negative value " + std::to_string(*raw);
        if (!raw || *raw < 0) {
          failures.push_back(ReadFailure{t, i, why});
          continue;
        }
        const auto total = counters_[i].update(static_cast<std::uint64_t>(*raw), t, &why);
        if (!total) {
          failures.push_back(ReadFailure{t, i, paths_[i] + ": " + why});
          continue;
        }
        out.push_back(Reading{t, i, static_cast<double>(*total) / 1e6});
      }
    } catch (const std::exception&) {
      // Only memory exhaustion lands here; dropping the rest of this poll beats an exception in the sampler.
    }
  }

 private:
  // Zones with their names, sorted by (package, subzone) as numbers: by name, intel-rapl:10 would precede intel-rapl:2.
  static std::vector<Zone> discover(const std::string& root) {
    const std::string base = sysfs::join(root, kPowercap);
    std::vector<Zone> zones;
    for (const std::string& entry : sysfs::list_directory(base)) {
      Zone zone;
      if (!parse_entry(entry, &zone.package, &zone.sub)) continue;
      zone.entry = entry;
      zone.dir = base + "/";
      zone.dir += entry;
      const auto name = sysfs::read_line(zone.dir + "/name");
      zone.name = name ? *name : entry;
      zones.push_back(zone);
    }
    std::sort(zones.begin(), zones.end(), [](const Zone& a, const Zone& b) {
      return std::make_pair(a.package, a.sub) < std::make_pair(b.package, b.sub);
    });
    return zones;
  }

  // The top-level zone's name, or "".
  static std::string parent_name(const std::vector<Zone>& zones, const Zone& zone) {
    for (const Zone& z : zones) {
      if (z.sub < 0 && z.package == zone.package) return z.name;
    }
    return {};
  }

  void add_rail(const std::vector<Zone>& zones, const Zone& zone, const RaplOptions& options) {
    const bool top = zone.sub < 0;
    const std::string parent = top ? zone.name : parent_name(zones, zone);
    if (parent == "psys" && !options.include_psys) {
      skip(zone, "psys: the platform, contains the packages");
      return;
    }
    Rail rail;
    if (top) {
      rail.name = zone.name;
    } else {
      // dram of "package-1" is "dram-1"; a parent without the usual name falls back to the zone's index.
      const std::string suffix = starts_with(parent, "package-") ? parent.substr(8) : std::to_string(zone.package);
      rail.name = zone.name + "-" + suffix;
    }
    const bool exists_already =
        std::any_of(rails_.begin(), rails_.end(), [&](const Rail& r) { return r.name == rail.name; });
    if (exists_already) rail.name = zone.entry;
    rail.quantity = Quantity::energy_j;
    rail.resolution = 1e-6;
    // Packages and dram do not contain one another; core/uncore are inside the package, psys contains everything.
    rail.default_total = (top && zone.name != "psys") || zone.name == "dram";

    const std::string energy = zone.dir + "/energy_uj";
    std::string why;
    const auto range = sysfs::read_integer(zone.dir + "/max_energy_range_uj", &why);
    if (range && *range <= 0) why = zone.dir + "/max_energy_range_uj: not positive";
    const bool range_ok = range && *range > 0;
    const auto raw = range_ok ? sysfs::read_integer(energy, &why) : std::nullopt;
    if (!range_ok || !raw) {
      if (range_ok && sysfs::permission_denied(energy)) {
        if (!rail.default_total) {
          skip(zone, "energy_uj readable by root only");
        } else if (reason_.empty()) {
          reason_ = root_only_reason(energy);
        }
      } else if (rail.default_total) {
        // A missing package or dram would make energy_J quietly too small: refuse instead.
        if (reason_.empty()) reason_ = "rapl: " + why;
      } else {
        skip(zone, why);
      }
      return;
    }
    rails_.push_back(rail);
    counters_.emplace_back(static_cast<std::uint64_t>(*range));
    paths_.push_back(energy);
    entries_.push_back(zone.entry);
  }

  void skip(const Zone& zone, const std::string& why) {
    skipped_ += (skipped_.empty() ? "" : "; ") + zone.entry + " (" + why + ")";
  }

  std::string board_;
  std::string reason_;
  std::vector<Rail> rails_;
  std::vector<RaplCounter> counters_;  // per rail
  std::vector<std::string> paths_;     // per rail: its energy_uj
  std::vector<std::string> entries_;   // per rail: its zone ("intel-rapl:0")
  std::string skipped_;
};

}  // namespace

std::unique_ptr<PowerSource> make_rapl_source(const std::string& sysfs_root) {
  return make_rapl_source(sysfs_root, RaplOptions{});
}

std::unique_ptr<PowerSource> make_rapl_source(const std::string& sysfs_root, const RaplOptions& options) {
  try {
    return std::make_unique<RaplSource>(sysfs_root, options);
  } catch (const std::exception& e) {
    return std::make_unique<RaplSource>(RaplSource::Failed{}, std::string("rapl: could not start: ") + e.what());
  }
}

}  // namespace layer_energy::power
