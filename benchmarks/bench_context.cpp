#include "benchmarks/bench_context.hpp"

#include <cstdio>

#include "layer_energy_version.hpp"  // generated at build time (cmake/WriteVersion.cmake)
#include "power/sysfs.hpp"

namespace layer_energy::bench {

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

std::map<std::string, std::string> run_context(const BenchOptions& options, EnergyMeter& meter, Backend& backend) {
  std::map<std::string, std::string> context;
  context["backend"] = backend.name();
  context["precision"] = options.precision;
  context["layout"] = options.layout;
  context["layer_energy_git_sha"] = LAYER_ENERGY_GIT_SHA;
  context["command_line"] = options.command_line;
  context["energy_rel_err_target"] = number(options.energy_rel_err);
  for (const auto& kv : backend.context()) context[kv.first] = kv.second;
  std::string board = backend.device_name();
  if (meter.active()) {
    auto* source = meter.source();
    context["power_source"] = source->name();
    context["power_rails"] = meter.selected_names();
    context["power_update_s"] = number(meter.update_period_s());
    context["power_update_method"] = meter.update_period_method();
    for (const auto& kv : source->context()) context[kv.first] = kv.second;
    if (!source->board().empty() && source->traits().board_names_machine) board = source->board();
  } else {
    context["power_source"] = "none";
    context["power_note"] = meter.inactive_reason();
  }
  context["board"] = board;
  // L4T release on a Jetson: /etc/nv_tegra_release's first line ("# R36 (release), REVISION: 3.0, ...").
  if (auto l4t = power::sysfs::read_line(power::sysfs::join(options.power_sysfs_root, "/etc/nv_tegra_release"))) {
    context["l4t_release"] = *l4t;
  }
  return context;
}

std::map<std::string, std::string> idle_context(const std::string& prefix, const IdlePower& idle) {
  std::map<std::string, std::string> context;
  if (!idle.measured) return context;
  context[prefix] = number(idle.total_w);
  for (const auto& rail : idle.rail_w) context[prefix + ":" + rail.first] = number(rail.second);
  return context;
}

}  // namespace layer_energy::bench
