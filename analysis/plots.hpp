// Plot data (CSV + the model JSON) for scripts/plot_fit.py, and running it with matplotlib.
#pragma once

#include <string>

#include "analysis/fit_pipeline.hpp"

namespace layer_energy::analysis {

// Creates `dir` (and parents) if needed; throws std::runtime_error when it cannot.
void make_directories(const std::string& dir);

// Writes dir/fit_points.csv, dir/alpha_k.csv and dir/model.json. Throws std::runtime_error on an I/O error.
void write_plot_data(const FitOutcome& outcome, const std::string& dir);

// Runs the plot script (LAYER_ENERGY_PLOT_SCRIPT, LAYER_ENERGY_PYTHON override the built-in paths) on `dir`; its
// output goes to stderr. Returns an empty string on success, else why it failed.
std::string run_plot_script(const std::string& dir);

}  // namespace layer_energy::analysis
