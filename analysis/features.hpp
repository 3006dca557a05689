// What the models see of a layer: type, MACs, bytes, the kernel count and log-geometry for the polynomial baseline.
#pragma once

#include <array>

#include "layers/layer.hpp"

namespace layer_energy::analysis {

constexpr int kShapeVars = 9;  // log-geometry variables of the polynomial baseline

struct Features {
  layers::LayerType type = layers::LayerType::conv;
  double macs = 0, bytes = 0;
  double k = 1;  // conv: K (filters); fc: out
  // conv: log N, C/groups, H*W, K, R*S, stride, groups, MACs, bytes; fc: log N, in, out, MACs, bytes, then zeros.
  std::array<double, kShapeVars> shape{};
};

Features features_of(const layers::Layer& layer, double macs, double bytes);

// A layer with its measured energy (the mean over repetitions) and its configuration group.
struct Sample {
  Features f;
  double energy = 0;
  double noise = 0;  // relative sd over repetitions (0 when unknown)
  int group = 0;     // configuration index: never split across folds
};

}  // namespace layer_energy::analysis
