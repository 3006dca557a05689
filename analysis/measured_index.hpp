// The measured configurations by shape: the lookup every prediction makes ("was this layer measured?") without
// building and hashing its case name. Built from the model's name-keyed `measured` map, with exactly its meaning: a
// name is indexed when it is the canonical case name of a conv or FC layer (NCHW) at its precision.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "layers/layer.hpp"

namespace layer_energy::analysis {

struct Measured {
  double energy_J = 0;  // NaN: time-only
  double time_s = 0;    // NaN: not measured
  double rel_sd = 0;    // over repetitions (0: one)
};

class MeasuredIndex {
 public:
  // Replaces the index with the entries of `by_name` (case name → measurement).
  void build(const std::unordered_map<std::string, Measured>& by_name);
  // The measurement of this conv or FC layer at `precision`, or null.
  const Measured* find(const layers::Layer& layer, layers::Precision precision) const;
  // Names the index was built from (a model changed after indexing no longer matches its map's size).
  std::size_t source_size() const { return source_size_; }

 private:
  using Key = std::array<int64_t, 12>;  // type, precision, then the shape's fields
  struct KeyHash {
    std::size_t operator()(const Key& k) const;
  };
  static bool key_of(const layers::Layer& layer, layers::Precision precision, Key* key);

  std::unordered_map<Key, Measured, KeyHash> by_shape_;
  std::size_t source_size_ = 0;
};

}  // namespace layer_energy::analysis
