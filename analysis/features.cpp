#include "analysis/features.hpp"

#include <cmath>

namespace layer_energy::analysis {

Features features_of(const layers::Layer& layer, double macs, double bytes) {
  Features f;
  f.type = layer.type;
  f.macs = macs;
  f.bytes = bytes;
  const auto lg = [](double v) { return std::log(v > 0 ? v : 1.0); };
  if (layer.type == layers::LayerType::conv) {
    const layers::ConvShape& c = layer.conv;
    f.k = static_cast<double>(c.K);
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
