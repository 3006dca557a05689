// The layer fields whose fitted ranges a prediction checks, in one fixed order per type, so a model keeps its ranges
// as a table the check indexes (TypeModel::range_table) instead of looking each field up by name.
#pragma once

#include <cstddef>

#include "layers/layer.hpp"

namespace layer_energy::analysis {

constexpr std::size_t kConvRangeFields = 11;
constexpr const char* kConvRangeField[kConvRangeFields] = {"macs", "N", "C",      "H",   "W",     "K",
                                                           "R",    "S", "stride", "pad", "groups"};
constexpr std::size_t kFcRangeFields = 4;
constexpr const char* kFcRangeField[kFcRangeFields] = {"macs", "N", "in", "out"};
constexpr std::size_t kMaxRangeFields = kConvRangeFields;

// The names of the fields of a layer of this type (as many as range_values gives).
inline const char* const* range_field_names(layers::LayerType type) {
  return type == layers::LayerType::conv ? kConvRangeField : kFcRangeField;
}

// The layer's values of those fields, in the same order (`out` holds kMaxRangeFields); returns how many. The fit
// records ranges and a prediction checks them through this one list.
inline std::size_t range_values(const layers::Layer& layer, double macs, double* out) {
  std::size_t n = 0;
  out[n++] = macs;
  if (layer.type == layers::LayerType::conv) {
    const layers::ConvShape& c = layer.conv;
    for (const int64_t v : {c.N, c.C, c.H, c.W, c.K, c.R, c.S, c.stride, c.pad, c.groups}) out[n++] = double(v);
  } else {
    const layers::FcShape& f = layer.fc;
    for (const int64_t v : {f.N, f.in, f.out}) out[n++] = double(v);
  }
  return n;
}

}  // namespace layer_energy::analysis
