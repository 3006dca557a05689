#include "power/registry.hpp"

#include <stdexcept>

#include "power/jetson_ina3221.hpp"
#include "power/nvml_source.hpp"
#include "power/rapl_source.hpp"
#include "power/replay_source.hpp"

namespace layer_energy::power {

std::unique_ptr<PowerSource> make_source(const std::string& spec, const SourceOptions& options) {
  if (spec == "jetson") return make_jetson_source(options.sysfs_root);
  if (spec == "rapl") return make_rapl_source(options.sysfs_root);
  if (spec == "nvml") {
    NvmlOptions nvml;
    nvml.pci_bus_id = options.nvml_pci_bus_id;
    nvml.index = options.nvml_index;
    return make_nvml_source(nvml);
  }
  const std::string replay = "replay:";
  if (spec.compare(0, replay.size(), replay) == 0 && spec.size() > replay.size()) {
    return make_replay_source(spec.substr(replay.size()));
  }
  throw std::invalid_argument("--power: unknown source \"" + spec + "\" (auto, jetson, nvml, rapl, replay:FILE, none)");
}

std::vector<std::string> auto_candidates(const SourceOptions& options) {
  return {"jetson", options.backend == "cuda" ? "nvml" : "rapl"};
}

Selection select_source(const std::string& spec, const SourceOptions& options) {
  Selection selection;
  if (spec == "none") return selection;
  if (spec == "auto") {
    for (const std::string& name : auto_candidates(options)) {
      auto source = make_source(name, options);
      const std::string why = source->unusable_reason();
      if (why.empty()) {
        selection.source = std::move(source);
        return selection;
      }
      selection.not_used.push_back(name + ": " + why);
    }
    return selection;
  }
  try {
    auto source = make_source(spec, options);
    const std::string why = source->unusable_reason();
    if (why.empty()) {
      selection.source = std::move(source);
    } else {
      selection.error = "--power=" + spec + " cannot be used: " + why;
    }
  } catch (const std::invalid_argument& e) {
    selection.error = e.what();
  }
  return selection;
}

}  // namespace layer_energy::power
