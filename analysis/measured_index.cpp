#include "analysis/measured_index.hpp"

namespace layer_energy::analysis {

std::size_t MeasuredIndex::KeyHash::operator()(const Key& k) const {
  // FNV-1a over the fields: shapes differ in a few small integers, which this spreads well.
  uint64_t h = 1469598103934665603ull;
  for (const int64_t v : k) h = (h ^ static_cast<uint64_t>(v)) * 1099511628211ull;
  return static_cast<std::size_t>(h);
}

bool MeasuredIndex::key_of(const layers::Layer& layer, layers::Precision precision, Key* key) {
  Key k{};
  k[0] = static_cast<int64_t>(layer.type);
  k[1] = static_cast<int64_t>(precision);
  if (layer.type == layers::LayerType::conv) {
    const layers::ConvShape& c = layer.conv;
    k[2] = c.N, k[3] = c.C, k[4] = c.H, k[5] = c.W, k[6] = c.K, k[7] = c.R, k[8] = c.S, k[9] = c.stride,
    k[10] = c.pad, k[11] = c.groups;
  } else if (layer.type == layers::LayerType::fc) {
    k[2] = layer.fc.N, k[3] = layer.fc.in, k[4] = layer.fc.out;
  } else {
    return false;
  }
  *key = k;
  return true;
}

void MeasuredIndex::build(const std::unordered_map<std::string, Measured>& by_name) {
  by_shape_.clear();
  by_shape_.reserve(by_name.size());
  for (const auto& entry : by_name) {
    layers::Layer layer;
    layers::Precision precision = layers::Precision::fp32;
    layers::Layout layout = layers::Layout::nchw;
    Key key;
    // Only canonical names: a lookup by case_name(layer, precision) would find no other.
    if (!layers::parse_case_name(entry.first, &layer, &precision, &layout) || layout != layers::Layout::nchw ||
        layers::case_name(layer, precision) != entry.first || !key_of(layer, precision, &key))
      continue;
    by_shape_[key] = entry.second;
  }
  source_size_ = by_name.size();
}

const Measured* MeasuredIndex::find(const layers::Layer& layer, layers::Precision precision) const {
  Key key;
  if (!key_of(layer, precision, &key)) return nullptr;
  const auto it = by_shape_.find(key);
  return it == by_shape_.end() ? nullptr : &it->second;
}

}  // namespace layer_energy::analysis
