// The built-in layer grids (layer_bench --grid=quick|paper|model|calibrate; the simulator runs the same ones) and the
// builders they use.
#pragma once

#include <cstdint>
#include <set>
#include <string>
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

// model: ~1,150 configurations for fitting time (design.md "Measuring for the model"): the dense K sweep (C=64, H=28,
// 3x3, K=1..256), a stratified factorial over H (odd sizes too), C, R, K (values off the powers of two too), stride
// and batch 1-16;
// inverted-residual 1x1 expand/project pairs and heads with wide C at H=7-28; depthwise, grouped, a batch sweep to 32;
// FC in the GEMV (N <= 8) and GEMM regimes. At most 1e10 MACs a case; no configuration of a built-in network.
std::vector<Layer> model_grid();

// calibrate: ~40 configurations that pin the power parameters: a K sweep at nearly constant time, high and low
// arithmetic intensity, depthwise and grouped, the FC regimes.
std::vector<Layer> calibrate_grid();

// Collects valid layers of at most `max_macs` each, once each (by case name), in insertion order.
class UniqueLayers {
 public:
  explicit UniqueLayers(double max_macs) : max_macs_(max_macs) {}
  void add(const Layer& layer);
  std::size_t size() const { return layers_.size(); }
  std::vector<Layer> take() { return std::move(layers_); }

 private:
  double max_macs_;
  std::set<std::string> seen_;
  std::vector<Layer> layers_;
};

}  // namespace layer_energy::layers
