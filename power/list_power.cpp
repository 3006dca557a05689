#include "power/list_power.hpp"

#include "power/update_period.hpp"

#include <cstdio>
#include <ostream>
#include <stdexcept>

namespace layer_energy::power {

std::string power_line(const PowerSource& source, const Rail& rail, double update_period_s) {
  char period[32];
  std::snprintf(period, sizeof period, "%g", update_period_s);
  return source.name() + " " + rail.name + " " + unit_of(rail.quantity) + " " + kind_of(rail.quantity) + " " +
         period + " " + (rail.default_total ? "yes" : "no");
}

int list_power(const std::string& spec, const SourceOptions& options, std::ostream& out, std::ostream& err) {
  if (spec == "none") {
    err << "--power=none: no power source, time only\n";
    return 0;
  }
  const bool all = spec == "auto";
  const std::vector<std::string> names = all ? std::vector<std::string>{"jetson", "nvml", "rapl"}
                                             : std::vector<std::string>{spec};
  int status = 0;
  for (const std::string& name : names) {
    std::unique_ptr<PowerSource> source;
    try {
      source = make_source(name, options);
    } catch (const std::invalid_argument& e) {
      err << e.what() << "\n";
      return 1;
    }
    const std::string why = source->unusable_reason();
    if (!why.empty()) {
      err << name << ": not usable: " << why << "\n";
      if (!all) status = 1;
      continue;
    }
    // The period a measurement would use: timed from value changes where the sensor moves (Zeus-style).
    double period = source->update_period_s();
    if (!source->traits().recorded) {
      const PeriodEstimate estimate = infer_update_period(*source, 500, 0.001, 1.0);
      period = estimate.period_s;
      err << name << ": update period " << period << " s (" << estimate.method << ")\n";
    }
    for (const Rail& rail : source->rails()) out << power_line(*source, rail, period) << "\n";
  }
  return status;
}

}  // namespace layer_energy::power
