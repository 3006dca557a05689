// The model tests' common setup: a file written to the build tree, and a fit request on a simulated model-grid run
// with the polynomial and leave-one-level-out off (none of these tests checks them; they are most of a fit's time).
#pragma once

#include <fstream>
#include <string>

#include "analysis/fit_pipeline.hpp"
#include "analysis/simulator/sim_json.hpp"
#include "layers/grids.hpp"

namespace layer_energy::analysis {

inline std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = std::string(LAYER_ENERGY_BINARY_DIR) + "/" + name;
  std::ofstream(path) << text;
  return path;
}

// `device`'s model-grid run (default run options) written to `file`, as the request's only input.
inline FitRequest model_grid_request(const sim::Device& device, const std::string& file) {
  FitRequest request;
  request.options.poly = false;
  request.options.level_out = false;
  request.files = {write_temp(file, sim::result_json(device, layers::model_grid(), sim::RunOptions()))};
  return request;
}

}  // namespace layer_energy::analysis
