// Layer sets the simulator runs: the model grid, the paper grid, seeded random layers, a network's layers.
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

// The study's grid, as benchmarks/grids.cpp registers it for layer_bench --grid=paper (analysis/ cannot link
// benchmarks/, so it is restated here; a test keeps the count in step).
std::vector<layers::Layer> paper_grid();

// `n` valid layers with off-grid values (conv of every kind and FC), seeded; at most 2e10 MACs each.
std::vector<layers::Layer> random_layers(std::size_t n, uint64_t seed);

}  // namespace layer_energy::sim
