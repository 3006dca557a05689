// The layers besides conv and FC: pooling, element-wise add, activation, batch-norm inference. Case names (the
// contract's pattern) round-trip, MACs and bytes per the layer library's definition, invalid shapes are refused.
#include <gtest/gtest.h>

#include <string>

#include "layers/layer.hpp"

namespace layer_energy::layers {
namespace {

Layer op(LayerType type, int64_t n, int64_t c, int64_t h, int64_t w) {
  Layer layer;
  layer.type = type;
  layer.op.N = n, layer.op.C = c, layer.op.H = h, layer.op.W = w;
  return layer;
}

Layer pool(int64_t c, int64_t h, int64_t r, int64_t stride, int64_t pad, PoolMode mode) {
  Layer layer = op(LayerType::pool, 1, c, h, h);
  layer.op.R = r, layer.op.stride = stride, layer.op.pad = pad, layer.op.mode = mode;
  return layer;
}

TEST(LayerTypes, NamesFollowTheContractAndParseBack) {
  const Layer max_pool = pool(64, 112, 3, 2, 1, PoolMode::max);
  EXPECT_EQ(case_name(max_pool), "Pool/N:1/C:64/H:112/W:112/R:3/stride:2/pad:1/mode:max");
  Layer act = op(LayerType::act, 1, 64, 56, 56);
  act.op.op = Activation::hardswish;
  EXPECT_EQ(case_name(act), "Act/N:1/C:64/H:56/W:56/op:hardswish");
  EXPECT_EQ(case_name(op(LayerType::add, 1, 64, 56, 56)), "Add/N:1/C:64/H:56/W:56");
  EXPECT_EQ(case_name(op(LayerType::bn, 2, 32, 28, 28), Precision::fp16, Layout::nhwc),
            "BN/N:2/C:32/H:28/W:28/fp16/nhwc");
  for (const Layer& layer : {max_pool, act, pool(512, 7, 7, 1, 0, PoolMode::global), pool(8, 9, 2, 2, 0, PoolMode::avg),
                             op(LayerType::add, 1, 3, 4, 5), op(LayerType::bn, 1, 3, 4, 5)}) {
    Layer back;
    Precision precision;
    Layout layout;
    const std::string name = case_name(layer, Precision::fp16, Layout::nhwc);
    ASSERT_TRUE(parse_case_name(name, &back, &precision, &layout)) << name;
    EXPECT_EQ(case_name(back, precision, layout), name);
    EXPECT_EQ(back.type, layer.type);
  }
  Layer back;
  EXPECT_FALSE(parse_case_name("Pool/N:1/C:64/H:112/W:112/R:3/stride:2/pad:1", &back));  // no mode
  EXPECT_FALSE(parse_case_name("Act/N:1/C:64/H:56/W:56/op:gelu", &back));               // unknown op
  EXPECT_FALSE(parse_case_name("Pool/N:1/C:64/H:112/W:112/R:3/stride:2/pad:3/mode:max", &back));  // pad >= R
}

TEST(LayerTypes, MacsCountOneOperationPerElementRead) {
  // 3x3 stride-2 pad-1 max pool of 112x112: 56x56 outputs of 9 reads each.
  EXPECT_DOUBLE_EQ(macs(pool(64, 112, 3, 2, 1, PoolMode::max)), 64.0 * 56 * 56 * 9);
  EXPECT_DOUBLE_EQ(macs(pool(512, 7, 7, 1, 0, PoolMode::global)), 512.0 * 7 * 7);
  EXPECT_DOUBLE_EQ(macs(op(LayerType::add, 2, 64, 56, 56)), 2.0 * 64 * 56 * 56);
  EXPECT_DOUBLE_EQ(macs(op(LayerType::act, 1, 64, 56, 56)), 64.0 * 56 * 56);
  EXPECT_DOUBLE_EQ(macs(op(LayerType::bn, 1, 64, 56, 56)), 64.0 * 56 * 56);
}

TEST(LayerTypes, BytesAreTheTensorsEachOnce) {
  const double e = 64.0 * 56 * 56;
  EXPECT_DOUBLE_EQ(bytes(op(LayerType::add, 1, 64, 56, 56), Precision::fp32), 4 * 3 * e);
  EXPECT_DOUBLE_EQ(bytes(op(LayerType::act, 1, 64, 56, 56), Precision::fp16), 2 * 2 * e);
  EXPECT_DOUBLE_EQ(bytes(op(LayerType::bn, 1, 64, 56, 56), Precision::fp32), 4 * (2 * e + 4 * 64));
  EXPECT_DOUBLE_EQ(bytes(pool(64, 112, 3, 2, 1, PoolMode::max), Precision::fp32), 4 * (64.0 * 112 * 112 + e));
  EXPECT_DOUBLE_EQ(bytes(pool(512, 7, 7, 1, 0, PoolMode::global), Precision::fp32), 4 * (512.0 * 49 + 512));
}

TEST(LayerTypes, InvalidShapesAreRefusedWithTheReason) {
  EXPECT_EQ(validate(op(LayerType::add, 1, 0, 4, 4)), "C=0 must be positive");
  EXPECT_EQ(validate(pool(8, 4, 3, 1, 3, PoolMode::max)), "pad=3 must be less than R=3");
  EXPECT_NE(validate(pool(8, 4, 7, 1, 0, PoolMode::avg)).find("output height P=-2 is less than 1"), std::string::npos);
  EXPECT_NE(validate(pool(8, 7, 3, 1, 0, PoolMode::global)).find("global pooling has R=H"), std::string::npos);
  EXPECT_EQ(validate(pool(8, 7, 7, 1, 0, PoolMode::global)), "");
}

TEST(LayerTypes, OnlyConvAndFcHaveWeights) {
  EXPECT_TRUE(has_weights(LayerType::conv));
  EXPECT_TRUE(has_weights(LayerType::fc));
  for (LayerType t : {LayerType::pool, LayerType::add, LayerType::act, LayerType::bn}) EXPECT_FALSE(has_weights(t));
}

}  // namespace
}  // namespace layer_energy::layers
