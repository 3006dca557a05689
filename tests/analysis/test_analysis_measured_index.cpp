// What a prediction reads instead of the model's name-keyed maps: the measured configurations by shape and the
// fitted ranges as a table. Each must answer exactly as the map it comes from.
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/measured_index.hpp"
#include "analysis/model_json.hpp"
#include "analysis/predict.hpp"

namespace {

using namespace layer_energy::analysis;
namespace layers = layer_energy::layers;

layers::Layer conv_layer(int64_t C, int64_t K) {
  layers::Layer l;
  l.conv.C = C, l.conv.K = K, l.conv.H = l.conv.W = 28, l.conv.R = l.conv.S = 3, l.conv.pad = 1;
  return l;
}

layers::Layer fc_layer(int64_t in, int64_t out) {
  layers::Layer l;
  l.type = layers::LayerType::fc;
  l.fc.in = in, l.fc.out = out;
  return l;
}

TEST(MeasuredIndex, FindsCanonicalNamesByShapeAndPrecision) {
  std::unordered_map<std::string, Measured> by_name;
  by_name[layers::case_name(conv_layer(64, 128))] = {1.0, 2.0, 0};
  by_name[layers::case_name(fc_layer(1024, 10), layers::Precision::fp16)] = {3.0, 4.0, 0};
  by_name[layers::case_name(conv_layer(32, 32), layers::Precision::fp32, layers::Layout::nhwc)] = {5.0, 6.0, 0};
  by_name[layers::case_name(conv_layer(16, 16)) + "/real_time"] = {7.0, 8.0, 0};  // not a name case_name gives
  MeasuredIndex index;
  index.build(by_name);
  EXPECT_EQ(index.source_size(), 4u);

  const Measured* conv = index.find(conv_layer(64, 128), layers::Precision::fp32);
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->energy_J, 1.0);
  EXPECT_EQ(index.find(conv_layer(64, 127), layers::Precision::fp32), nullptr);
  EXPECT_EQ(index.find(conv_layer(64, 128), layers::Precision::fp16), nullptr);

  EXPECT_EQ(index.find(fc_layer(1024, 10), layers::Precision::fp32), nullptr);
  const Measured* fc = index.find(fc_layer(1024, 10), layers::Precision::fp16);
  ASSERT_NE(fc, nullptr);
  EXPECT_EQ(fc->time_s, 4.0);

  // The name-keyed lookup of predict_layer never found these: neither does the index.
  EXPECT_EQ(index.find(conv_layer(32, 32), layers::Precision::fp32), nullptr);
  EXPECT_EQ(index.find(conv_layer(16, 16), layers::Precision::fp32), nullptr);
  layers::Layer pool;
  pool.type = layers::LayerType::pool;
  EXPECT_EQ(index.find(pool, layers::Precision::fp32), nullptr);
}

EnergyModel model_with(const layers::Layer& measured_layer) {
  EnergyModel model;
  model.has_conv = true;
  model.conv.ranges["macs"] = {1e6, 1e9};
  model.conv.ranges["C"] = {3, 256};
  model.conv.ranges["K"] = {8, 512};
  model.conv.ranges["stride"] = {1, 2};
  model.measured[layers::case_name(measured_layer)] = {0.25, 1e-4, 0.01};
  return model;
}

TEST(MeasuredIndex, PredictionsAgreeIndexedOrNotAndAfterAChange) {
  const layers::Layer measured = conv_layer(64, 64);
  EnergyModel plain = model_with(measured);  // assembled in code, never indexed: the maps are read
  EnergyModel indexed = plain;
  index_for_prediction(&indexed);
  for (const EnergyModel* m : {&plain, &indexed}) {
    const Prediction p = predict_layer(*m, measured, "l");
    EXPECT_EQ(p.source, "measured");
    EXPECT_EQ(p.energy_J, 0.25);
  }
  // Changed after indexing: the stale index is not trusted, the map is read.
  const layers::Layer added = conv_layer(64, 96);
  indexed.measured[layers::case_name(added)] = {0.5, 2e-4, 0};
  EXPECT_EQ(predict_layer(indexed, added, "l").source, "measured");
}

TEST(MeasuredIndex, RangeTableGivesTheMapsReasons) {
  EnergyModel plain = model_with(conv_layer(1, 1));
  EnergyModel indexed = plain;
  index_for_prediction(&indexed);
  ASSERT_TRUE(indexed.conv.range_table_built);
  layers::Layer far = conv_layer(512, 4);
  far.conv.stride = 1;
  const Prediction a = predict_layer(plain, far, "far");
  const Prediction b = predict_layer(indexed, far, "far");
  EXPECT_FALSE(b.covered);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_NE(b.reason.find("C=512 outside fitted [3, 256]"), std::string::npos) << b.reason;
  EXPECT_NE(b.reason.find("K=4 outside fitted [8, 512]"), std::string::npos) << b.reason;
  EXPECT_EQ(b.reason.find("stride="), std::string::npos) << b.reason;  // inside its range
  // MACs are not an integer field: written as {:g} writes them.
  layers::Layer big = conv_layer(256, 512);
  big.conv.H = big.conv.W = 224;
  const Prediction c = predict_layer(indexed, big, "big");
  EXPECT_NE(c.reason.find("macs=5.919e+10 outside fitted [1e+06, 1e+09]"), std::string::npos) << c.reason;
}

}  // namespace
