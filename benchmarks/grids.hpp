// Which layer configurations layer_bench registers: --grid=quick|paper|FILE.
#pragma once

#include <string>
#include <vector>

#include "layers/layer.hpp"

namespace layer_energy::bench {

// quick: 32 cases (24 conv, 8 FC) that run in seconds each on a CPU; the same set on every backend.
std::vector<layers::Layer> quick_grid();

// paper: the study's sweep. Every K in 1..128 plus 160..512 at H=W=28, C=64, R=S=3; a factorial over
// H in {7,14,28,56,112,224}, C in {3,16,64,128,256,512}, R in {1,3,5,7}, K in {1,16,32,64,128,256,512},
// stride in {1,2} (pad R/2) without cases over 2e10 MACs; FC in, out in {16,64,256,1024,4096,16384}, N in {1,8,32}.
std::vector<layers::Layer> paper_grid();

// quick, paper, or a layer CSV file (throws std::runtime_error "FILE:LINE: ..." for a bad line).
std::vector<layers::Layer> grid_layers(const std::string& grid);

}  // namespace layer_energy::bench
