// Layer files (--grid=FILE, energy_predict --layers FILE): CSV with a header, columns found by name in any order.
#pragma once

#include <string>
#include <vector>

#include "layers/layer.hpp"

namespace layer_energy::layers {

// type (conv|fc); conv: N,C,H,W,K,R,S required, stride (1), pad (0), groups (1) optional; fc: N,in,out.
// Other columns are kept in Layer::extra ("name" also becomes Layer::label). An empty field means "not given".
// Throws std::runtime_error("FILE:LINE: what is wrong") for a bad line; "FILE: ..." for a bad header or no rows.
std::vector<Layer> read_layer_csv(const std::string& path);

}  // namespace layer_energy::layers
