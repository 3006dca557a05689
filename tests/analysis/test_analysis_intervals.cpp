// Interval cells (analysis/interval_cells.hpp): which cell a layer's interval is calibrated in, the fallback of a
// small cell to its parent, and the whole path on a simulated CPU whose 1x1 convs are harder to predict than its
// spatial ones: their interval comes out wider, written to the model file, and a model file without the cell (one
// written before the split) gives them the conv class's interval.
#include <gtest/gtest.h>

#include <vector>

#include "analysis/fit_pipeline.hpp"
#include "analysis/interval_cells.hpp"
#include "analysis/model_json.hpp"
#include "analysis/predict.hpp"
#include "analysis/simulator/device_specs.hpp"
#include "analysis/simulator/sim_json.hpp"
#include "layers/grids.hpp"
#include "sim_fit_request.hpp"

namespace layer_energy::analysis {
namespace {

KernelFeatures features_of(const layers::Layer& l) {
  Hardware hw;
  hw.backend = "cuda";
  return kernel_features(l, layers::macs(l), layers::bytes(l, layers::Precision::fp32), hw, 132);
}

TEST(IntervalCells, PointwiseConvsHaveTheirOwnCell) {
  EXPECT_EQ(interval_cell(features_of(layers::conv_layer(1, 256, 14, 64, 1, 1, 0))), IntervalCell::conv_1x1);
  EXPECT_EQ(interval_cell(features_of(layers::conv_layer(1, 256, 1, 64, 1, 1, 0))), IntervalCell::conv_1x1);
  EXPECT_EQ(interval_cell(features_of(layers::conv_layer(1, 64, 28, 64, 3, 1, 1))), IntervalCell::conv);
  EXPECT_EQ(interval_cell(features_of(layers::conv_layer(1, 64, 28, 64, 3, 1, 1, 64))), IntervalCell::grouped);
  EXPECT_EQ(interval_cell(features_of(layers::conv_layer(1, 64, 28, 64, 1, 1, 0, 64))), IntervalCell::grouped);
  EXPECT_EQ(interval_cell(features_of(layers::fc_layer(1, 512, 1000))), IntervalCell::fc_gemv);
  EXPECT_EQ(interval_cell(features_of(layers::fc_layer(64, 512, 1000))), IntervalCell::fc_gemm);
  EXPECT_STREQ(cell_name(IntervalCell::conv_1x1), "conv_1x1");
  EXPECT_STREQ(cell_name(IntervalCell::grouped), "depthwise_grouped");
}

TEST(IntervalCells, EachCellItsOwnQuantileAndASmallCellJoinsItsParent) {
  std::vector<IntervalCell> cells;
  std::vector<double> r;
  for (int i = 0; i < 100; ++i) cells.push_back(IntervalCell::conv), r.push_back(0.01 * (i % 5));  // at most 0.04
  for (int i = 0; i < 40; ++i) cells.push_back(IntervalCell::conv_1x1), r.push_back(0.2);
  const CellResiduals big = cell_residuals(cells, r);
  EXPECT_NEAR(conformal_q(big.for_cell(IntervalCell::conv), 0.9), 0.04, 1e-12);
  EXPECT_NEAR(conformal_q(big.for_cell(IntervalCell::conv_1x1), 0.9), 0.2, 1e-12);
  EXPECT_EQ(big.for_cell(IntervalCell::fc_gemv).n, 140u);  // an empty cell: the pool

  cells.resize(110), r.resize(110);  // ten 1x1 residuals: too few to stand alone
  const CellResiduals small = cell_residuals(cells, r);
  EXPECT_TRUE(small.cell[static_cast<std::size_t>(IntervalCell::conv_1x1)].empty());
  EXPECT_EQ(small.for_cell(IntervalCell::conv_1x1).n, 110u);  // calibrated with the whole class
  EXPECT_EQ(small.for_cell(IntervalCell::conv).n, 110u);
}

TEST(IntervalCells, HarderPointwiseConvsGetAWiderIntervalAndOldModelsTheClasss) {
  // The simulated 2-core laptop: 1x1 convs on it are predicted with larger held-out errors than the spatial ones.
  const FitOutcome out =
      run_fit(model_grid_request(sim::cpu_device(sim::cpu_preset("laptop2")), "sim_laptop_intervals.json"));
  ASSERT_TRUE(out.conv.fitted);
  const nlohmann::json doc = model_to_json(out.model);
  ASSERT_TRUE(doc["intervals"]["conv"].contains("conv_1x1"));
  ASSERT_TRUE(doc["intervals"]["conv"].contains("conv"));

  const layers::Layer pointwise = layers::conv_layer(1, 200, 14, 600, 1, 1, 0);  // not on the grid
  const layers::Layer spatial = layers::conv_layer(1, 200, 14, 200, 3, 1, 1);
  const auto half_width = [](const EnergyModel& m, const layers::Layer& l) {
    const Prediction p = predict_layer(m, l, "layer");
    return std::log(p.energy_hi_J / p.energy_J);
  };
  EnergyModel model = model_from_json(doc);
  index_for_prediction(&model);
  const double pointwise_q = half_width(model, pointwise), spatial_q = half_width(model, spatial);
  EXPECT_GT(pointwise_q, 1.2 * spatial_q);

  nlohmann::json old_doc = doc;
  old_doc["intervals"]["conv"].erase("conv_1x1");
  EnergyModel old_model = model_from_json(old_doc);
  index_for_prediction(&old_model);
  EXPECT_NEAR(half_width(old_model, pointwise), spatial_q, 1e-12);
}

}  // namespace
}  // namespace layer_energy::analysis
