// The CUDA backend against the naive double-precision reference, computed from the very input and weights the GPU
// layer used (input()/weights()), in fp32, tf32 and fp16, NCHW and NHWC; its timing, refusals and out-of-memory path.
// GPU tests skip with the reason where the backend is not built (LAYER_ENERGY_HAVE_CUDA=0) or no GPU is usable; the
// fp16 conversions the backend relies on are tested everywhere.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "benchmarks/backends/backend.hpp"
#include "benchmarks/backends/cuda/cuda_half.hpp"
#include "layers/layer.hpp"
#include "naive_reference.hpp"
#include "tensor_compare.hpp"

#ifndef LAYER_ENERGY_HAVE_CUDA
#define LAYER_ENERGY_HAVE_CUDA 0
#endif
#if LAYER_ENERGY_HAVE_CUDA
#include "benchmarks/backends/cuda/cuda_backend.hpp"
#endif

namespace layer_energy {
namespace {

using bench::UnsupportedLayer;
using bench::cuda::float_to_half_bits;
using bench::cuda::half_bits_to_float;
using layers::ConvShape;
using layers::FcShape;
using layers::Layer;
using layers::Layout;
using layers::Precision;
using test::conv;
using test::conv_layer;
using test::fc_layer;

// ---------------------------------------------------------------------------------------------------------------
// fp16 conversions (no GPU needed)

float bits_float(uint32_t bits) {
  float value = 0;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

TEST(GpuBackendHalf, KnownValues) {
  EXPECT_EQ(float_to_half_bits(0.0f), 0x0000u);
  EXPECT_EQ(float_to_half_bits(-0.0f), 0x8000u);
  EXPECT_EQ(float_to_half_bits(1.0f), 0x3c00u);
  EXPECT_EQ(float_to_half_bits(-2.0f), 0xc000u);
  EXPECT_EQ(float_to_half_bits(0.5f), 0x3800u);
  EXPECT_EQ(float_to_half_bits(65504.0f), 0x7bffu);  // largest half
  EXPECT_EQ(float_to_half_bits(65519.0f), 0x7bffu);  // below the halfway point: stays finite
  EXPECT_EQ(float_to_half_bits(65520.0f), 0x7c00u);  // halfway to 65536: ties to even = inf
  EXPECT_EQ(float_to_half_bits(1e10f), 0x7c00u);     // overflow
  EXPECT_EQ(float_to_half_bits(-std::numeric_limits<float>::infinity()), 0xfc00u);
  EXPECT_EQ(float_to_half_bits(std::ldexp(1.0f, -14)), 0x0400u);             // smallest normal
  EXPECT_EQ(float_to_half_bits(std::ldexp(1.0f, -24)), 0x0001u);             // smallest subnormal
  EXPECT_EQ(float_to_half_bits(std::ldexp(1.0f, -25)), 0x0000u);             // half of it: ties to even = 0
  EXPECT_EQ(float_to_half_bits(std::ldexp(1.5f, -25)), 0x0001u);             // above half: rounds up
  EXPECT_EQ(float_to_half_bits(std::ldexp(3.0f, -25)), 0x0002u);             // 1.5 subnormal steps: ties to even = 2
  EXPECT_EQ(float_to_half_bits(std::ldexp(1.0f, -30)), 0x0000u);             // far below: zero
  EXPECT_EQ(float_to_half_bits(1.0f + std::ldexp(1.0f, -11)), 0x3c00u);      // halfway: ties to even (down)
  EXPECT_EQ(float_to_half_bits(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02u);  // halfway: ties to even (up)
  EXPECT_EQ(float_to_half_bits(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)), 0x3c01u);
  EXPECT_EQ(float_to_half_bits(2047.0f / 1024.0f * std::ldexp(1.0f, -15) + std::ldexp(1.0f, -26)), 0x0400u)
      << "a subnormal that rounds up into the smallest normal";
  const uint16_t nan = float_to_half_bits(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(nan & 0x7c00u, 0x7c00u);
  EXPECT_NE(nan & 0x03ffu, 0u);
  EXPECT_TRUE(std::isnan(half_bits_to_float(nan)));
  EXPECT_EQ(half_bits_to_float(0x3c00u), 1.0f);
  EXPECT_EQ(half_bits_to_float(0x7bffu), 65504.0f);
  EXPECT_EQ(half_bits_to_float(0x0001u), std::ldexp(1.0f, -24));
  EXPECT_EQ(half_bits_to_float(0x03ffu), std::ldexp(1023.0f, -24));
  EXPECT_EQ(half_bits_to_float(0x7c00u), std::numeric_limits<float>::infinity());
  EXPECT_EQ(half_bits_to_float(0x8000u), 0.0f);
  EXPECT_TRUE(std::signbit(half_bits_to_float(0x8000u)));
  EXPECT_EQ(bits_float(0x3f800000u), 1.0f);
}

TEST(GpuBackendHalf, EveryHalfRoundTripsAndRoundingIsNearest) {
  for (uint32_t bits = 0; bits <= 0xffffu; ++bits) {
    const auto h = static_cast<uint16_t>(bits);
    const float f = half_bits_to_float(h);
    if (std::isnan(f)) continue;
    ASSERT_EQ(float_to_half_bits(f), h) << "half 0x" << std::hex << bits;
    // Between this half and the next one up (same sign), values round to the nearer one.
    const auto up = static_cast<uint16_t>(h + 1);
    if ((h & 0x7fffu) >= 0x7bffu) continue;  // the next is infinity or beyond
    const float g = half_bits_to_float(up);
    const float just_below_mid = f + (g - f) * 0.499f;
    const float just_above_mid = f + (g - f) * 0.501f;
    ASSERT_EQ(float_to_half_bits(just_below_mid), h) << "half 0x" << std::hex << bits;
    ASSERT_EQ(float_to_half_bits(just_above_mid), up) << "half 0x" << std::hex << bits;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The backend on a GPU

#if !LAYER_ENERGY_HAVE_CUDA

TEST(GpuBackend, Skipped) {
  GTEST_SKIP() << "built without the CUDA backend (LAYER_ENERGY_CUDA)";
}

#else

// Relative tolerance against the sum of |products| of each output element, by precision.
double tolerance(Precision p) {
  switch (p) {
    case Precision::fp32:
      return 1e-4;
    case Precision::tf32:
      return 1e-2;
    case Precision::fp16:
      return 2e-2;
  }
  return 0;
}

// The floor of the comparison's scale, as a fraction of the tensor's mean magnitude: an output with few or no
// products inside the input (padding) may carry the small absolute error of a transform-based algorithm (FFT,
// Winograd).
constexpr double kMeanFloor = 1e-3;

bool graphs_disabled_by_environment() {
  const char* value = std::getenv("LAYER_ENERGY_CUDA_GRAPHS");
  if (value == nullptr) return false;
  const std::string text(value);
  return text == "0" || text == "off" || text == "OFF" || text == "false" || text == "no";
}

class GpuBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    backend_ = bench::make_cuda_backend(0, &why);
    if (!backend_) GTEST_SKIP() << "no usable GPU: " << why;
  }

  // Prepares, runs twice, checks the output against the reference. An UnsupportedLayer is a failure unless
  // `may_refuse`; then it must carry a reason, which is printed. Returns the RMS relative error (NaN when refused)
  // and sets *description to the prepared layer's.
  double check_conv(bench::Backend& backend, const ConvShape& s, Precision p, Layout l, bool may_refuse,
                    std::string* description = nullptr) {
    const std::string what = layers::case_name(conv_layer(s), p, l);
    std::unique_ptr<bench::PreparedLayer> prepared;
    try {
      prepared = backend.prepare(conv_layer(s), p, l, 42);
    } catch (const UnsupportedLayer& e) {
      EXPECT_TRUE(may_refuse) << what << " refused: " << e.what();
      EXPECT_GT(std::string(e.what()).size(), 5u) << what;
      std::cout << "[ refused  ] " << what << ": " << e.what() << "\n";
      return NAN;
    }
    EXPECT_GT(prepared->run(2), 0.0) << what;
    const std::vector<float> input = prepared->input(), weights = prepared->weights();
    EXPECT_EQ(input.size(), static_cast<std::size_t>(s.N * s.C * s.H * s.W)) << what;
    EXPECT_EQ(weights.size(), static_cast<std::size_t>(s.K * (s.C / s.groups) * s.R * s.S)) << what;
    const double rms = test::expect_matches(prepared->output(), test::naive_conv(s, input, weights), tolerance(p),
                                            what + " [" + prepared->description() + "]", kMeanFloor);
    std::cout << "[ accuracy ] " << what << ": rms " << rms << "; " << prepared->description() << "\n";
    if (description != nullptr) *description = prepared->description();
    return rms;
  }

  double check_fc(bench::Backend& backend, const FcShape& s, Precision p) {
    const std::string what = layers::case_name(fc_layer(s), p);
    auto prepared = backend.prepare(fc_layer(s), p, Layout::nchw, 7);
    EXPECT_GT(prepared->run(2), 0.0) << what;
    const std::vector<float> input = prepared->input(), weights = prepared->weights();
    EXPECT_EQ(input.size(), static_cast<std::size_t>(s.N * s.in)) << what;
    EXPECT_EQ(weights.size(), static_cast<std::size_t>(s.in * s.out)) << what;
    const double rms = test::expect_matches(prepared->output(), test::naive_fc(s, input, weights), tolerance(p),
                                            what + " [" + prepared->description() + "]", kMeanFloor);
    std::cout << "[ accuracy ] " << what << ": rms " << rms << "; " << prepared->description() << "\n";
    return rms;
  }

  std::unique_ptr<bench::Backend> backend_;
};

struct ConvCase {
  const char* name;
  ConvShape shape;
};

const std::vector<ConvCase>& conv_cases() {
  static const std::vector<ConvCase> cases = {
      {"3x3 pad 1", conv(1, 16, 20, 20, 32, 3, 3, 1, 1, 1)},
      {"batch 2, stride 2", conv(2, 8, 17, 15, 12, 3, 3, 2, 1, 1)},
      {"1x1", conv(1, 64, 14, 14, 64, 1, 1, 1, 0, 1)},
      {"1x1 stride 2", conv(2, 16, 10, 10, 24, 1, 1, 2, 0, 1)},
      {"7x7 stride 2 pad 3, C=3", conv(1, 3, 32, 32, 16, 7, 7, 2, 3, 1)},
      {"non-square, R!=S, no pad", conv(1, 4, 9, 13, 5, 5, 3, 1, 0, 1)},
      {"groups=4", conv(1, 32, 12, 12, 64, 3, 3, 1, 1, 4)},
      {"groups=2 batch 3", conv(3, 8, 10, 10, 12, 3, 3, 1, 1, 2)},
      {"depthwise", conv(2, 32, 16, 16, 32, 3, 3, 1, 1, 32)},
      {"depthwise multiplier 2 stride 2", conv(1, 16, 10, 10, 32, 3, 3, 2, 1, 16)},
      {"pad larger than kernel", conv(1, 3, 5, 5, 4, 3, 3, 2, 4, 1)},
      {"64 channels 28x28 (FFT/Winograd territory)", conv(1, 64, 28, 28, 64, 3, 3, 1, 1, 1)},
      {"deep, few pixels", conv(4, 256, 4, 4, 96, 3, 3, 1, 1, 1)},
  };
  return cases;
}

const std::vector<FcShape>& fc_cases() {
  static const std::vector<FcShape> cases = {{1, 1024, 1000}, {8, 512, 256}, {3, 17, 5}, {64, 256, 128}, {1, 7, 1}};
  return cases;
}

TEST(GpuBackendSetup, MissingDeviceGivesReason) {
  std::string why;
  auto backend = bench::make_cuda_backend(4096, &why);
  EXPECT_EQ(backend, nullptr);
  EXPECT_FALSE(why.empty());
  EXPECT_EQ(why.find('\n'), std::string::npos) << why;
  EXPECT_EQ(bench::cuda_pci_bus_id(4096), "");
  EXPECT_EQ(bench::cuda_pci_bus_id(-1), "");
}

TEST_F(GpuBackendTest, NamesDeviceAndContext) {
  EXPECT_EQ(backend_->name(), "cuda");
  EXPECT_FALSE(backend_->device_name().empty());
  const auto context = backend_->context();
  for (const char* key : {"cuda_runtime_version", "cuda_driver_version", "cudnn_version", "cublas_version", "gpu_name",
                          "gpu_pci_bus_id", "gpu_sm_count", "gpu_compute_capability"}) {
    ASSERT_TRUE(context.count(key)) << key;
    EXPECT_FALSE(context.at(key).empty()) << key;
  }
  EXPECT_EQ(context.at("gpu_name"), backend_->device_name());
  const std::string bus_id = bench::cuda_pci_bus_id(0);
  EXPECT_EQ(context.at("gpu_pci_bus_id"), bus_id);
  EXPECT_NE(bus_id.find(':'), std::string::npos) << bus_id;  // domain:bus:device.function
  EXPECT_NE(bus_id.find('.'), std::string::npos) << bus_id;
}

// The kernel record (CUPTI): every prepared layer says how many kernels one forward launches and the launch
// configuration of its main kernel; without CUPTI the context says why and no counter is invented.
TEST_F(GpuBackendTest, PreparedLayersRecordTheirKernels) {
  const std::string source = backend_->context().at("kernel_record");
  for (const Layer& layer : {conv_layer(conv(1, 64, 28, 28, 64, 3, 3, 1, 1, 1)), fc_layer({8, 512, 256})}) {
    auto prepared = backend_->prepare(layer, Precision::fp32, Layout::nchw, 7);
    const auto record = prepared->kernel_record();
    if (source != "cupti") {
      EXPECT_TRUE(record.empty());
      EXPECT_NE(source.find("no kernel record"), std::string::npos) << source;
      continue;
    }
    ASSERT_EQ(record.count("kernels"), 1u) << layers::case_name(layer);
    EXPECT_GE(record.at("kernels"), 1);
    EXPECT_LE(record.at("kernels"), 8);
    EXPECT_GE(record.at("blocks"), 1);
    EXPECT_GE(record.at("threads_per_block"), 32);
    EXPECT_LE(record.at("threads_per_block"), 1024);
    EXPECT_GE(record.at("registers_per_thread"), 1);
  }
}

TEST_F(GpuBackendTest, ConvMatchesReferenceNchw) {
  for (Precision p : {Precision::fp32, Precision::tf32, Precision::fp16}) {
    for (const ConvCase& c : conv_cases()) {
      SCOPED_TRACE(c.name);
      // NCHW fp32/tf32 is cuDNN's home ground: every shape must run. fp16 may be refused with a reason.
      std::string description;
      const double rms = check_conv(*backend_, c.shape, p, Layout::nchw, p == Precision::fp16, &description);
      // A GEMM-based fp32 algorithm over >= 256 products per output is as accurate as fp32 FMA (RMS ~1e-7); TF32
      // would give ~6e-4 / sqrt(products) >= 2.6e-5 with these shapes. Transform algorithms (FFT, Winograd) have
      // their own, larger, error and are not held to this.
      const int64_t products = c.shape.C / c.shape.groups * c.shape.R * c.shape.S;
      const bool gemm = description.find("GEMM") != std::string::npos;
      if (p == Precision::fp32 && gemm && products >= 256) {
        EXPECT_LT(rms, 3e-6) << c.name << ": fp32 conv less accurate than true fp32 (TF32 in use?): " << description;
      }
    }
  }
}

TEST_F(GpuBackendTest, ConvMatchesReferenceNhwc) {
  for (Precision p : {Precision::fp32, Precision::fp16}) {
    for (const ConvCase& c : conv_cases()) {
      SCOPED_TRACE(c.name);
      // Ungrouped fp32 NHWC must run; other NHWC configurations may be refused with a reason.
      const bool must_run = p == Precision::fp32 && c.shape.groups == 1;
      check_conv(*backend_, c.shape, p, Layout::nhwc, !must_run);
    }
  }
}

TEST_F(GpuBackendTest, NhwcSameResultAsNchw) {
  for (Precision p : {Precision::fp32, Precision::fp16}) {
    const ConvShape s = conv(2, 16, 12, 12, 24, 3, 3, 1, 1, 1);
    auto nchw = backend_->prepare(conv_layer(s), p, Layout::nchw, 5);
    auto nhwc = backend_->prepare(conv_layer(s), p, Layout::nhwc, 5);
    // One seed gives the same logical input and weights in both layouts; input(), weights() and output() are NCHW.
    EXPECT_EQ(nchw->input(), nhwc->input()) << layers::to_string(p);
    EXPECT_EQ(nchw->weights(), nhwc->weights()) << layers::to_string(p);
    const test::Reference ref = test::naive_conv(s, nchw->input(), nchw->weights());
    test::expect_matches(nchw->output(), ref, tolerance(p), std::string("nchw ") + layers::to_string(p), kMeanFloor);
    test::expect_matches(nhwc->output(), ref, tolerance(p), std::string("nhwc ") + layers::to_string(p), kMeanFloor);
  }
}

TEST_F(GpuBackendTest, Fp32ConvDescribesFmaMath) {
  for (const ConvCase& c : conv_cases()) {
    auto prepared = backend_->prepare(conv_layer(c.shape), Precision::fp32, Layout::nchw, 3);
    EXPECT_NE(prepared->description().find("math fma"), std::string::npos) << c.name << ": " << prepared->description();
  }
}

TEST_F(GpuBackendTest, FcMatchesReference) {
  for (Precision p : {Precision::fp32, Precision::tf32, Precision::fp16}) {
    for (const FcShape& s : fc_cases()) check_fc(*backend_, s, p);
  }
}

// The FC runs whichever of cuBLAS and cublasLt's candidates is fastest on this GPU, and its label says which and
// what the others took (the result itself is checked above whichever wins).
TEST_F(GpuBackendTest, FcLibraryIsChosenByMeasurementAndNamed) {
  auto prepared = backend_->prepare(fc_layer({1, 1024, 1024}), Precision::fp32, Layout::nchw, 1);
  const std::string d = prepared->description();
  EXPECT_NE(d.find("fastest by graph timing of cuBLAS ("), std::string::npos) << d;
  EXPECT_NE(d.find(" cublasLt candidates (best "), std::string::npos) << d;
  EXPECT_TRUE(d.rfind("cublasSgemm", 0) == 0 || d.rfind("cublasLt algo ", 0) == 0) << d;
  std::cout << "[ fc impl  ] " << d << "\n";
}

// TF32 rounds each operand to 10 mantissa bits: for 1024 products the RMS error relative to the products' magnitude
// is about 2e-5, against about 1e-7 for true fp32. An fp32 GEMM that silently used TF32 fails here.
TEST_F(GpuBackendTest, Fp32FcIsNotTf32) {
  const double fp32 = check_fc(*backend_, {16, 1024, 512}, Precision::fp32);
  EXPECT_LT(fp32, 3e-6) << "fp32 FC is less accurate than true fp32: TF32 in use?";
}

TEST_F(GpuBackendTest, InputsAreRandomZeroMeanNeverZero) {
  for (Precision p : {Precision::fp32, Precision::fp16}) {
    auto prepared = backend_->prepare(conv_layer(conv(2, 16, 32, 32, 32, 3, 3, 1, 1, 1)), p, Layout::nchw, 1);
    for (const auto& values : {prepared->input(), prepared->weights()}) {
      ASSERT_FALSE(values.empty());
      double sum = 0;
      std::size_t zeros = 0;
      for (float v : values) {
        zeros += v == 0.0f;
        sum += v;
        ASSERT_TRUE(std::isfinite(v));
      }
      EXPECT_EQ(zeros, 0u) << layers::to_string(p);
      EXPECT_LT(std::fabs(sum / static_cast<double>(values.size())), 0.05) << layers::to_string(p);
    }
    EXPECT_NE(prepared->input(), prepared->weights());
  }
  const Layer layer = fc_layer({4, 300, 200});
  auto a = backend_->prepare(layer, Precision::fp32, Layout::nchw, 1234);
  auto b = backend_->prepare(layer, Precision::fp32, Layout::nchw, 1234);
  auto c = backend_->prepare(layer, Precision::fp32, Layout::nchw, 1235);
  EXPECT_EQ(a->input(), b->input());
  EXPECT_EQ(a->weights(), b->weights());
  EXPECT_NE(a->input(), c->input());
}

TEST_F(GpuBackendTest, RunEnqueueAndSynchronize) {
  auto prepared =
      backend_->prepare(conv_layer(conv(1, 64, 56, 56, 64, 3, 3, 1, 1, 1)), Precision::fp32, Layout::nchw, 9);
  EXPECT_EQ(prepared->run(0), 0.0);
  const double t10 = prepared->run(10);
  EXPECT_GT(t10, 0.0);
  EXPECT_LT(t10, 10.0);
  for (int i = 0; i < 37; ++i) prepared->enqueue();  // not a multiple of any graph batch
  prepared->synchronize();
  const ConvShape s = conv(1, 64, 56, 56, 64, 3, 3, 1, 1, 1);
  test::expect_matches(prepared->output(), test::naive_conv(s, prepared->input(), prepared->weights()), 1e-4,
                       "after enqueue/synchronize", kMeanFloor);
  const std::string description = prepared->description();
  EXPECT_NE(description.find("cudnn"), std::string::npos) << description;
  EXPECT_NE(description.find("workspace"), std::string::npos) << description;
  EXPECT_NE(description.find("launch:"), std::string::npos) << description;
}

// Small layers must be replayed from CUDA graphs (launch-bound otherwise); graphs and plain stream launches give
// correct results.
TEST_F(GpuBackendTest, GraphsAreCapturedAndCorrect) {
  std::string why;
  bench::CudaBackendOptions off;
  off.graphs = false;
  auto stream_backend = bench::make_cuda_backend(0, &why, off);
  ASSERT_TRUE(stream_backend) << why;
  const ConvShape s = conv(1, 64, 28, 28, 64, 3, 3, 1, 1, 1);
  const FcShape f{1, 1024, 1024};
  for (bench::Backend* backend : {backend_.get(), stream_backend.get()}) {
    auto c = backend->prepare(conv_layer(s), Precision::fp32, Layout::nchw, 11);
    auto d = backend->prepare(fc_layer(f), Precision::fp32, Layout::nchw, 11);
    for (int i = 0; i < 100; ++i) c->enqueue(), d->enqueue();
    c->synchronize();
    d->synchronize();
    test::expect_matches(c->output(), test::naive_conv(s, c->input(), c->weights()), 1e-4, c->description(),
                         kMeanFloor);
    test::expect_matches(d->output(), test::naive_fc(f, d->input(), d->weights()), 1e-4, d->description(), kMeanFloor);
    const bool graphs = backend == backend_.get() && !graphs_disabled_by_environment();
    for (const auto* p : {c.get(), d.get()}) {
      const std::string description = p->description();
      std::cout << "[ launch   ] " << description << "\n";
      EXPECT_EQ(description.find("CUDA graph") != std::string::npos, graphs) << description;
    }
  }
}

// The harness times enqueue() x n + synchronize() on the host clock; that must be the device time of the same work
// (run(n), CUDA events) within 2%: the host stays ahead of the device even for launch-bound layers.
TEST_F(GpuBackendTest, HostTimeEqualsDeviceTime) {
  const std::vector<Layer> layers = {fc_layer({1, 1024, 1024}), fc_layer({1, 512, 1000}),
                                     conv_layer(conv(1, 64, 56, 56, 64, 3, 3, 1, 1, 1)),
                                     conv_layer(conv(1, 64, 56, 56, 256, 1, 1, 1, 0, 1))};
  for (const Layer& layer : layers) {
    auto prepared = backend_->prepare(layer, Precision::fp32, Layout::nchw, 1);
    // Size n for about 50 ms of device work.
    const double per = prepared->run(200) / 200;
    const auto n = static_cast<int64_t>(std::max(200.0, std::min(1e6, 0.05 / std::max(per, 1e-9))));
    double host = INFINITY, device = INFINITY;
    for (int repeat = 0; repeat < 5; ++repeat) {
      const auto t0 = std::chrono::steady_clock::now();
      for (int64_t i = 0; i < n; ++i) prepared->enqueue();
      prepared->synchronize();
      const auto t1 = std::chrono::steady_clock::now();
      host = std::min(host, std::chrono::duration<double>(t1 - t0).count());
      device = std::min(device, prepared->run(n));
    }
    const std::string what = layers::case_name(layer);
    std::cout << "[ timing   ] " << what << ": host " << 1e6 * host / n << " us, device " << 1e6 * device / n
              << " us per iteration; " << prepared->description() << "\n";
    if (graphs_disabled_by_environment()) continue;
    EXPECT_NEAR(host / device, 1.0, 0.02) << what << ": host " << host << " s, device " << device << " s";
  }
}

TEST_F(GpuBackendTest, ImpossibleConfigurationsAreRefusedWithReason) {
  const std::vector<Layer> impossible = {
      conv_layer(conv(1, 1, 50000, 50000, 1, 3, 3, 1, 1, 1)),  // input beyond cuDNN's 2^31 elements
      conv_layer(conv(1, 6, 8, 8, 4, 3, 3, 1, 1, 4)),          // C not divisible by groups
      fc_layer({1, int64_t{3} << 30, 4}),                      // beyond cuBLAS's int dimensions
  };
  for (const Layer& layer : impossible) {
    try {
      backend_->prepare(layer, Precision::fp32, Layout::nchw, 1);
      ADD_FAILURE() << layers::case_name(layer) << " was accepted";
    } catch (const UnsupportedLayer& e) {
      EXPECT_GT(std::string(e.what()).size(), 10u) << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
      std::cout << "[ refused  ] " << layers::case_name(layer) << ": " << e.what() << "\n";
    }
  }
}

TEST_F(GpuBackendTest, OutOfMemoryIsBadAllocAndTheSweepGoesOn) {
  // Weights of twice the GPU's memory.
  const double memory_bytes = std::stod(backend_->context().at("gpu_memory_GiB")) * 1024 * 1024 * 1024;
  const auto side = static_cast<int64_t>(std::sqrt(2 * memory_bytes / 4)) + 1;
  const Layer huge = fc_layer({1, side, side});
  try {
    backend_->prepare(huge, Precision::fp32, Layout::nchw, 1);
    ADD_FAILURE() << layers::case_name(huge) << " was prepared";
  } catch (const std::bad_alloc& e) {
    std::cout << "[ oom      ] " << layers::case_name(huge) << ": " << e.what() << "\n";
  } catch (const UnsupportedLayer& e) {
    EXPECT_GT(std::string(e.what()).size(), 10u);
    std::cout << "[ refused  ] " << layers::case_name(huge) << ": " << e.what() << "\n";
  }
  // The backend still works afterwards.
  check_fc(*backend_, {2, 64, 32}, Precision::fp32);
}

// Pooling, add, activation and batch-norm through cuDNN against the naive reference, NCHW and NHWC, fp32 and fp16.
TEST_F(GpuBackendTest, TensorOpsMatchReference) {
  using layers::Activation;
  using layers::LayerType;
  using layers::PoolMode;
  std::vector<Layer> cases = {
      test::tensor_op_layer(LayerType::pool, test::pool(2, 8, 17, 15, 3, 2, 1, PoolMode::max)),
      test::tensor_op_layer(LayerType::pool, test::pool(1, 16, 12, 12, 2, 2, 0, PoolMode::avg)),
      test::tensor_op_layer(LayerType::pool, test::pool(1, 5, 9, 9, 3, 2, 1, PoolMode::avg)),  // padded edges
      test::tensor_op_layer(LayerType::pool, test::pool(2, 32, 7, 7, 7, 1, 0, PoolMode::global)),
      test::tensor_op_layer(LayerType::add, test::tensor_op(2, 16, 9, 11)),
      test::tensor_op_layer(LayerType::bn, test::tensor_op(2, 24, 10, 10)),
  };
  for (Activation op : {Activation::relu, Activation::relu6, Activation::sigmoid, Activation::silu}) {
    cases.push_back(test::act_layer(test::tensor_op(1, 12, 13, 13), op));
  }
  for (const Layer& layer : cases) {
    for (Precision p : {Precision::fp32, Precision::fp16}) {
      for (Layout l : {Layout::nchw, Layout::nhwc}) {
        const std::string what = layers::case_name(layer, p, l);
        auto prepared = backend_->prepare(layer, p, l, 11);
        EXPECT_GT(prepared->run(2), 0.0) << what;
        const std::vector<float> input = prepared->input(), weights = prepared->weights();
        test::Reference ref;
        switch (layer.type) {
          case LayerType::pool:
            ref = test::naive_pool(layer.op, input);
            break;
          case LayerType::add:
            ref = test::naive_add(input, weights);
            break;
          case LayerType::bn:
            ref = test::naive_batchnorm(layer.op, input, weights);
            break;
          default:
            ref = test::naive_act(layer.op.op, input);
            break;
        }
        const double rms = test::expect_matches(prepared->output(), ref, p == Precision::fp16 ? 4e-3 : 1e-5,
                                                what + " [" + prepared->description() + "]", kMeanFloor);
        std::cout << "[ accuracy ] " << what << ": rms " << rms << "; " << prepared->description() << "\n";
      }
    }
  }
}

TEST_F(GpuBackendTest, HardSwishIsRefusedWithTheReason) {
  const Layer layer = test::act_layer(test::tensor_op(1, 8, 8, 8), layers::Activation::hardswish);
  try {
    backend_->prepare(layer, Precision::fp32, Layout::nchw, 1);
    ADD_FAILURE() << "hardswish prepared";
  } catch (const UnsupportedLayer& e) {
    EXPECT_NE(std::string(e.what()).find("hardswish"), std::string::npos) << e.what();
  }
}

#endif  // LAYER_ENERGY_HAVE_CUDA

}  // namespace
}  // namespace layer_energy
