// The built-in layer grids (layer_bench --grid=quick|paper, the simulator's paper grid) and the builders they use.
#pragma once

#include <cstdint>
#include <vector>

#include "layers/layer.hpp"

namespace layer_energy::layers {

// A square conv (H = W, R = S) and an FC layer.
Layer conv_layer(int64_t n, int64_t c, int64_t hw, int64_t k, int64_t r, int64_t stride, int64_t pad,
                 int64_t groups = 1);
Layer fc_layer(int64_t n, int64_t in, int64_t out);

// quick: 32 cases (24 conv, 8 FC) that run in seconds each on a CPU; the same set on every backend.
std::vector<Layer> quick_grid();

// paper: the study's sweep. Every K in 1..128 plus 160..512 at H=W=28, C=64, R=S=3; a factorial over
// H in {7,14,28,56,112,224}, C in {3,16,64,128,256,512}, R in {1,3,5,7}, K in {1,16,32,64,128,256,512},
// stride in {1,2} (pad R/2) without cases over 2e10 MACs; FC in, out in {16,64,256,1024,4096,16384}, N in {1,8,32}.
std::vector<Layer> paper_grid();

}  // namespace layer_energy::layers
