// Built-in networks: their conv and FC layers in execution order (pooling, normalisation, activations excluded).
#pragma once

#include <string>
#include <vector>

#include "layers/layer.hpp"

namespace layer_energy::layers {

// "alexnet", "vgg16", "resnet18", "mobilenet_v2" (ImageNet, 224x224x3 input) at batch size `batch`.
// Throws std::invalid_argument naming the unknown network and listing the known ones.
std::vector<Layer> network_layers(const std::string& name, int64_t batch = 1);
std::vector<std::string> network_names();

}  // namespace layer_energy::layers
