// torchvision's ImageNet models at 224x224x3, with torchvision's module names as labels: their conv and FC layers,
// and with NetworkLayers::all their pooling, activations and residual additions (batch-norm folded into its conv).
#include "layers/networks.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace layer_energy::layers {
namespace {

constexpr int64_t kImageSize = 224;
constexpr int64_t kImageChannels = 3;
constexpr int64_t kClasses = 1000;

// Square feature maps throughout, so one size stands for H and W.
class Builder {
 public:
  Builder(int64_t batch, NetworkLayers which) : batch_(batch), all_(which == NetworkLayers::all) {}

  // Appends a conv reading `channels` x `size` x `size`; returns its output size.
  int64_t conv(const std::string& label, int64_t channels, int64_t size, int64_t filters, int64_t kernel,
               int64_t stride, int64_t pad, int64_t groups = 1) {
    Layer layer;
    layer.type = LayerType::conv;
    layer.conv.N = batch_;
    layer.conv.C = channels;
    layer.conv.H = layer.conv.W = size;
    layer.conv.K = filters;
    layer.conv.R = layer.conv.S = kernel;
    layer.conv.stride = stride;
    layer.conv.pad = pad;
    layer.conv.groups = groups;
    layer.label = label;
    layers_.push_back(layer);
    return output_height(layer.conv);
  }

  void fc(const std::string& label, int64_t in, int64_t out) {
    Layer layer;
    layer.type = LayerType::fc;
    layer.fc.N = batch_;
    layer.fc.in = in;
    layer.fc.out = out;
    layer.label = label;
    layers_.push_back(layer);
  }

  // Max pooling without ceil mode, as torchvision's models use it; returns its output size.
  int64_t max_pool(const std::string& label, int64_t channels, int64_t size, int64_t kernel, int64_t stride,
                   int64_t pad = 0) {
    Layer layer = tensor_op(LayerType::pool, label, channels, size);
    layer.op.R = kernel, layer.op.stride = stride, layer.op.pad = pad, layer.op.mode = PoolMode::max;
    keep(layer);
    return pool_output_height(layer.op);
  }
  void global_pool(const std::string& label, int64_t channels, int64_t size) {
    Layer layer = tensor_op(LayerType::pool, label, channels, size);
    layer.op.R = size, layer.op.mode = PoolMode::global;
    keep(layer);
  }
  // An activation over `channels` x `size` x `size` (size 1: the features of an FC layer).
  void act(const std::string& label, int64_t channels, int64_t size, Activation op = Activation::relu) {
    Layer layer = tensor_op(LayerType::act, label, channels, size);
    layer.op.op = op;
    keep(layer);
  }
  void add(const std::string& label, int64_t channels, int64_t size) {
    keep(tensor_op(LayerType::add, label, channels, size));
  }

  std::vector<Layer> take() { return std::move(layers_); }

 private:
  Layer tensor_op(LayerType type, const std::string& label, int64_t channels, int64_t size) const {
    Layer layer;
    layer.type = type;
    layer.op.N = batch_, layer.op.C = channels, layer.op.H = layer.op.W = size;
    layer.label = label;
    return layer;
  }
  void keep(const Layer& layer) {
    if (all_) layers_.push_back(layer);
  }

  int64_t batch_;
  bool all_;
  std::vector<Layer> layers_;
};

std::string index_label(const std::string& prefix, int index) {
  return prefix + "." + std::to_string(index);
}

std::vector<Layer> alexnet(int64_t batch, NetworkLayers which) {
  Builder b(batch, which);
  int64_t size = b.conv("features.0", kImageChannels, kImageSize, 64, 11, 4, 2);  // 55
  b.act("features.1", 64, size);
  size = b.max_pool("features.2", 64, size, 3, 2);  // 27
  size = b.conv("features.3", 64, size, 192, 5, 1, 2);
  b.act("features.4", 192, size);
  size = b.max_pool("features.5", 192, size, 3, 2);  // 13
  size = b.conv("features.6", 192, size, 384, 3, 1, 1);
  b.act("features.7", 384, size);
  size = b.conv("features.8", 384, size, 256, 3, 1, 1);
  b.act("features.9", 256, size);
  size = b.conv("features.10", 256, size, 256, 3, 1, 1);
  b.act("features.11", 256, size);
  size = b.max_pool("features.12", 256, size, 3, 2);  // 6: the adaptive average pool keeps 6x6 (free)
  b.fc("classifier.1", 256 * size * size, 4096);
  b.act("classifier.2", 4096, 1);
  b.fc("classifier.4", 4096, 4096);
  b.act("classifier.5", 4096, 1);
  b.fc("classifier.6", 4096, kClasses);
  return b.take();
}

std::vector<Layer> vgg16(int64_t batch, NetworkLayers which) {
  Builder b(batch, which);
  // torchvision's configuration "D"; 0 marks a 2x2 max pool.
  const int64_t config[] = {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0};
  int64_t channels = kImageChannels, size = kImageSize;
  int index = 0;  // features.<index>: each conv is followed by a ReLU, each pool stands alone
  for (const int64_t v : config) {
    if (v == 0) {
      size = b.max_pool(index_label("features", index), channels, size, 2, 2);
      index += 1;
    } else {
      size = b.conv(index_label("features", index), channels, size, v, 3, 1, 1);
      b.act(index_label("features", index + 1), v, size);
      channels = v;
      index += 2;
    }
  }
  b.fc("classifier.0", channels * size * size, 4096);  // 512 x 7 x 7
  b.act("classifier.1", 4096, 1);
  b.fc("classifier.3", 4096, 4096);
  b.act("classifier.4", 4096, 1);
  b.fc("classifier.6", 4096, kClasses);
  return b.take();
}

std::vector<Layer> resnet18(int64_t batch, NetworkLayers which) {
  Builder b(batch, which);
  int64_t size = b.conv("conv1", kImageChannels, kImageSize, 64, 7, 2, 3);  // 112 (bn1 folded)
  b.act("relu", 64, size);
  size = b.max_pool("maxpool", 64, size, 3, 2, 1);  // 56
  int64_t channels = 64;
  const int64_t widths[] = {64, 128, 256, 512};
  for (int stage = 0; stage < 4; ++stage) {
    const int64_t width = widths[stage];
    for (int block = 0; block < 2; ++block) {
      const std::string prefix = "layer" + std::to_string(stage + 1) + "." + std::to_string(block);
      const int64_t stride = (stage > 0 && block == 0) ? 2 : 1;
      const int64_t in_channels = channels, in_size = size;
      size = b.conv(prefix + ".conv1", in_channels, in_size, width, 3, stride, 1);
      b.act(prefix + ".relu", width, size);
      size = b.conv(prefix + ".conv2", width, size, width, 3, 1, 1);
      // The shortcut projects the block's input when the shape changes.
      if (stride != 1 || in_channels != width)
        b.conv(prefix + ".downsample.0", in_channels, in_size, width, 1, stride, 0);
      b.add(prefix + ".add", width, size);
      b.act(prefix + ".relu_out", width, size);
      channels = width;
    }
  }
  b.global_pool("avgpool", channels, size);
  b.fc("fc", channels, kClasses);
  return b.take();
}

std::vector<Layer> mobilenet_v2(int64_t batch, NetworkLayers which) {
  Builder b(batch, which);
  int64_t size = b.conv("features.0.0", kImageChannels, kImageSize, 32, 3, 2, 1);  // 112
  b.act("features.0.2", 32, size, Activation::relu6);
  int64_t channels = 32;
  struct Stage {
    int64_t t, c, n, s;  // expansion, output channels, repetitions, stride of the first repetition
  };
  const Stage stages[] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                          {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  int index = 1;
  for (const Stage& st : stages) {
    for (int64_t i = 0; i < st.n; ++i, ++index) {
      const std::string prefix = index_label("features", index) + ".conv.";
      const int64_t stride = i == 0 ? st.s : 1;
      const int64_t hidden = channels * st.t;
      int sub = 0;  // torchvision numbers the block's modules: [expand], depthwise, project, norm
      if (st.t != 1) {
        b.conv(prefix + std::to_string(sub) + ".0", channels, size, hidden, 1, 1, 0);
        b.act(prefix + std::to_string(sub++) + ".2", hidden, size, Activation::relu6);
      }
      size = b.conv(prefix + std::to_string(sub) + ".0", hidden, size, hidden, 3, stride, 1, hidden);
      b.act(prefix + std::to_string(sub++) + ".2", hidden, size, Activation::relu6);
      b.conv(prefix + std::to_string(sub), hidden, size, st.c, 1, 1, 0);
      // The residual connection where the block keeps its shape.
      if (stride == 1 && channels == st.c) b.add(index_label("features", index) + ".add", st.c, size);
      channels = st.c;
    }
  }
  b.conv(index_label("features", index) + ".0", channels, size, 1280, 1, 1, 0);
  b.act(index_label("features", index) + ".2", 1280, size, Activation::relu6);
  b.global_pool("adaptive_avg_pool2d", 1280, size);
  b.fc("classifier.1", 1280, kClasses);
  return b.take();
}

struct Network {
  const char* name;
  std::vector<Layer> (*build)(int64_t batch, NetworkLayers which);
};

const Network kNetworks[] = {
    {"alexnet", alexnet}, {"vgg16", vgg16}, {"resnet18", resnet18}, {"mobilenet_v2", mobilenet_v2}};

}  // namespace

std::vector<Layer> network_layers(const std::string& name, int64_t batch, NetworkLayers which) {
  if (batch < 1) throw std::invalid_argument("batch size " + std::to_string(batch) + " must be positive");
  for (const Network& n : kNetworks) {
    if (name == n.name) return n.build(batch, which);
  }
  std::string known;
  for (const Network& n : kNetworks) known += (known.empty() ? "" : ", ") + std::string(n.name);
  throw std::invalid_argument("unknown network '" + name + "' (known: " + known + ")");
}

const char* network_parts(NetworkLayers which) {
  return which == NetworkLayers::all ? "conv,fc,pool,act,add (bn folded into conv)" : "conv,fc";
}

std::vector<std::string> network_names() {
  std::vector<std::string> names;
  for (const Network& n : kNetworks) names.push_back(n.name);
  return names;
}

}  // namespace layer_energy::layers
