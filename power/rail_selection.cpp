#include "power/rail_selection.hpp"

#include <algorithm>
#include <stdexcept>

namespace layer_energy::power {

// VDD_IN (Orin, Xavier), POM_5V_IN (TX2, Nano) and Jetson Thor's VIN (an INA238 on the module input, R38): the
// module's input, which contains every other rail. Exact names: AGX Orin's VIN_SYS_5V0 is a separate 5 V supply.
bool is_whole_module_rail(const std::string& name) {
  return name == "VDD_IN" || name == "POM_5V_IN" || name == "VIN";
}

void choose_default_total(std::vector<Rail>& rails) {
  // A rail the source marked as the module input wins over names; logs and traces carry names only.
  const bool marked = std::any_of(rails.begin(), rails.end(), [](const Rail& r) { return r.whole_module; });
  const auto contains_others = [marked](const Rail& r) {
    return marked ? r.whole_module : is_whole_module_rail(r.name);
  };
  const bool has_module_rail = std::any_of(rails.begin(), rails.end(), contains_others);
  for (Rail& rail : rails) rail.default_total = has_module_rail ? contains_others(rail) : true;
}

std::vector<std::size_t> select_rails(const std::vector<Rail>& rails, const std::string& requested) {
  std::vector<std::size_t> selected;
  if (requested.empty()) {
    for (std::size_t i = 0; i < rails.size(); ++i) {
      if (rails[i].default_total) selected.push_back(i);
    }
    return selected;
  }
  std::size_t begin = 0;
  while (begin <= requested.size()) {
    std::size_t end = requested.find(',', begin);
    if (end == std::string::npos) end = requested.size();
    const std::string name = requested.substr(begin, end - begin);
    begin = end + 1;
    if (name.empty()) continue;
    const auto it = std::find_if(rails.begin(), rails.end(), [&](const Rail& r) { return r.name == name; });
    if (it == rails.end()) {
      std::string known;
      for (const Rail& r : rails) known += (known.empty() ? "" : ",") + r.name;
      throw std::invalid_argument("--power_rails: unknown rail \"" + name + "\" (known: " + known + ")");
    }
    const auto index = static_cast<std::size_t>(it - rails.begin());
    if (std::find(selected.begin(), selected.end(), index) == selected.end()) selected.push_back(index);
  }
  if (selected.empty()) throw std::invalid_argument("--power_rails: no rail named");
  return selected;
}

}  // namespace layer_energy::power
