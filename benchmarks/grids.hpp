// Which layer configurations layer_bench registers: --grid=quick|paper|model|calibrate|FILE.
#pragma once

#include <string>
#include <vector>

#include "layers/layer.hpp"

namespace layer_energy::bench {

// quick, paper, model, calibrate (layers/grids.hpp), or a layer CSV file (throws std::runtime_error "FILE:LINE: ..." for a bad line).
std::vector<layers::Layer> grid_layers(const std::string& grid);

}  // namespace layer_energy::bench
