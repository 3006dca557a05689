// Built-in networks: their layers in execution order, either the conv and FC layers only (what the energy model is
// fitted on) or every layer as an inference engine runs it: pooling, activations and residual additions too, with
// batch-norm folded into the conv before it (as TensorRT and ONNX Runtime deploy it; dropout and flatten are free).
#pragma once

#include <string>
#include <vector>

#include "layers/layer.hpp"

namespace layer_energy::layers {

enum class NetworkLayers { weights, all };

// "alexnet", "vgg16", "resnet18", "mobilenet_v2" (ImageNet, 224x224x3 input) at batch size `batch`.
// Throws std::invalid_argument naming the unknown network and listing the known ones.
std::vector<Layer> network_layers(const std::string& name, int64_t batch = 1,
                                  NetworkLayers which = NetworkLayers::weights);
// What a Net/ case of `which` runs, for the result's context: "conv,fc" or "conv,fc,pool,act,add (bn folded)".
const char* network_parts(NetworkLayers which);
std::vector<std::string> network_names();

}  // namespace layer_energy::layers
