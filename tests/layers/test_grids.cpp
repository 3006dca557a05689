// The built-in grids layer_bench and the simulator share (layers/grids.hpp): sizes, the regimes each must cover,
// and the built-in networks kept out of the fitting grid.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "layers/grids.hpp"
#include "layers/layer.hpp"
#include "layers/networks.hpp"

using layer_energy::layers::Layer;
namespace layers = layer_energy::layers;

TEST(Grids, ModelGridCoversTheRegimes) {
  const std::vector<Layer> grid = layers::model_grid();
  EXPECT_GE(grid.size(), 800u);
  EXPECT_LE(grid.size(), 1300u);
  int k_sweep = 0, depthwise = 0, grouped = 0, batched = 0, gemv = 0, gemm = 0, off_pow2 = 0;
  for (const Layer& l : grid) {
    EXPECT_EQ(layers::validate(l), "");
    if (l.type == layers::LayerType::fc) {
      (l.fc.N <= 8 ? gemv : gemm)++;
      continue;
    }
    const layers::ConvShape& c = l.conv;
    if (c.N == 1 && c.C == 64 && c.H == 28 && c.R == 3 && c.groups == 1 && c.stride == 1) ++k_sweep;
    if (c.groups > 1) (c.groups == c.C ? depthwise : grouped)++;
    if (c.N > 1) ++batched;
    if ((c.K & (c.K - 1)) != 0) ++off_pow2;
  }
  EXPECT_GE(k_sweep, 256);
  EXPECT_GE(depthwise, 40);
  EXPECT_GE(grouped, 40);
  EXPECT_GE(batched, 100);
  EXPECT_GE(gemv, 50);
  EXPECT_GE(gemm, 50);
  EXPECT_GE(off_pow2, 200);
}

TEST(Grids, PaperGridMatchesTheStudy) {
  const std::vector<Layer> grid = layers::paper_grid();
  EXPECT_EQ(grid.size(), 2172u);  // the grid of layer_bench --grid=paper (one definition, layers/grids.cpp)
  EXPECT_EQ(layers::case_name(grid.front()), "Conv/N:1/C:64/H:28/W:28/K:1/R:3/S:3/stride:1/pad:1/groups:1");
  EXPECT_EQ(std::count_if(grid.begin(), grid.end(), [](const Layer& l) { return l.type == layers::LayerType::fc; }),
            108);
}


TEST(Grids, ModelGridReachesWideOneByOnesAtSmallH) {
  // MobileNet-like heads and projections: C >= 480 at H <= 14, where long reductions over few pixels are
  // latency-bound (the paper grid has none).
  int wide_pointwise = 0;
  for (const Layer& l : layers::model_grid()) {
    if (l.type != layers::LayerType::conv) continue;
    const layers::ConvShape& c = l.conv;
    if (c.R == 1 && c.groups == 1 && c.C >= 480 && c.H <= 14) ++wide_pointwise;
  }
  EXPECT_GE(wide_pointwise, 12);
}

TEST(Grids, ModelGridReachesSqueezeExcitationAndTinyMaps) {
  // Real networks' SE blocks (1x1 convs on a 1x1 map) and last stages at small inputs (2-5 pixels).
  int squeeze_excite = 0, tiny_maps = 0;
  for (const Layer& l : layers::model_grid()) {
    if (l.type != layers::LayerType::conv) continue;
    const layers::ConvShape& c = l.conv;
    if (c.H == 1 && c.W == 1 && c.R == 1) ++squeeze_excite;
    if (c.H >= 2 && c.H <= 5) ++tiny_maps;
  }
  EXPECT_GE(squeeze_excite, 24);
  EXPECT_GE(tiny_maps, 12);
}

TEST(Grids, ModelGridReachesDepthwiseStrideTwoAtBatchOne) {
  // The first block of every MobileNet/EfficientNet stage; the simulated laptop predicted the zoo's 26% slow with 7.
  int count = 0;
  for (const Layer& l : layers::model_grid()) {
    const layers::ConvShape& c = l.conv;
    if (l.type == layers::LayerType::conv && c.groups == c.C && c.groups > 1 && c.stride == 2 && c.N == 1) ++count;
  }
  EXPECT_GE(count, 30);
}

TEST(Grids, ModelGridHoldsNoConfigurationOfABuiltInNetwork) {
  std::set<std::string> grid;
  for (const Layer& l : layers::model_grid()) grid.insert(layers::case_name(l));
  for (const std::string& net : layers::network_names()) {
    for (const Layer& l : layers::network_layers(net)) EXPECT_EQ(grid.count(layers::case_name(l)), 0u) << net;
  }
}

TEST(Grids, CalibrateGridPinsThePowerParameters) {
  const std::vector<Layer> grid = layers::calibrate_grid();
  EXPECT_GE(grid.size(), 20u);
  EXPECT_LE(grid.size(), 60u);
  int k_sweep = 0, depthwise = 0, gemv = 0, gemm = 0, low_intensity = 0, high_intensity = 0;
  for (const Layer& l : grid) {
    EXPECT_EQ(layers::validate(l), "");
    if (l.type == layers::LayerType::fc) {
      (l.fc.N <= 8 ? gemv : gemm)++;
      continue;
    }
    const layers::ConvShape& c = l.conv;
    if (c.N == 1 && c.C == 64 && c.H == 28 && c.R == 3 && c.groups == 1) ++k_sweep;
    if (c.groups == c.C && c.groups > 1) ++depthwise;
    const double intensity = layers::macs(l) / layers::bytes(l, layers::Precision::fp32);
    if (intensity < 8) ++low_intensity;
    if (intensity > 60) ++high_intensity;
  }
  EXPECT_GE(k_sweep, 6);
  EXPECT_GE(depthwise, 3);
  EXPECT_GE(gemv, 3);
  EXPECT_GE(gemm, 2);
  EXPECT_GE(low_intensity, 3);
  EXPECT_GE(high_intensity, 3);
}
