// Geometry, MACs, compulsory bytes, validation and the stable case names of layers/layer.hpp, against shapes
// computed by hand.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "layers/layer.hpp"

namespace layer_energy::layers {
namespace {

Layer conv(int64_t N, int64_t C, int64_t H, int64_t W, int64_t K, int64_t R, int64_t S, int64_t stride = 1,
           int64_t pad = 0, int64_t groups = 1) {
  Layer l;
  l.type = LayerType::conv;
  l.conv = ConvShape{N, C, H, W, K, R, S, stride, pad, groups};
  return l;
}

Layer fc(int64_t N, int64_t in, int64_t out) {
  Layer l;
  l.type = LayerType::fc;
  l.fc = FcShape{N, in, out};
  return l;
}

TEST(LayerGeometry, OutputSizeFollowsTheFloorFormula) {
  EXPECT_EQ(output_height(conv(1, 64, 56, 56, 64, 3, 3, 1, 1).conv), 56);
  EXPECT_EQ(output_height(conv(1, 3, 224, 224, 64, 7, 7, 2, 3).conv), 112);
  EXPECT_EQ(output_height(conv(1, 3, 224, 224, 64, 11, 11, 4, 2).conv), 55);  // 217/4 = 54.25
  EXPECT_EQ(output_height(conv(1, 1, 5, 5, 1, 2, 2, 2, 0).conv), 2);          // 3/2 = 1.5
  // (2 - 3)/2 = -0.5: floor gives P = 0 (invalid); truncation toward zero would wrongly give 1.
  EXPECT_EQ(output_height(conv(1, 1, 2, 2, 1, 3, 3, 2, 0).conv), 0);
  // Height uses H and R, width uses W and S.
  const ConvShape c = conv(1, 1, 10, 20, 1, 3, 5).conv;
  EXPECT_EQ(output_height(c), 8);
  EXPECT_EQ(output_width(c), 16);
  // No division by zero on a bad stride: zero marks the shape invalid.
  EXPECT_EQ(output_height(conv(1, 1, 8, 8, 1, 3, 3, 0, 0).conv), 0);
}

TEST(LayerMacs, PlainConv) {
  // P = Q = 3: 2 * 4 * 3 * 3 * 3 * 3 * 3
  const Layer l = conv(2, 3, 5, 5, 4, 3, 3);
  EXPECT_DOUBLE_EQ(macs(l), 1944.0);
  // input 2*3*5*5 = 150, weights 4*3*3*3 = 108, output 2*4*3*3 = 72
  EXPECT_DOUBLE_EQ(bytes(l, Precision::fp32), 330.0 * 4);
  EXPECT_DOUBLE_EQ(bytes(l, Precision::tf32), 330.0 * 4);
  EXPECT_DOUBLE_EQ(bytes(l, Precision::fp16), 330.0 * 2);
}

TEST(LayerMacs, StrideAndPadWithRectangularKernel) {
  // P = floor((7 + 2 - 3)/2) + 1 = 4, Q = floor((9 + 2 - 1)/2) + 1 = 6
  const Layer l = conv(1, 16, 7, 9, 8, 3, 1, 2, 1);
  EXPECT_DOUBLE_EQ(macs(l), 8.0 * 16 * 3 * 1 * 4 * 6);  // 9216
  // input 16*7*9 = 1008, weights 8*16*3*1 = 384, output 8*4*6 = 192
  EXPECT_DOUBLE_EQ(bytes(l, Precision::fp32), (1008.0 + 384 + 192) * 4);
}

TEST(LayerMacs, GroupedConv) {
  // 4 groups of 2 input channels; P = Q = 4
  const Layer l = conv(1, 8, 4, 4, 16, 3, 3, 1, 1, 4);
  EXPECT_DOUBLE_EQ(macs(l), 16.0 * 2 * 3 * 3 * 4 * 4);  // 4608
  // input 8*16 = 128, weights 16*2*9 = 288, output 16*16 = 256
  EXPECT_DOUBLE_EQ(bytes(l, Precision::fp32), (128.0 + 288 + 256) * 4);
}

TEST(LayerMacs, DepthwiseConv) {
  // MobileNetV2's first strided depthwise layer: one 3x3 filter per channel, P = 56
  const Layer l = conv(1, 32, 112, 112, 32, 3, 3, 2, 1, 32);
  EXPECT_DOUBLE_EQ(macs(l), 32.0 * 1 * 9 * 56 * 56);  // 903168
  // input 32*112*112 = 401408, weights 32*1*9 = 288, output 32*56*56 = 100352
  EXPECT_DOUBLE_EQ(bytes(l, Precision::fp16), (401408.0 + 288 + 100352) * 2);
}

TEST(LayerMacs, BatchScalesActivationsNotWeights) {
  const Layer one = conv(1, 64, 56, 56, 64, 3, 3, 1, 1);
  const Layer eight = conv(8, 64, 56, 56, 64, 3, 3, 1, 1);
  EXPECT_DOUBLE_EQ(macs(eight), 8 * macs(one));
  const double weights = 64.0 * 64 * 9 * 4;
  EXPECT_DOUBLE_EQ(bytes(eight, Precision::fp32) - weights, 8 * (bytes(one, Precision::fp32) - weights));
}

TEST(LayerMacs, FullyConnected) {
  const Layer l = fc(8, 1024, 1000);
  EXPECT_DOUBLE_EQ(macs(l), 8.0 * 1024 * 1000);
  // input 8*1024, weights 1024*1000, output 8*1000
  EXPECT_DOUBLE_EQ(bytes(l, Precision::fp32), (8192.0 + 1024000 + 8000) * 4);
  EXPECT_DOUBLE_EQ(bytes(l, Precision::fp16), (8192.0 + 1024000 + 8000) * 2);
}

TEST(LayerMacs, LargeShapesDoNotOverflow) {
  // 4e12 MACs: beyond 32 bits, exact in a double.
  EXPECT_DOUBLE_EQ(macs(fc(1000, 2000000, 2000)), 4e12);
}

TEST(LayerMacs, ElementSizes) {
  EXPECT_EQ(element_size(Precision::fp32), 4);
  EXPECT_EQ(element_size(Precision::tf32), 4);
  EXPECT_EQ(element_size(Precision::fp16), 2);
}

TEST(LayerValidate, AcceptsValidShapes) {
  EXPECT_EQ(validate(conv(1, 64, 56, 56, 64, 3, 3, 1, 1)), "");
  EXPECT_EQ(validate(conv(1, 32, 112, 112, 32, 3, 3, 2, 1, 32)), "");
  EXPECT_EQ(validate(conv(1, 3, 3, 3, 1, 3, 3)), "");  // P = Q = 1 exactly
  EXPECT_EQ(validate(fc(1, 1, 1)), "");
}

TEST(LayerValidate, NamesTheProblem) {
  EXPECT_EQ(validate(conv(1, 3, 8, 8, 4, 3, 3, 1, 1, 2)), "C=3 is not divisible by groups=2");
  EXPECT_EQ(validate(conv(1, 8, 8, 8, 6, 3, 3, 1, 1, 4)), "K=6 is not divisible by groups=4");
  EXPECT_EQ(validate(conv(1, 8, 8, 8, 8, 3, 3, 0, 1)), "stride=0 must be at least 1");
  EXPECT_EQ(validate(conv(1, 8, 8, 8, 8, 3, 3, 1, -1)), "pad=-1 must not be negative");
  EXPECT_EQ(validate(conv(0, 8, 8, 8, 8, 3, 3)), "N=0 must be positive");
  EXPECT_EQ(validate(conv(1, 8, -2, 8, 8, 3, 3)), "H=-2 must be positive");
  EXPECT_EQ(validate(conv(1, 8, 8, 8, 8, 3, 3, 1, 0, 0)), "groups=0 must be positive");
  EXPECT_EQ(validate(conv(1, 8, 3, 8, 8, 5, 3)), "output height P=-1 is less than 1 (H=3, R=5, pad=0, stride=1)");
  EXPECT_EQ(validate(conv(1, 8, 8, 2, 8, 3, 3, 2, 0)), "output width Q=0 is less than 1 (W=2, S=3, pad=0, stride=2)");
  EXPECT_EQ(validate(fc(1, 1024, 0)), "out=0 must be positive");
  EXPECT_EQ(validate(fc(-1, 1024, 10)), "N=-1 must be positive");
  EXPECT_EQ(validate(fc(1, 4000000000LL, 10)), "in=4000000000 is too large (at most 2147483647)");
}

TEST(LayerCaseName, ContractExamples) {
  EXPECT_EQ(case_name(conv(1, 64, 56, 56, 64, 3, 3, 1, 1)),
            "Conv/N:1/C:64/H:56/W:56/K:64/R:3/S:3/stride:1/pad:1/groups:1");
  EXPECT_EQ(case_name(fc(8, 1024, 1024)), "FC/N:8/in:1024/out:1024");
}

TEST(LayerCaseName, NonDefaultPrecisionThenLayout) {
  const Layer c = conv(2, 32, 112, 112, 32, 3, 3, 2, 1, 32);
  const std::string base = "Conv/N:2/C:32/H:112/W:112/K:32/R:3/S:3/stride:2/pad:1/groups:32";
  EXPECT_EQ(case_name(c, Precision::fp32, Layout::nchw), base);
  EXPECT_EQ(case_name(c, Precision::fp16), base + "/fp16");
  EXPECT_EQ(case_name(c, Precision::tf32), base + "/tf32");
  EXPECT_EQ(case_name(c, Precision::fp32, Layout::nhwc), base + "/nhwc");
  EXPECT_EQ(case_name(c, Precision::fp16, Layout::nhwc), base + "/fp16/nhwc");
  // FC has no tensor layout: never "/nhwc".
  EXPECT_EQ(case_name(fc(1, 10, 20), Precision::fp16, Layout::nhwc), "FC/N:1/in:10/out:20/fp16");
  EXPECT_EQ(case_name(fc(1, 10, 20), Precision::fp32, Layout::nhwc), "FC/N:1/in:10/out:20");
}

void expect_same_geometry(const Layer& a, const Layer& b) {
  ASSERT_EQ(a.type, b.type);
  if (a.type == LayerType::fc) {
    EXPECT_EQ(a.fc.N, b.fc.N);
    EXPECT_EQ(a.fc.in, b.fc.in);
    EXPECT_EQ(a.fc.out, b.fc.out);
    return;
  }
  const ConvShape &x = a.conv, &y = b.conv;
  EXPECT_EQ(x.N, y.N);
  EXPECT_EQ(x.C, y.C);
  EXPECT_EQ(x.H, y.H);
  EXPECT_EQ(x.W, y.W);
  EXPECT_EQ(x.K, y.K);
  EXPECT_EQ(x.R, y.R);
  EXPECT_EQ(x.S, y.S);
  EXPECT_EQ(x.stride, y.stride);
  EXPECT_EQ(x.pad, y.pad);
  EXPECT_EQ(x.groups, y.groups);
}

TEST(LayerCaseName, RoundTripsWithBenchmarkSuffixes) {
  const std::vector<Layer> layers = {conv(1, 64, 56, 56, 64, 3, 3, 1, 1), conv(4, 3, 224, 200, 96, 11, 7, 4, 2),
                                     conv(1, 32, 112, 112, 32, 3, 3, 2, 1, 32), fc(8, 1024, 1000), fc(1, 9216, 4096)};
  const std::vector<std::string> suffixes = {"",
                                             "/iterations:10",
                                             "/repeats:5",
                                             "/real_time",
                                             "/manual_time",
                                             "_mean",
                                             "_median",
                                             "_stddev",
                                             "_cv",
                                             "/min_time:0.500/repeats:5/manual_time_median",
                                             "/iterations:3/threads:1/process_time"};
  for (const Layer& layer : layers) {
    for (Precision p : {Precision::fp32, Precision::tf32, Precision::fp16}) {
      for (Layout l : {Layout::nchw, Layout::nhwc}) {
        for (const std::string& suffix : suffixes) {
          const std::string name = case_name(layer, p, l) + suffix;
          SCOPED_TRACE(name);
          Layer parsed;
          parsed.label = "stale";
          Precision parsed_p = Precision::fp16;
          Layout parsed_l = Layout::nhwc;
          ASSERT_TRUE(parse_case_name(name, &parsed, &parsed_p, &parsed_l));
          expect_same_geometry(parsed, layer);
          EXPECT_EQ(parsed.label, "");
          EXPECT_EQ(parsed_p, p);
          EXPECT_EQ(parsed_l, layer.type == LayerType::conv ? l : Layout::nchw);
          Layer two_argument;
          ASSERT_TRUE(parse_case_name(name, &two_argument));
          expect_same_geometry(two_argument, layer);
          // The name rebuilt from the parse is the registered name again.
          EXPECT_EQ(case_name(parsed, parsed_p, parsed_l), case_name(layer, p, l));
        }
      }
    }
  }
}

TEST(LayerCaseName, RejectsOtherNames) {
  const std::string conv_name = "Conv/N:1/C:64/H:56/W:56/K:64/R:3/S:3/stride:1/pad:1/groups:1";
  const std::vector<std::string> bad = {
      "",
      "Net/resnet18",
      "Net/resnet18/iterations:1",
      "BM_Something/64",
      "Conv",
      "FC",
      "FC/N:8/in:1024",                                                 // missing out
      "FC/N:8/out:1024/in:1024",                                        // not the canonical order
      "fc/N:8/in:1024/out:1024",                                        // case matters
      "FC/N:8/in:1024/out:x",                                           // not an integer
      "FC/N:8/in:1024/out:1.5",                                         // not an integer
      "FC/N:8/in:+1024/out:10",                                         // not canonical digits
      "FC/N:8/in:01024/out:10",                                         // not canonical digits
      "FC/N:8/in:1024/out:1024/nhwc",                                   // FC never has a layout
      "FC/N:0/in:1024/out:1024",                                        // invalid geometry
      "Conv/N:1/C:3/H:56/W:56/K:64/R:3/S:3/stride:1/pad:1/groups:2",    // C not divisible by groups
      "Conv/N:1/C:64/H:56/W:56/K:64/R:3/S:3/stride:1/pad:1",            // missing groups
      "Conv/N:1/C:64/H:56/W:56/K:64/R:3/S:3/stride:1/pad:1/groups:1/",  // empty token
      conv_name + "/bogus",
      conv_name + "/fp16/fp16",
      conv_name + "/nhwc/nchw",
      conv_name + "/FP16",
      conv_name + "/iterations:",
      conv_name + "_max",
  };
  for (const std::string& name : bad) {
    Layer layer = fc(3, 4, 5);
    EXPECT_FALSE(parse_case_name(name, &layer)) << name;
    EXPECT_EQ(layer.type, LayerType::fc) << "a failed parse must leave the layer alone: " << name;
    EXPECT_EQ(layer.fc.out, 5) << name;
  }
}

TEST(LayerCaseName, PrecisionAndLayoutStrings) {
  Precision p = Precision::fp32;
  EXPECT_TRUE(parse_precision("fp16", &p));
  EXPECT_EQ(p, Precision::fp16);
  EXPECT_TRUE(parse_precision("TF32", &p));
  EXPECT_EQ(p, Precision::tf32);
  EXPECT_TRUE(parse_precision("fp32", &p));
  EXPECT_EQ(p, Precision::fp32);
  EXPECT_FALSE(parse_precision("bf16", &p));
  EXPECT_FALSE(parse_precision("", &p));
  EXPECT_EQ(p, Precision::fp32);
  Layout l = Layout::nchw;
  EXPECT_TRUE(parse_layout("nhwc", &l));
  EXPECT_EQ(l, Layout::nhwc);
  EXPECT_TRUE(parse_layout("nchw", &l));
  EXPECT_EQ(l, Layout::nchw);
  EXPECT_FALSE(parse_layout("chwn", &l));
  EXPECT_STREQ(to_string(Precision::fp32), "fp32");
  EXPECT_STREQ(to_string(Precision::tf32), "tf32");
  EXPECT_STREQ(to_string(Precision::fp16), "fp16");
  EXPECT_STREQ(to_string(Layout::nchw), "nchw");
  EXPECT_STREQ(to_string(Layout::nhwc), "nhwc");
}

}  // namespace
}  // namespace layer_energy::layers
