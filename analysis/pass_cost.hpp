// Calibrating what a network pass costs beyond its layers called alone (time_model.hpp PassCost) on the Net/ cases
// a run measured: how much of the cold DRAM stream this device hides behind compute, and what a cold byte costs.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "analysis/time_model.hpp"

namespace layer_energy::analysis {

struct NetworkPass {
  std::string name;
  double net_s = 0;    // the Net/ case's measured time per pass
  double alone_s = 0;  // its layers called alone: as the run measured them where it did, else as predicted
  std::vector<PassTerms> layers;  // each layer's in-pass terms under the model
};

// The price per cold byte that best predicts each network's excess over its layers alone (least squares relative to
// the Net/ time); how the cold bytes join the rest stays the loop fit's (its exponent: an exponent fitted beside the
// price on three or four networks described them and missed the next, 37% off on a real CPU). Uncalibrated
// (networks = 0) from none, or when no layer of any network comes cold.
// `left_out`: the index of a network not to calibrate on (a held-out check's own); none by default.
PassCost fit_pass_cost(const std::vector<NetworkPass>& nets, std::size_t left_out = static_cast<std::size_t>(-1));

// The relative error of each network's predicted pass time (alone_s + Σ pass_extra_s) under `cost`.
double pass_time_error(const NetworkPass& net, const PassCost& cost);

}  // namespace layer_energy::analysis
