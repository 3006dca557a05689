// The conv and FC layers of torchvision's ImageNet models at 224x224x3, with torchvision's module names as labels.
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
  explicit Builder(int64_t batch) : batch_(batch) {}

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

  std::vector<Layer> take() { return std::move(layers_); }

 private:
  int64_t batch_;
  std::vector<Layer> layers_;
};

// Max pooling without ceil mode, as torchvision's models use it.
int64_t pool(int64_t size, int64_t kernel, int64_t stride, int64_t pad = 0) {
  return (size + 2 * pad - kernel) / stride + 1;
}

std::string index_label(const std::string& prefix, int index) {
  return prefix + "." + std::to_string(index);
}

std::vector<Layer> alexnet(int64_t batch) {
  Builder b(batch);
  int64_t size = b.conv("features.0", kImageChannels, kImageSize, 64, 11, 4, 2);  // 55
  size = pool(size, 3, 2);                                                        // 27
  size = b.conv("features.3", 64, size, 192, 5, 1, 2);
  size = pool(size, 3, 2);  // 13
  size = b.conv("features.6", 192, size, 384, 3, 1, 1);
  size = b.conv("features.8", 384, size, 256, 3, 1, 1);
  size = b.conv("features.10", 256, size, 256, 3, 1, 1);
  // features.12 pools to 6x6 and the adaptive average pool keeps 6x6 at this input size.
  b.fc("classifier.1", 256 * 6 * 6, 4096);
  b.fc("classifier.4", 4096, 4096);
  b.fc("classifier.6", 4096, kClasses);
  return b.take();
}

std::vector<Layer> vgg16(int64_t batch) {
  Builder b(batch);
  // torchvision's configuration "D"; 0 marks a 2x2 max pool.
  const int64_t config[] = {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0};
  int64_t channels = kImageChannels, size = kImageSize;
  int index = 0;  // features.<index>: each conv is followed by a ReLU, each pool stands alone
  for (const int64_t v : config) {
    if (v == 0) {
      size = pool(size, 2, 2);
      index += 1;
    } else {
      size = b.conv(index_label("features", index), channels, size, v, 3, 1, 1);
      channels = v;
      index += 2;
    }
  }
  b.fc("classifier.0", channels * size * size, 4096);  // 512 x 7 x 7
  b.fc("classifier.3", 4096, 4096);
  b.fc("classifier.6", 4096, kClasses);
  return b.take();
}

std::vector<Layer> resnet18(int64_t batch) {
  Builder b(batch);
  int64_t size = b.conv("conv1", kImageChannels, kImageSize, 64, 7, 2, 3);  // 112
  size = pool(size, 3, 2, 1);                                               // 56
  int64_t channels = 64;
  const int64_t widths[] = {64, 128, 256, 512};
  for (int stage = 0; stage < 4; ++stage) {
    const int64_t width = widths[stage];
    for (int block = 0; block < 2; ++block) {
      const std::string prefix = "layer" + std::to_string(stage + 1) + "." + std::to_string(block);
      const int64_t stride = (stage > 0 && block == 0) ? 2 : 1;
      const int64_t in_channels = channels, in_size = size;
      size = b.conv(prefix + ".conv1", in_channels, in_size, width, 3, stride, 1);
      size = b.conv(prefix + ".conv2", width, size, width, 3, 1, 1);
      // The shortcut projects the block's input when the shape changes.
      if (stride != 1 || in_channels != width)
        b.conv(prefix + ".downsample.0", in_channels, in_size, width, 1, stride, 0);
      channels = width;
    }
  }
  b.fc("fc", channels, kClasses);
  return b.take();
}

std::vector<Layer> mobilenet_v2(int64_t batch) {
  Builder b(batch);
  int64_t size = b.conv("features.0.0", kImageChannels, kImageSize, 32, 3, 2, 1);  // 112
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
      if (st.t != 1) b.conv(prefix + std::to_string(sub++) + ".0", channels, size, hidden, 1, 1, 0);
      size = b.conv(prefix + std::to_string(sub++) + ".0", hidden, size, hidden, 3, stride, 1, hidden);
      b.conv(prefix + std::to_string(sub), hidden, size, st.c, 1, 1, 0);
      channels = st.c;
    }
  }
  b.conv(index_label("features", index) + ".0", channels, size, 1280, 1, 1, 0);
  b.fc("classifier.1", 1280, kClasses);
  return b.take();
}

struct Network {
  const char* name;
  std::vector<Layer> (*build)(int64_t batch);
};

const Network kNetworks[] = {
    {"alexnet", alexnet}, {"vgg16", vgg16}, {"resnet18", resnet18}, {"mobilenet_v2", mobilenet_v2}};

}  // namespace

std::vector<Layer> network_layers(const std::string& name, int64_t batch) {
  if (batch < 1) throw std::invalid_argument("batch size " + std::to_string(batch) + " must be positive");
  for (const Network& n : kNetworks) {
    if (name == n.name) return n.build(batch);
  }
  std::string known;
  for (const Network& n : kNetworks) known += (known.empty() ? "" : ", ") + std::string(n.name);
  throw std::invalid_argument("unknown network '" + name + "' (known: " + known + ")");
}

std::vector<std::string> network_names() {
  std::vector<std::string> names;
  for (const Network& n : kNetworks) names.push_back(n.name);
  return names;
}

}  // namespace layer_energy::layers
