// Layer sets the simulator runs besides the built-in grids (layers/grids.hpp): seeded random layers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "layers/layer.hpp"

namespace layer_energy::sim {

// `n` valid layers with off-grid values (conv of every kind and FC), seeded; at most 2e10 MACs each.
std::vector<layers::Layer> random_layers(std::size_t n, uint64_t seed);

}  // namespace layer_energy::sim
