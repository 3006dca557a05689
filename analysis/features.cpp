#include "analysis/features.hpp"

#include <cmath>

namespace layer_energy::analysis {

const char* level_name(layers::LayerType type, int i) {
  static const char* const conv[3] = {"C", "H", "K"};
  static const char* const fc[3] = {"in", "out", "N"};
  return (type == layers::LayerType::conv ? conv : fc)[i];
}

Features features_of(const layers::Layer& layer, double macs, double bytes) {
  Features f;
  f.type = layer.type;
  f.macs = macs;
  f.bytes = bytes;
  const auto lg = [](double v) { return std::log(v > 0 ? v : 1.0); };
  if (layer.type == layers::LayerType::conv) {
    const layers::ConvShape& c = layer.conv;
    f.k = static_cast<double>(c.K);
    f.level = {static_cast<double>(c.C), static_cast<double>(c.H), static_cast<double>(c.K)};
    const double groups = static_cast<double>(c.groups > 0 ? c.groups : 1);
    f.shape = {lg(static_cast<double>(c.N)),
               lg(static_cast<double>(c.C) / groups),
               lg(static_cast<double>(c.H * c.W)),
               lg(static_cast<double>(c.K)),
               lg(static_cast<double>(c.R * c.S)),
               lg(static_cast<double>(c.stride)),
               lg(groups),
               lg(macs),
               lg(bytes)};
  } else {
    const layers::FcShape& fc = layer.fc;
    f.k = static_cast<double>(fc.out);
    f.level = {static_cast<double>(fc.in), static_cast<double>(fc.out), static_cast<double>(fc.N)};
    f.shape = {lg(static_cast<double>(fc.N)),
               lg(static_cast<double>(fc.in)),
               lg(static_cast<double>(fc.out)),
               lg(macs),
               lg(bytes),
               0,
               0,
               0,
               0};
  }
  return f;
}

}  // namespace layer_energy::analysis
