// Which rails make up energy_J: the contract's default (whole-module input rail, else the sum) or --power_rails.
#pragma once

#include <string>
#include <vector>

#include "power/source.hpp"

namespace layer_energy::power {

// VDD_IN (TX2, Xavier NX, Orin NX/Nano), POM_5V_IN (Nano) and VIN (Thor) feed the whole module and contain the other
// rails.
bool is_whole_module_rail(const std::string& name);

// Marks default_total: only the whole-module rail where one exists (never it and the others), else every rail. The
// whole-module rails are those marked Rail::whole_module by their source where any is, else those named as above.
void choose_default_total(std::vector<Rail>& rails);

// Indices of the rails summed into energy_J. `requested` is --power_rails ("A,B"); empty: the default_total rails.
// Throws std::invalid_argument naming an unknown rail and listing the known ones.
std::vector<std::size_t> select_rails(const std::vector<Rail>& rails, const std::string& requested);

}  // namespace layer_energy::power
