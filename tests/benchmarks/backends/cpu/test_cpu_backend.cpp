// The CPU backend against the naive direct conv and FC, plus its refusals and its random inputs, for each of its
// implementations (Eigen always; oneDNN where the build has it, else those tests skip with the reason).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "benchmarks/backends/cpu/cpu_backend.hpp"
#include "benchmarks/backends/cpu/cpu_thread_pool.hpp"
#include "layers/layer.hpp"
#include "cpu_impl_fixture.hpp"
#include "naive_reference.hpp"
#include "tensor_compare.hpp"

namespace layer_energy {
namespace {

using bench::CpuBackendOptions;
using bench::CpuImpl;
using bench::UnsupportedLayer;
using layers::ConvShape;
using layers::FcShape;
using layers::Layer;
using layers::Layout;
using layers::Precision;
using test::conv;
using test::conv_layer;
using test::fc_layer;

// fp32 output against the double reference: |got - exact| <= 1e-4 * sum |products| for every element.
constexpr double kTolerance = 1e-4;

void expect_random(const std::vector<float>& values, const std::string& what) {
  ASSERT_FALSE(values.empty()) << what;
  std::size_t zeros = 0;
  double sum = 0.0;
  for (float v : values) {
    if (v == 0.0f) ++zeros;
    EXPECT_TRUE(v > -1.0f && v < 1.0f) << what << ": value " << v << " outside (-1, 1)";
    sum += v;
  }
  EXPECT_EQ(zeros, 0u) << what << " has zeros";
  if (values.size() >= 1000) {
    EXPECT_LT(std::fabs(sum / static_cast<double>(values.size())), 0.1) << what;
  }
}

struct ConvCase {
  const char* name;
  ConvShape shape;
};

const std::vector<ConvCase>& conv_cases() {
  static const std::vector<ConvCase> cases = {
      {"1x1", conv(1, 16, 9, 9, 24, 1, 1, 1, 0, 1)},
      {"1x1 stride 2", conv(2, 8, 10, 10, 12, 1, 1, 2, 0, 1)},
      {"3x3 pad 1", conv(1, 8, 12, 12, 16, 3, 3, 1, 1, 1)},
      {"3x3 no pad", conv(1, 5, 11, 11, 7, 3, 3, 1, 0, 1)},
      {"5x5 stride 2 pad 2", conv(1, 6, 17, 17, 10, 5, 5, 2, 2, 1)},
      {"7x7 stride 2 pad 3", conv(1, 3, 23, 23, 8, 7, 7, 2, 3, 1)},
      {"non-square H!=W R!=S", conv(1, 4, 13, 21, 6, 3, 5, 1, 2, 1)},
      {"non-square stride 3", conv(1, 4, 19, 14, 5, 5, 2, 3, 1, 1)},
      {"groups=2", conv(1, 8, 10, 10, 12, 3, 3, 1, 1, 2)},
      {"groups=4 stride 2", conv(2, 16, 9, 11, 8, 3, 3, 2, 1, 4)},
      {"depthwise", conv(1, 12, 14, 14, 12, 3, 3, 1, 1, 12)},
      {"depthwise stride 2", conv(1, 10, 15, 13, 10, 3, 3, 2, 1, 10)},
      {"depthwise 5x5 multiplier 2", conv(2, 6, 11, 12, 12, 5, 5, 1, 2, 6)},
      {"depthwise multiplier 3 stride 2", conv(1, 4, 9, 9, 12, 3, 3, 2, 0, 4)},
      {"batch N=3", conv(3, 6, 10, 10, 9, 3, 3, 1, 1, 1)},
      {"first layer C=3", conv(2, 3, 32, 32, 16, 3, 3, 1, 1, 1)},
      {"kernel larger than padded input", conv(1, 2, 3, 3, 4, 3, 3, 1, 0, 1)},
      {"pad larger than kernel", conv(1, 3, 5, 5, 4, 3, 3, 2, 4, 1)},
      {"many pixels, many tiles", conv(1, 32, 40, 40, 40, 3, 3, 1, 1, 1)},
      {"deep, few pixels (filter split)", conv(1, 256, 4, 4, 96, 3, 3, 1, 1, 1)},
      // Channel counts of whole SIMD blocks, so that oneDNN takes its blocked (jit/brgemm) kernels, not gemm.
      {"blocked 3x3", conv(1, 32, 12, 12, 48, 3, 3, 1, 1, 1)},
      {"blocked 1x1 stride 2", conv(1, 64, 10, 10, 32, 1, 1, 2, 0, 1)},
      {"blocked depthwise", conv(1, 32, 15, 15, 32, 3, 3, 1, 1, 32)},
      {"blocked depthwise stride 2", conv(2, 48, 16, 16, 48, 3, 3, 2, 1, 48)},
      {"blocked depthwise 5x5 pad 2", conv(1, 64, 9, 9, 64, 5, 5, 1, 2, 64)},
      {"blocked grouped", conv(1, 64, 8, 8, 64, 3, 3, 1, 1, 4)},
      {"grouped 1x1", conv(1, 32, 7, 7, 64, 1, 1, 1, 0, 4)},
  };
  return cases;
}

// Each test runs once per implementation (cpu_impl_fixture.hpp, beside it).
class CpuImplTest : public test::CpuImplFixture {};

INSTANTIATE_TEST_SUITE_P(Impl, CpuImplTest, ::testing::Values(CpuImpl::eigen, CpuImpl::onednn), test::impl_param_name);

TEST_P(CpuImplTest, ConvMatchesNaiveReference) {
  for (int threads : {1, 2, 3}) {
    auto backend = this->backend(threads);
    for (const ConvCase& c : conv_cases()) {
      const std::string what = std::string(c.name) + " (" + layers::case_name(conv_layer(c.shape)) + ", " +
                               std::to_string(threads) + " threads)";
      auto prepared = backend->prepare(conv_layer(c.shape), Precision::fp32, Layout::nchw, 42);
      EXPECT_GT(prepared->run(2), 0.0) << what;
      const std::vector<float> input = prepared->input(), weights = prepared->weights();
      EXPECT_EQ(input.size(), static_cast<std::size_t>(c.shape.N * c.shape.C * c.shape.H * c.shape.W)) << what;
      EXPECT_EQ(weights.size(),
                static_cast<std::size_t>(c.shape.K * (c.shape.C / c.shape.groups) * c.shape.R * c.shape.S))
          << what;
      test::expect_matches(prepared->output(), test::naive_conv(c.shape, input, weights), kTolerance, what);
    }
  }
}

TEST(CpuBackend, EigenConvDescriptionNamesTheAlgorithm) {
  CpuBackendOptions options;
  options.impl = CpuImpl::eigen;
  auto backend = bench::make_cpu_backend(options);
  EXPECT_NE(backend->prepare(conv_layer(conv(1, 8, 8, 8, 8, 3, 3, 1, 1, 1)), Precision::fp32, Layout::nchw, 1)
                ->description()
                .find("im2col+gemm"),
            std::string::npos);
  EXPECT_NE(backend->prepare(conv_layer(conv(1, 8, 8, 8, 8, 1, 1, 1, 0, 1)), Precision::fp32, Layout::nchw, 1)
                ->description()
                .find("1x1 gemm"),
            std::string::npos);
  EXPECT_NE(backend->prepare(conv_layer(conv(1, 8, 8, 8, 16, 3, 3, 1, 1, 8)), Precision::fp32, Layout::nchw, 1)
                ->description()
                .find("depthwise direct"),
            std::string::npos);
}

TEST_P(CpuImplTest, FcMatchesNaiveReference) {
  const std::vector<FcShape> shapes = {{1, 1024, 1000}, {8, 256, 512}, {1, 7, 3},     {8, 33, 65},
                                       {3, 100, 1},     {130, 64, 40}, {64, 96, 300}, {32, 512, 256}};
  for (int threads : {1, 2, 3}) {
    auto backend = this->backend(threads);
    for (const FcShape& s : shapes) {
      const Layer layer = fc_layer(s);
      const std::string what = layers::case_name(layer) + " (" + std::to_string(threads) + " threads)";
      auto prepared = backend->prepare(layer, Precision::fp32, Layout::nchw, 7);
      EXPECT_GT(prepared->run(1), 0.0) << what;
      const std::vector<float> input = prepared->input(), weights = prepared->weights();
      EXPECT_EQ(input.size(), static_cast<std::size_t>(s.N * s.in)) << what;
      EXPECT_EQ(weights.size(), static_cast<std::size_t>(s.in * s.out)) << what;
      test::expect_matches(prepared->output(), test::naive_fc(s, input, weights), kTolerance, what);
    }
  }
}

TEST_P(CpuImplTest, OutputBeforeRunIsComputed) {
  auto backend = this->backend();
  const ConvShape s = conv(1, 4, 6, 6, 4, 3, 3, 1, 1, 1);
  auto prepared = backend->prepare(conv_layer(s), Precision::fp32, Layout::nchw, 3);
  test::expect_matches(prepared->output(), test::naive_conv(s, prepared->input(), prepared->weights()), kTolerance,
                       "output() first");
}

TEST_P(CpuImplTest, InputsAndWeightsAreRandomNeverZero) {
  auto backend = this->backend();
  auto conv_prepared =
      backend->prepare(conv_layer(conv(2, 16, 32, 32, 32, 3, 3, 1, 1, 1)), Precision::fp32, Layout::nchw, 1);
  expect_random(conv_prepared->input(), "conv input");
  expect_random(conv_prepared->weights(), "conv weights");
  EXPECT_NE(conv_prepared->input(), conv_prepared->weights());
  auto fc_prepared = backend->prepare(fc_layer({4, 512, 300}), Precision::fp32, Layout::nchw, 1);
  expect_random(fc_prepared->input(), "fc input");
  expect_random(fc_prepared->weights(), "fc weights");
  // A run with random inputs gives a non-zero output.
  const std::vector<float> out = fc_prepared->output();
  EXPECT_GT(std::count_if(out.begin(), out.end(), [](float v) { return v != 0.0f; }),
            static_cast<std::ptrdiff_t>(out.size() * 9 / 10));
}

TEST_P(CpuImplTest, SameSeedSameInputsAcrossThreadCountsAndImplementations) {
  const Layer layer = conv_layer(conv(2, 16, 70, 70, 8, 3, 3, 1, 1, 1));  // input over two random blocks
  auto a = backend(1)->prepare(layer, Precision::fp32, Layout::nchw, 1234);
  auto b = backend(3)->prepare(layer, Precision::fp32, Layout::nchw, 1234);
  auto c = backend(1)->prepare(layer, Precision::fp32, Layout::nchw, 1235);
  auto d = backend(1)->prepare(layer, Precision::fp32, Layout::nchw, 1234ull + (1ull << 32));
  EXPECT_EQ(a->input(), b->input());
  EXPECT_EQ(a->weights(), b->weights());
  EXPECT_NE(a->input(), c->input());
  EXPECT_NE(a->weights(), c->weights());
  EXPECT_NE(a->input(), d->input()) << "the seed's high 32 bits must matter";
  // Eigen and oneDNN measure the same tensors, so their energies compare like for like.
  CpuBackendOptions eigen;
  eigen.impl = CpuImpl::eigen;
  auto e = bench::make_cpu_backend(eigen)->prepare(layer, Precision::fp32, Layout::nchw, 1234);
  EXPECT_EQ(a->input(), e->input());
  EXPECT_EQ(a->weights(), e->weights());
  auto f = backend(2)->prepare(fc_layer({3, 100, 70}), Precision::fp32, Layout::nchw, 99);
  auto g = bench::make_cpu_backend(eigen)->prepare(fc_layer({3, 100, 70}), Precision::fp32, Layout::nchw, 99);
  EXPECT_EQ(f->input(), g->input());
  EXPECT_EQ(f->weights(), g->weights());
}

TEST_P(CpuImplTest, LabelNamesTheImplementationAndThreads) {
  auto backend = this->backend(2);
  const std::string prefix = std::string(test::impl_name(GetParam())) + " ";
  for (const Layer& layer : {conv_layer(conv(1, 8, 8, 8, 8, 3, 3, 1, 1, 1)),
                             conv_layer(conv(1, 8, 8, 8, 8, 3, 3, 2, 1, 8)), fc_layer({4, 64, 32})}) {
    const std::string label = backend->prepare(layer, Precision::fp32, Layout::nchw, 1)->description();
    EXPECT_EQ(label.rfind(prefix, 0), 0u) << label;
    EXPECT_NE(label.find("2 threads"), std::string::npos) << label;
    if (GetParam() == CpuImpl::onednn) {
      // oneDNN's impl_info_str(), e.g. "brgconv:avx512_core", "jit:uni", "gemm:jit": always an ISA or method after ':'.
      EXPECT_NE(label.find(':'), std::string::npos) << label;
      const bool names_primitive = layer.type == layers::LayerType::fc
                                       ? label.find("inner_product") != std::string::npos ||
                                             label.find("matmul") != std::string::npos  // FC: the faster one
                                       : label.find("convolution") != std::string::npos;
      EXPECT_TRUE(names_primitive) << label;
    }
  }
  EXPECT_EQ(backend->context().at("cpu_impl"), test::impl_name(GetParam()));
}

// The reorder back to the plain layout happens when output() is asked for: asked twice, after further runs, it gives
// the same, current result.
TEST_P(CpuImplTest, OutputAfterMoreRunsIsStillTheLayersOutput) {
  const ConvShape s = conv(1, 16, 9, 9, 32, 3, 3, 1, 1, 1);
  auto prepared = backend(2)->prepare(conv_layer(s), Precision::fp32, Layout::nchw, 21);
  const auto first = prepared->output();
  EXPECT_GT(prepared->run(3), 0.0);
  EXPECT_EQ(prepared->output(), first);
  test::expect_matches(first, test::naive_conv(s, prepared->input(), prepared->weights()), kTolerance, "twice");
}

TEST_P(CpuImplTest, OnlyFp32) {
  auto backend = this->backend();
  for (Precision p : {Precision::fp16, Precision::tf32}) {
    for (const Layer& layer : {conv_layer(conv(1, 4, 8, 8, 4, 3, 3, 1, 1, 1)), fc_layer({1, 8, 8})}) {
      try {
        backend->prepare(layer, p, Layout::nchw, 1);
        ADD_FAILURE() << layers::to_string(p) << " was accepted";
      } catch (const UnsupportedLayer& e) {
        EXPECT_NE(std::string(e.what()).find("only fp32"), std::string::npos) << e.what();
      }
    }
  }
}

TEST_P(CpuImplTest, NhwcConvIsRefusedWithReason) {
  auto backend = this->backend();
  try {
    backend->prepare(conv_layer(conv(1, 4, 8, 8, 4, 3, 3, 1, 1, 1)), Precision::fp32, Layout::nhwc, 1);
    ADD_FAILURE() << "nhwc conv was accepted";
  } catch (const UnsupportedLayer& e) {
    EXPECT_NE(std::string(e.what()).find("nchw"), std::string::npos) << e.what();
  }
}

TEST_P(CpuImplTest, InvalidShapeIsRefusedNamingTheProblem) {
  auto backend = this->backend();
  const std::vector<Layer> invalid = {
      conv_layer(conv(1, 3, 8, 8, 4, 3, 3, 1, 1, 2)),  // C not divisible by groups
      conv_layer(conv(1, 4, 8, 8, 6, 3, 3, 1, 1, 4)),  // K not divisible by groups
      conv_layer(conv(1, 4, 2, 2, 4, 5, 5, 1, 0, 1)),  // kernel larger than the input
      conv_layer(conv(1, 4, 8, 8, 4, 3, 3, 0, 1, 1)),  // stride 0
      conv_layer(conv(0, 4, 8, 8, 4, 3, 3, 1, 1, 1)),  // N = 0
      fc_layer({1, 0, 8}),                             // in = 0
  };
  test::expect_refused_with_validate_reason(*backend, invalid);
}

TEST_P(CpuImplTest, RefusesLayersAboveHalfOfMemory) {
  auto backend = this->backend();
  // 2^31 x 2^31 floats of weights: far beyond any machine; must be refused before allocating.
  try {
    backend->prepare(fc_layer({1, 2147483647, 2147483647}), Precision::fp32, Layout::nchw, 1);
    ADD_FAILURE() << "a 16 EiB FC was accepted";
  } catch (const UnsupportedLayer& e) {
    // Physical memory, or a container's cgroup limit where lower.
    EXPECT_NE(std::string(e.what()).find("more than half of"), std::string::npos) << e.what();
  }
  try {
    backend->prepare(conv_layer(conv(1024, 4096, 4096, 4096, 64, 3, 3, 1, 1, 1)), Precision::fp32, Layout::nchw, 1);
    ADD_FAILURE() << "a 256 TiB conv was accepted";
  } catch (const UnsupportedLayer& e) {
    EXPECT_NE(std::string(e.what()).find("GiB"), std::string::npos) << e.what();
  }
}

TEST_P(CpuImplTest, RunReturnsPositiveTime) {
  auto backend = this->backend();
  auto conv_prepared =
      backend->prepare(conv_layer(conv(1, 16, 28, 28, 16, 3, 3, 1, 1, 1)), Precision::fp32, Layout::nchw, 5);
  EXPECT_GT(conv_prepared->run(5), 0.0);
  auto fc_prepared = backend->prepare(fc_layer({8, 256, 256}), Precision::fp32, Layout::nchw, 5);
  EXPECT_GT(fc_prepared->run(5), 0.0);
  EXPECT_GE(fc_prepared->run(0), 0.0);
}

TEST(CpuBackend, DefaultIsOneDnnWhereBuiltElseEigen) {
  std::string why;
  const bool built = bench::cpu_onednn_built(&why);
  const auto context = bench::make_cpu_backend()->context();
  EXPECT_EQ(context.at("cpu_impl"), built ? "onednn" : "eigen");
  EXPECT_EQ(context.count("onednn_version"), built ? 1u : 0u);
  if (built) {
    EXPECT_EQ(context.at("onednn_version").rfind("2.", 0), 0u) << context.at("onednn_version");
    EXPECT_FALSE(context.at("onednn_runtime").empty());
  } else {
    EXPECT_NE(why.find("oneDNN"), std::string::npos) << why;
    EXPECT_EQ(why.find('\n'), std::string::npos) << "one line: " << why;
  }
}

// An explicit implementation is what runs; oneDNN in a build without it is refused with the one-line reason.
TEST(CpuBackend, ExplicitImplementation) {
  CpuBackendOptions options;
  options.impl = CpuImpl::eigen;
  EXPECT_EQ(bench::make_cpu_backend(options)->context().at("cpu_impl"), "eigen");
  options.impl = CpuImpl::onednn;
  if (bench::cpu_onednn_built()) {
    EXPECT_EQ(bench::make_cpu_backend(options)->context().at("cpu_impl"), "onednn");
  } else {
    EXPECT_THROW(bench::make_cpu_backend(options), std::invalid_argument);
  }
}

TEST(CpuBackend, IdentityAndContext) {
  CpuBackendOptions options;
  options.threads = 3;
  auto backend = bench::make_cpu_backend(options);
  EXPECT_EQ(backend->name(), "cpu");
  EXPECT_FALSE(backend->device_name().empty());
  const auto context = backend->context();
  ASSERT_EQ(context.count("cpu_threads"), 1u);
  EXPECT_EQ(context.at("cpu_threads"), "3");
  ASSERT_EQ(context.count("eigen_version"), 1u);
  EXPECT_EQ(context.at("eigen_version").rfind("3.", 0), 0u) << context.at("eigen_version");
  ASSERT_EQ(context.count("cpu_simd"), 1u);
  EXPECT_FALSE(context.at("cpu_simd").empty());
  EXPECT_GT(std::stoi(bench::make_cpu_backend()->context().at("cpu_threads")), 0);
}

TEST_P(CpuImplTest, PreparedLayerOutlivesBackend) {
  std::unique_ptr<bench::PreparedLayer> prepared;
  const ConvShape s = conv(1, 8, 10, 10, 8, 3, 3, 1, 1, 1);
  prepared = backend(2)->prepare(conv_layer(s), Precision::fp32, Layout::nchw, 9);
  EXPECT_GT(prepared->run(3), 0.0);
  test::expect_matches(prepared->output(), test::naive_conv(s, prepared->input(), prepared->weights()), kTolerance,
                       "after backend");
}

// The pool runs every task exactly once, on a thread index in range, for back-to-back loops (workers spinning) and
// loops after a pause (workers asleep), also when two threads submit loops at once.
TEST(CpuThreadPool, RunsEveryTaskExactlyOnce) {
  for (int threads : {1, 2, 4}) {
    bench::cpu::ThreadPool pool(threads);
    ASSERT_EQ(pool.size(), threads);
    const auto check_loops = [&](int loops, int64_t salt) {
      for (int loop = 0; loop < loops; ++loop) {
        const int64_t count = (loop * 7 + salt) % 37;
        std::vector<std::atomic<int>> hits(static_cast<std::size_t>(count));
        for (auto& h : hits) h.store(0);
        std::atomic<int> bad_thread{0};
        pool.parallel_for(count, [&](int64_t task, int thread) {
          hits[static_cast<std::size_t>(task)].fetch_add(1);
          if (thread < 0 || thread >= threads) bad_thread.fetch_add(1);
        });
        for (int64_t i = 0; i < count; ++i) {
          EXPECT_EQ(hits[static_cast<std::size_t>(i)].load(), 1)
              << threads << " threads, loop " << loop << ", task " << i;
        }
        EXPECT_EQ(bad_thread.load(), 0);
      }
    };
    check_loops(300, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // past the spin: workers block, then wake again
    check_loops(20, 3);
    std::thread other([&] { check_loops(100, 5); });
    check_loops(100, 11);
    other.join();
  }
}

}  // namespace
}  // namespace layer_energy
