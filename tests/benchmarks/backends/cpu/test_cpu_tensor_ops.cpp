// The CPU backend's pooling, element-wise add, activations and batch-norm inference against the naive double
// references (naive_reference.hpp), plus their labels, kernel records, inputs and refusals. Each runs once per
// implementation selector (Eigen; oneDNN where built, else those tests skip with the reason): both run the same loops.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "benchmarks/backends/cpu/cpu_backend.hpp"
#include "benchmarks/backends/cpu/cpu_vector_math.hpp"
#include "layers/layer.hpp"
#include "cpu_impl_fixture.hpp"
#include "naive_reference.hpp"
#include "tensor_compare.hpp"

namespace layer_energy {
namespace {

using bench::CpuBackendOptions;
using bench::CpuImpl;
using bench::UnsupportedLayer;
using layers::Activation;
using layers::Layer;
using layers::LayerType;
using layers::Layout;
using layers::PoolMode;
using layers::Precision;
using layers::TensorOpShape;
using test::tensor_op;
using test::tensor_op_layer;

// fp32 against the double reference: |got - exact| <= 1e-5 * magnitude (the sum of |terms|) for every element. These
// ops round a handful of times per element, so they sit far inside it (a few 1e-7).
constexpr double kTolerance = 1e-5;

constexpr Activation kActivations[] = {Activation::relu, Activation::relu6, Activation::sigmoid, Activation::silu,
                                       Activation::hardswish};

std::size_t elements(const TensorOpShape& s) {
  return static_cast<std::size_t>(s.N * s.C * s.H * s.W);
}

struct PoolCase {
  const char* name;
  TensorOpShape shape;
};

// Odd sizes, padding on every edge, stride 2 and 3, ragged last windows, N * C planes above the thread counts.
std::vector<PoolCase> pool_cases() {
  std::vector<PoolCase> cases;
  for (PoolMode mode : {PoolMode::max, PoolMode::avg}) {
    const auto add = [&](const char* name, int64_t N, int64_t C, int64_t H, int64_t W, int64_t R, int64_t stride,
                         int64_t pad) { cases.push_back({name, test::pool(N, C, H, W, R, stride, pad, mode)}); };
    add("3x3 stride 2 pad 1, odd 13x11", 1, 8, 13, 11, 3, 2, 1);
    add("2x2 stride 2", 2, 5, 8, 8, 2, 2, 0);
    add("2x2 stride 2 pad 1, odd 9x9", 1, 4, 9, 9, 2, 2, 1);
    add("3x3 stride 1 pad 1, 7x9", 1, 6, 7, 9, 3, 1, 1);
    add("5x5 stride 2 pad 2, 11x12", 1, 4, 11, 12, 5, 2, 2);
    add("3x3 stride 3, ragged 10x11", 2, 3, 10, 11, 3, 3, 0);
    add("window is the input", 1, 4, 5, 5, 5, 1, 0);
    add("1x1 stride 2", 1, 4, 7, 7, 1, 2, 0);
    add("3x3 stride 2 pad 1 on 2x2", 1, 3, 2, 2, 3, 2, 1);
    add("7x7 stride 1 pad 3 on 5x6", 2, 2, 5, 6, 7, 1, 3);
    add("3x3 stride 2 pad 1, 1x1 input", 1, 5, 1, 1, 3, 2, 1);
    add("many planes 3x3 stride 2 pad 1", 3, 16, 15, 17, 3, 2, 1);
  }
  const auto global = [&](const char* name, int64_t N, int64_t C, int64_t H, int64_t W) {
    cases.push_back({name, test::pool(N, C, H, W, 0, 0, 0, PoolMode::global)});
  };
  global("global 7x7", 1, 16, 7, 7);
  global("global odd 13x9", 2, 3, 13, 9);
  global("global 1x1", 1, 5, 1, 1);
  global("global 20x23 (lanes and tail)", 1, 4, 20, 23);
  global("global 56x56", 2, 8, 56, 56);
  return cases;
}

const std::vector<TensorOpShape>& eltwise_shapes() {
  static const std::vector<TensorOpShape> shapes = {tensor_op(1, 3, 5, 7),  tensor_op(2, 8, 9, 9),
                                                    tensor_op(1, 1, 1, 1),  tensor_op(3, 5, 1, 17),
                                                    tensor_op(1, 16, 33, 31), tensor_op(2, 7, 13, 3)};
  return shapes;
}

class CpuTensorOpsTest : public test::CpuImplFixture {};

INSTANTIATE_TEST_SUITE_P(Impl, CpuTensorOpsTest, ::testing::Values(CpuImpl::eigen, CpuImpl::onednn), test::impl_param_name);

TEST_P(CpuTensorOpsTest, PoolMatchesNaiveReference) {
  for (int threads : {1, 2, 3}) {
    auto backend = this->backend(threads);
    for (const PoolCase& c : pool_cases()) {
      const Layer layer = tensor_op_layer(LayerType::pool, c.shape);
      ASSERT_EQ(layers::validate(layer), "") << c.name;
      const std::string what =
          std::string(c.name) + " (" + layers::case_name(layer) + ", " + std::to_string(threads) + " threads)";
      auto prepared = backend->prepare(layer, Precision::fp32, Layout::nchw, 42);
      EXPECT_GT(prepared->run(2), 0.0) << what;
      const std::vector<float> input = prepared->input();
      EXPECT_EQ(input.size(), elements(c.shape)) << what;
      EXPECT_TRUE(prepared->weights().empty()) << what;
      const auto P = layers::pool_output_height(c.shape), Q = layers::pool_output_width(c.shape);
      const std::vector<float> output = prepared->output();
      EXPECT_EQ(output.size(), static_cast<std::size_t>(c.shape.N * c.shape.C * P * Q)) << what;
      test::expect_matches(output, test::naive_pool(c.shape, input), kTolerance, what);
    }
  }
}

// count_include_pad=0 (ONNX AveragePool's default): a corner window of a 3x3 pad-1 pooling averages its 4 in-bounds
// elements, not 9 with the padding; max pooling never takes the padding (a zero) over negative elements.
TEST_P(CpuTensorOpsTest, PoolingLeavesPaddingOut) {
  auto backend = this->backend(2);
  auto avg = backend->prepare(tensor_op_layer(LayerType::pool, test::pool(1, 1, 4, 4, 3, 1, 1, PoolMode::avg)),
                              Precision::fp32, Layout::nchw, 3);
  const std::vector<float> x = avg->input(), y = avg->output();
  ASSERT_EQ(y.size(), 16u);
  const double corner = (static_cast<double>(x[0]) + x[1] + x[4] + x[5]) / 4.0;
  EXPECT_NEAR(y[0], corner, 1e-6);
  const double edge = (static_cast<double>(x[0]) + x[1] + x[2] + x[4] + x[5] + x[6]) / 6.0;  // top row, column 1
  EXPECT_NEAR(y[1], edge, 1e-6);

  // Many windows of a seeded input whose in-bounds elements are all negative at some corner: the max stays negative.
  auto max = backend->prepare(tensor_op_layer(LayerType::pool, test::pool(4, 16, 3, 3, 3, 1, 1, PoolMode::max)),
                              Precision::fp32, Layout::nchw, 5);
  const std::vector<float> in = max->input(), out = max->output();
  int negative = 0;
  for (std::size_t plane = 0; plane < 64; ++plane) {
    const float* p = in.data() + plane * 9;
    const float expected = std::max({p[0], p[1], p[3], p[4]});
    EXPECT_EQ(out[plane * 9], expected) << "plane " << plane;
    if (expected < 0.0f) ++negative;
  }
  EXPECT_GT(negative, 0) << "the seed gives no all-negative corner window: the test checks nothing";
}

TEST_P(CpuTensorOpsTest, AddMatchesNaiveReference) {
  for (int threads : {1, 2, 3}) {
    auto backend = this->backend(threads);
    for (const TensorOpShape& s : eltwise_shapes()) {
      const Layer layer = tensor_op_layer(LayerType::add, s);
      const std::string what = layers::case_name(layer) + " (" + std::to_string(threads) + " threads)";
      auto prepared = backend->prepare(layer, Precision::fp32, Layout::nchw, 11);
      EXPECT_GT(prepared->run(2), 0.0) << what;
      // input() is a, weights() is b.
      const std::vector<float> a = prepared->input(), b = prepared->weights();
      EXPECT_EQ(a.size(), elements(s)) << what;
      EXPECT_EQ(b.size(), elements(s)) << what;
      EXPECT_NE(a, b) << what;
      test::expect_matches(prepared->output(), test::naive_add(a, b), kTolerance, what);
    }
  }
}

TEST_P(CpuTensorOpsTest, ActivationMatchesNaiveReference) {
  for (int threads : {1, 2, 3}) {
    auto backend = this->backend(threads);
    for (Activation op : kActivations) {
      for (const TensorOpShape& s : eltwise_shapes()) {
        const Layer layer = test::act_layer(s, op);
        const std::string what = layers::case_name(layer) + " (" + std::to_string(threads) + " threads)";
        auto prepared = backend->prepare(layer, Precision::fp32, Layout::nchw, 13);
        EXPECT_GT(prepared->run(2), 0.0) << what;
        const std::vector<float> input = prepared->input();
        EXPECT_EQ(input.size(), elements(s)) << what;
        EXPECT_TRUE(prepared->weights().empty()) << what;
        test::expect_matches(prepared->output(), test::naive_act(op, input), kTolerance, what);
      }
    }
  }
}

// The activation input spans (-8, 8), so relu6's clip at 6 and hardswish's bends at -3 and 3 are all exercised.
TEST_P(CpuTensorOpsTest, ActivationInputCoversEveryPiece) {
  auto prepared = backend(2)->prepare(test::act_layer(tensor_op(1, 16, 32, 32), Activation::hardswish),
                                      Precision::fp32, Layout::nchw, 1);
  const std::vector<float> input = prepared->input();
  int below_minus3 = 0, above_6 = 0, zeros = 0;
  for (float v : input) {
    EXPECT_TRUE(v > -8.0f && v < 8.0f) << v;
    below_minus3 += v < -3.0f;
    above_6 += v > 6.0f;
    zeros += v == 0.0f;
  }
  EXPECT_GT(below_minus3, 1000);
  EXPECT_GT(above_6, 500);
  EXPECT_EQ(zeros, 0);
}

TEST_P(CpuTensorOpsTest, BatchNormMatchesNaiveReference) {
  std::vector<TensorOpShape> shapes = eltwise_shapes();
  shapes.push_back(tensor_op(2, 64, 7, 7));
  for (int threads : {1, 2, 3}) {
    auto backend = this->backend(threads);
    for (const TensorOpShape& s : shapes) {
      const Layer layer = tensor_op_layer(LayerType::bn, s);
      const std::string what = layers::case_name(layer) + " (" + std::to_string(threads) + " threads)";
      auto prepared = backend->prepare(layer, Precision::fp32, Layout::nchw, 17);
      EXPECT_GT(prepared->run(2), 0.0) << what;
      const std::vector<float> input = prepared->input(), weights = prepared->weights();
      EXPECT_EQ(input.size(), elements(s)) << what;
      // scale, bias, mean, var: C each; the first three in (-1, 1) and never zero, var in (0.5, 1.5).
      ASSERT_EQ(weights.size(), static_cast<std::size_t>(4 * s.C)) << what;
      for (int64_t i = 0; i < 4 * s.C; ++i) {
        const float v = weights[static_cast<std::size_t>(i)];
        if (i < 3 * s.C) {
          EXPECT_TRUE(v > -1.0f && v < 1.0f && v != 0.0f) << what << ": vector value " << v;
        } else {
          EXPECT_TRUE(v > 0.5f && v < 1.5f) << what << ": variance " << v;
        }
      }
      test::expect_matches(prepared->output(), test::naive_batchnorm(s, input, weights), kTolerance, what);
    }
  }
}

// One parallel loop per iteration; a tile is one plane where a plane has at least 8192 elements.
TEST_P(CpuTensorOpsTest, LabelAndKernelRecord) {
  auto backend = this->backend(2);
  const TensorOpShape s = tensor_op(2, 5, 96, 96);  // 10 planes of 9216 elements
  const std::vector<std::pair<Layer, std::string>> cases = {
      {tensor_op_layer(LayerType::pool, test::pool(2, 5, 96, 96, 3, 2, 1, PoolMode::max)),
       "loops pool max, 2 threads"},
      {tensor_op_layer(LayerType::pool, test::pool(2, 5, 96, 96, 3, 2, 1, PoolMode::avg)),
       "loops pool avg, 2 threads"},
      {tensor_op_layer(LayerType::pool, test::pool(2, 5, 96, 96, 0, 0, 0, PoolMode::global)),
       "loops pool global avg, 2 threads"},
      {tensor_op_layer(LayerType::add, s), "loops add, 2 threads"},
      {test::act_layer(s, Activation::relu), "loops act relu, 2 threads"},
      {test::act_layer(s, Activation::relu6), "loops act relu6, 2 threads"},
      {test::act_layer(s, Activation::sigmoid), "loops act sigmoid, 2 threads"},
      {test::act_layer(s, Activation::silu), "loops act silu, 2 threads"},
      {test::act_layer(s, Activation::hardswish), "loops act hardswish, 2 threads"},
      {tensor_op_layer(LayerType::bn, s), "loops bn, 2 threads"},
  };
  const std::map<std::string, double> record = {{"kernels", 1}, {"cpu_threads", 2}, {"tiles", 10}};
  for (const auto& c : cases) {
    auto prepared = backend->prepare(c.first, Precision::fp32, Layout::nchw, 1);
    EXPECT_EQ(prepared->description(), c.second);
    EXPECT_EQ(prepared->kernel_record(), record) << c.second;
  }
}

// Small planes are grouped into tiles of at least 8192 elements, but never fewer tiles than threads (when there are
// that many planes).
TEST_P(CpuTensorOpsTest, SmallPlanesShareTiles) {
  const auto tiles = [&](int threads, const Layer& layer) {
    return backend(threads)->prepare(layer, Precision::fp32, Layout::nchw, 1)->kernel_record().at("tiles");
  };
  // 512 planes of 49: 168 planes a tile (8232 elements).
  EXPECT_EQ(tiles(2, test::act_layer(tensor_op(1, 512, 7, 7), Activation::relu)), 4.0);
  EXPECT_EQ(tiles(1, tensor_op_layer(LayerType::bn, tensor_op(1, 512, 7, 7))), 4.0);
  // 10 planes of 81: one tile per thread.
  EXPECT_EQ(tiles(2, tensor_op_layer(LayerType::add, tensor_op(2, 5, 9, 9))), 2.0);
  EXPECT_EQ(tiles(3, tensor_op_layer(LayerType::add, tensor_op(2, 5, 9, 9))), 4.0);  // 3 planes a tile
  EXPECT_EQ(tiles(1, tensor_op_layer(LayerType::add, tensor_op(2, 5, 9, 9))), 1.0);
  // Fewer planes than threads: a plane a tile.
  EXPECT_EQ(tiles(3, test::act_layer(tensor_op(1, 2, 4, 4), Activation::relu)), 2.0);
  // Pooling sizes its tiles by the input planes.
  EXPECT_EQ(tiles(2, tensor_op_layer(LayerType::pool, test::pool(1, 64, 112, 112, 3, 2, 1, PoolMode::max))), 64.0);
  EXPECT_EQ(tiles(2, tensor_op_layer(LayerType::pool, test::pool(1, 512, 7, 7, 0, 0, 0, PoolMode::global))), 4.0);
}

std::vector<Layer> one_of_each() {
  const TensorOpShape s = tensor_op(1, 4, 8, 8);
  return {tensor_op_layer(LayerType::pool, test::pool(1, 4, 8, 8, 3, 2, 1, PoolMode::max)),
          tensor_op_layer(LayerType::pool, test::pool(1, 4, 8, 8, 3, 2, 1, PoolMode::avg)),
          tensor_op_layer(LayerType::pool, test::pool(1, 4, 8, 8, 0, 0, 0, PoolMode::global)),
          tensor_op_layer(LayerType::add, s), test::act_layer(s, Activation::silu), tensor_op_layer(LayerType::bn, s)};
}

TEST_P(CpuTensorOpsTest, OnlyFp32) {
  auto backend = this->backend();
  for (Precision p : {Precision::fp16, Precision::tf32}) {
    for (const Layer& layer : one_of_each()) {
      try {
        backend->prepare(layer, p, Layout::nchw, 1);
        ADD_FAILURE() << layers::case_name(layer, p) << " was accepted";
      } catch (const UnsupportedLayer& e) {
        EXPECT_NE(std::string(e.what()).find("only fp32"), std::string::npos) << e.what();
      }
    }
  }
}

TEST_P(CpuTensorOpsTest, NhwcIsRefusedWithReason) {
  auto backend = this->backend();
  for (const Layer& layer : one_of_each()) {
    try {
      backend->prepare(layer, Precision::fp32, Layout::nhwc, 1);
      ADD_FAILURE() << layers::case_name(layer, Precision::fp32, Layout::nhwc) << " was accepted";
    } catch (const UnsupportedLayer& e) {
      EXPECT_NE(std::string(e.what()).find("nchw"), std::string::npos) << e.what();
    }
  }
}

TEST_P(CpuTensorOpsTest, InvalidShapeIsRefusedNamingTheProblem) {
  auto backend = this->backend();
  TensorOpShape global_window = test::pool(1, 4, 8, 8, 0, 0, 0, PoolMode::global);
  global_window.R = 3;  // global pooling must have R = H
  const std::vector<Layer> invalid = {
      tensor_op_layer(LayerType::pool, test::pool(1, 4, 8, 8, 3, 1, 3, PoolMode::max)),  // pad = R
      tensor_op_layer(LayerType::pool, test::pool(1, 4, 8, 8, 3, 0, 1, PoolMode::avg)),  // stride 0
      tensor_op_layer(LayerType::pool, test::pool(1, 4, 2, 2, 5, 1, 1, PoolMode::max)),  // window above the input
      tensor_op_layer(LayerType::pool, global_window),
      tensor_op_layer(LayerType::add, tensor_op(1, 0, 8, 8)),                            // C = 0
      test::act_layer(tensor_op(0, 4, 8, 8), Activation::relu),                          // N = 0
      tensor_op_layer(LayerType::bn, tensor_op(1, 4, 8, -1)),                            // W < 0
  };
  test::expect_refused_with_validate_reason(*backend, invalid);
}

TEST_P(CpuTensorOpsTest, RefusesLayersAboveHalfOfMemory) {
  auto backend = this->backend();
  const TensorOpShape huge = tensor_op(1024, 4096, 4096, 4096);  // 2^46 floats per tensor
  for (const Layer& layer : {tensor_op_layer(LayerType::pool, test::pool(1024, 4096, 4096, 4096, 3, 2, 1,
                                                                         PoolMode::max)),
                             tensor_op_layer(LayerType::add, huge), test::act_layer(huge, Activation::relu),
                             tensor_op_layer(LayerType::bn, huge)}) {
    try {
      backend->prepare(layer, Precision::fp32, Layout::nchw, 1);
      ADD_FAILURE() << layers::case_name(layer) << " was accepted";
    } catch (const UnsupportedLayer& e) {
      EXPECT_NE(std::string(e.what()).find("more than half of"), std::string::npos) << e.what();
    }
  }
}

// output() before any run computes it; after more runs it is the same; run(0) times nothing.
TEST_P(CpuTensorOpsTest, OutputBeforeAndAfterRuns) {
  auto backend = this->backend(3);
  for (const Layer& layer : one_of_each()) {
    const std::string what = layers::case_name(layer);
    auto prepared = backend->prepare(layer, Precision::fp32, Layout::nchw, 23);
    const std::vector<float> first = prepared->output();
    EXPECT_GT(std::count_if(first.begin(), first.end(), [](float v) { return v != 0.0f; }), 0) << what;
    EXPECT_GE(prepared->run(0), 0.0) << what;
    EXPECT_GT(prepared->run(3), 0.0) << what;
    EXPECT_EQ(prepared->output(), first) << what;
  }
}

TEST_P(CpuTensorOpsTest, SameSeedSameTensorsAcrossThreadCounts) {
  for (const Layer& layer : one_of_each()) {
    const std::string what = layers::case_name(layer);
    auto a = backend(1)->prepare(layer, Precision::fp32, Layout::nchw, 1234);
    auto b = backend(3)->prepare(layer, Precision::fp32, Layout::nchw, 1234);
    auto c = backend(1)->prepare(layer, Precision::fp32, Layout::nchw, 1235);
    EXPECT_EQ(a->input(), b->input()) << what;
    EXPECT_EQ(a->weights(), b->weights()) << what;
    EXPECT_EQ(a->output(), b->output()) << what;
    EXPECT_NE(a->input(), c->input()) << what;
  }
}

// The vectorisable exp and sigmoid the activations use, across the float range: a few ulp from the exact values
// where those are above 1e-30; below, where exp_nonpositive flushes to 0 under -87.3 (e^x < FLT_MIN), a tiny absolute
// error.
TEST(CpuVectorMath, ExpAndSigmoidAcrossTheRange) {
  double worst_exp = 0.0, worst_sigmoid = 0.0, worst_silu = 0.0, worst_tiny = 0.0;
  for (int i = -200000; i <= 200000; ++i) {
    const float x = static_cast<float>(i) * 5e-4f;  // -100 .. 100
    const double exact_sigmoid = 1.0 / (1.0 + std::exp(-static_cast<double>(x)));
    const auto relative = [&worst_tiny](double got, double exact) {
      if (std::fabs(exact) >= 1e-30) return std::fabs(got - exact) / std::fabs(exact);
      worst_tiny = std::max(worst_tiny, std::fabs(got - exact));
      return 0.0;
    };
    worst_sigmoid = std::max(worst_sigmoid, relative(bench::cpu::sigmoid(x), exact_sigmoid));
    worst_silu = std::max(worst_silu, relative(bench::cpu::silu(x), x * exact_sigmoid));
    if (x <= 0.0f && x > -87.0f) {
      worst_exp = std::max(worst_exp, relative(bench::cpu::exp_nonpositive(x), std::exp(static_cast<double>(x))));
    }
  }
  EXPECT_LT(worst_exp, 5e-7);
  EXPECT_LT(worst_sigmoid, 5e-7);
  EXPECT_LT(worst_silu, 5e-7);
  EXPECT_LT(worst_tiny, 1e-35);
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(bench::cpu::exp_nonpositive(0.0f), 1.0f);
  EXPECT_EQ(bench::cpu::exp_nonpositive(-inf), 0.0f);
  EXPECT_EQ(bench::cpu::sigmoid(inf), 1.0f);
  EXPECT_EQ(bench::cpu::sigmoid(-inf), 0.0f);
  EXPECT_EQ(bench::cpu::sigmoid(0.0f), 0.5f);
  EXPECT_EQ(bench::cpu::relu6(7.0f), 6.0f);
  EXPECT_EQ(bench::cpu::hardswish(-3.5f), 0.0f);
  EXPECT_FLOAT_EQ(bench::cpu::hardswish(4.0f), 4.0f);
}

}  // namespace
}  // namespace layer_energy
