// Layer sets the simulator runs besides layers::paper_grid(): the model grid and seeded random layers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "layers/layer.hpp"

namespace layer_energy::sim {

// ~900 configurations for fitting time: the dense K sweep (C=64, H=28, 3x3, K=1..256), a stratified factorial
// over H, C, R, K (values off the powers of two too), stride, batch; depthwise and grouped convs; FC in the
// GEMV (N <= 8) and GEMM regimes.
std::vector<layers::Layer> model_grid();

// `n` valid layers with off-grid values (conv of every kind and FC), seeded; at most 2e10 MACs each.
std::vector<layers::Layer> random_layers(std::size_t n, uint64_t seed);

}  // namespace layer_energy::sim
