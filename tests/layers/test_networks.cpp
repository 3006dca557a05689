// The built-in networks: layer counts, shapes at known points, and total MACs against the figures published for
// torchvision's ImageNet models (conv + FC multiply-accumulates at 224x224).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "layers/layer.hpp"
#include "layers/networks.hpp"

namespace layer_energy::layers {
namespace {

struct Counts {
  int conv = 0, fc = 0;
};

Counts count(const std::vector<Layer>& layers) {
  Counts c;
  for (const Layer& l : layers) (l.type == LayerType::conv ? c.conv : c.fc) += 1;
  return c;
}

double total_macs(const std::vector<Layer>& layers) {
  double total = 0;
  for (const Layer& l : layers) total += macs(l);
  return total;
}

const Layer& find(const std::vector<Layer>& layers, const std::string& label) {
  for (const Layer& l : layers) {
    if (l.label == label) return l;
  }
  throw std::runtime_error("no layer " + label);
}

TEST(Networks, Names) {
  EXPECT_EQ(network_names(), (std::vector<std::string>{"alexnet", "vgg16", "resnet18", "mobilenet_v2"}));
}

TEST(Networks, LayerCounts) {
  struct Expected {
    const char* name;
    int conv, fc;
  };
  for (const Expected& e : {Expected{"alexnet", 5, 3}, Expected{"vgg16", 13, 3}, Expected{"resnet18", 20, 1},
                            Expected{"mobilenet_v2", 52, 1}}) {
    const Counts c = count(network_layers(e.name));
    EXPECT_EQ(c.conv, e.conv) << e.name;
    EXPECT_EQ(c.fc, e.fc) << e.name;
  }
}

// The published totals (torchvision's model cards give these as GFLOPS, counting one multiply-add once).
TEST(Networks, TotalMacsMatchPublishedFigures) {
  struct Expected {
    const char* name;
    double macs;
  };
  for (const Expected& e : {Expected{"alexnet", 714e6}, Expected{"vgg16", 15.47e9}, Expected{"resnet18", 1.81e9},
                            Expected{"mobilenet_v2", 300e6}}) {
    const double total = total_macs(network_layers(e.name));
    std::printf("%-13s %16.0f MACs\n", e.name, total);
    EXPECT_NEAR(total / e.macs, 1.0, 0.02) << e.name << ": " << total;
  }
}

TEST(Networks, AlexNetExactly) {
  const std::vector<Layer> layers = network_layers("alexnet");
  // 70276800 + 223948800 + 112140288 + 149520384 + 99680256 (conv) + 37748736 + 16777216 + 4096000 (FC)
  EXPECT_DOUBLE_EQ(total_macs(layers), 714188480.0);
  // Input sizes seen by the convs: pooling between them takes 55 -> 27 -> 13.
  const std::vector<int64_t> sizes = {224, 27, 13, 13, 13};
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    EXPECT_EQ(layers[i].conv.H, sizes[i]) << layers[i].label;
  }
  EXPECT_EQ(output_height(layers[0].conv), 55);
  EXPECT_EQ(layers[5].type, LayerType::fc);
  EXPECT_EQ(layers[5].fc.in, 9216);
  EXPECT_EQ(layers[7].fc.out, 1000);
}

TEST(Networks, Vgg16Shapes) {
  const std::vector<Layer> layers = network_layers("vgg16");
  EXPECT_EQ(find(layers, "features.0").conv.H, 224);
  EXPECT_EQ(find(layers, "features.28").conv.H, 14);
  EXPECT_EQ(find(layers, "features.28").conv.C, 512);
  EXPECT_EQ(find(layers, "classifier.0").fc.in, 25088);
  for (const Layer& l : layers) {
    if (l.type == LayerType::conv) {
      EXPECT_EQ(l.conv.R, 3) << l.label;
    }
  }
}

TEST(Networks, ResNet18Shapes) {
  const std::vector<Layer> layers = network_layers("resnet18");
  int k3 = 0, k7 = 0, k1 = 0;
  for (const Layer& l : layers) {
    if (l.type != LayerType::conv) continue;
    (l.conv.R == 3 ? k3 : l.conv.R == 7 ? k7 : k1) += 1;
  }
  EXPECT_EQ(k3, 16);
  EXPECT_EQ(k7, 1);
  EXPECT_EQ(k1, 3);
  // After the stem and its max pool the first stage sees 56x56.
  EXPECT_EQ(find(layers, "layer1.0.conv1").conv.H, 56);
  // Downsampling projects the block's input with a 1x1 stride-2 conv.
  struct Down {
    const char* label;
    int64_t C, H, K;
  };
  for (const Down& d : {Down{"layer2.0.downsample.0", 64, 56, 128}, Down{"layer3.0.downsample.0", 128, 28, 256},
                        Down{"layer4.0.downsample.0", 256, 14, 512}}) {
    const ConvShape& c = find(layers, d.label).conv;
    EXPECT_EQ(c.C, d.C) << d.label;
    EXPECT_EQ(c.H, d.H) << d.label;
    EXPECT_EQ(c.K, d.K) << d.label;
    EXPECT_EQ(c.R, 1) << d.label;
    EXPECT_EQ(c.stride, 2) << d.label;
    EXPECT_EQ(output_height(c), d.H / 2) << d.label;
  }
  EXPECT_EQ(find(layers, "layer4.1.conv2").conv.H, 7);
  EXPECT_EQ(find(layers, "fc").fc.in, 512);
}

TEST(Networks, MobileNetV2Shapes) {
  const std::vector<Layer> layers = network_layers("mobilenet_v2");
  int depthwise = 0;
  for (const Layer& l : layers) {
    if (l.type == LayerType::conv && l.conv.groups > 1) {
      ++depthwise;
      EXPECT_EQ(l.conv.groups, l.conv.C) << l.label;
      EXPECT_EQ(l.conv.K, l.conv.C) << l.label;
      EXPECT_EQ(l.conv.R, 3) << l.label;
    }
  }
  EXPECT_EQ(depthwise, 17);
  // The t=1 block has no expansion: depthwise straight on the stem's 32 channels.
  EXPECT_EQ(find(layers, "features.1.conv.0.0").conv.groups, 32);
  EXPECT_EQ(find(layers, "features.1.conv.1").conv.K, 16);
  // features.2 expands 16 -> 96 and its depthwise halves 112 to 56.
  EXPECT_EQ(find(layers, "features.2.conv.0.0").conv.K, 96);
  const ConvShape& dw = find(layers, "features.2.conv.1.0").conv;
  EXPECT_EQ(dw.H, 112);
  EXPECT_EQ(dw.stride, 2);
  EXPECT_EQ(output_height(dw), 56);
  EXPECT_EQ(find(layers, "features.17.conv.2").conv.K, 320);
  const ConvShape& last = find(layers, "features.18.0").conv;
  EXPECT_EQ(last.C, 320);
  EXPECT_EQ(last.K, 1280);
  EXPECT_EQ(last.H, 7);
  EXPECT_EQ(find(layers, "classifier.1").fc.in, 1280);
}

TEST(Networks, EveryLayerValidWithUniqueLabels) {
  for (const std::string& name : network_names()) {
    std::set<std::string> labels;
    for (const Layer& l : network_layers(name)) {
      EXPECT_EQ(validate(l), "") << name << " " << l.label;
      EXPECT_FALSE(l.label.empty()) << name;
      EXPECT_TRUE(labels.insert(l.label).second) << name << ": duplicate label " << l.label;
    }
  }
}

TEST(Networks, BatchScalesEveryLayer) {
  for (const std::string& name : network_names()) {
    const std::vector<Layer> one = network_layers(name);
    const std::vector<Layer> four = network_layers(name, 4);
    ASSERT_EQ(one.size(), four.size());
    for (const Layer& l : four) {
      EXPECT_EQ(l.type == LayerType::conv ? l.conv.N : l.fc.N, 4) << name << " " << l.label;
    }
    EXPECT_DOUBLE_EQ(total_macs(four), 4 * total_macs(one)) << name;
  }
}

TEST(Networks, UnknownNameOrBadBatchThrows) {
  try {
    network_layers("resnet50");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("resnet50"), std::string::npos) << what;
    for (const std::string& known : network_names()) {
      EXPECT_NE(what.find(known), std::string::npos) << what;
    }
  }
  EXPECT_THROW(network_layers("resnet18", 0), std::invalid_argument);
}

}  // namespace
}  // namespace layer_energy::layers

namespace layer_energy::layers {
namespace {

// Every layer as deployed (batch-norm folded): the counts of an ONNX export of torchvision's models (Relu/Clip,
// MaxPool, GlobalAveragePool, Add), and the conv/FC layers exactly those of the weights-only list.
TEST(NetworksAllLayers, CountsMatchTheDeployedGraph) {
  struct Expected {
    const char* name;
    int act, pool, add;
  };
  for (const Expected& e : {Expected{"alexnet", 7, 3, 0}, Expected{"vgg16", 15, 5, 0}, Expected{"resnet18", 17, 2, 8},
                            Expected{"mobilenet_v2", 35, 1, 10}}) {
    SCOPED_TRACE(e.name);
    const std::vector<Layer> all = network_layers(e.name, 1, NetworkLayers::all);
    int act = 0, pool = 0, add = 0;
    std::vector<std::string> weighted;
    for (const Layer& l : all) {
      EXPECT_EQ(validate(l), "") << l.label;
      act += l.type == LayerType::act;
      pool += l.type == LayerType::pool;
      add += l.type == LayerType::add;
      if (has_weights(l.type)) weighted.push_back(case_name(l) + " " + l.label);
    }
    EXPECT_EQ(act, e.act);
    EXPECT_EQ(pool, e.pool);
    EXPECT_EQ(add, e.add);
    std::vector<std::string> expected;
    for (const Layer& l : network_layers(e.name)) expected.push_back(case_name(l) + " " + l.label);
    EXPECT_EQ(weighted, expected);
  }
}

TEST(NetworksAllLayers, ShapesFollowTheGraph) {
  const std::vector<Layer> all = network_layers("resnet18", 2, NetworkLayers::all);
  EXPECT_EQ(case_name(find(all, "maxpool")), "Pool/N:2/C:64/H:112/W:112/R:3/stride:2/pad:1/mode:max");
  EXPECT_EQ(case_name(find(all, "layer4.1.add")), "Add/N:2/C:512/H:7/W:7");
  EXPECT_EQ(case_name(find(all, "avgpool")), "Pool/N:2/C:512/H:7/W:7/R:7/stride:1/pad:0/mode:global");
  const std::vector<Layer> mobile = network_layers("mobilenet_v2", 1, NetworkLayers::all);
  EXPECT_EQ(case_name(find(mobile, "features.0.2")), "Act/N:1/C:32/H:112/W:112/op:relu6");
  EXPECT_EQ(case_name(find(network_layers("alexnet", 1, NetworkLayers::all), "classifier.2")),
            "Act/N:1/C:4096/H:1/W:1/op:relu");
}

}  // namespace
}  // namespace layer_energy::layers
