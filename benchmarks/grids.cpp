#include "benchmarks/grids.hpp"

#include "layers/grids.hpp"
#include "layers/layer_csv.hpp"

namespace layer_energy::bench {

std::vector<layers::Layer> grid_layers(const std::string& grid) {
  if (grid == "quick") return layers::quick_grid();
  if (grid == "paper") return layers::paper_grid();
  if (grid == "model") return layers::model_grid();
  if (grid == "calibrate") return layers::calibrate_grid();
  return layers::read_layer_csv(grid);
}

}  // namespace layer_energy::bench
