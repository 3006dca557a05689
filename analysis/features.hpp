// What the models see of a layer: type, MACs, bytes, the kernel count and log-geometry for the polynomial baseline.
#pragma once

#include <array>
#include <memory>

#include "analysis/boosted_trees.hpp"
#include "layers/layer.hpp"

namespace layer_energy::analysis {

constexpr int kShapeVars = 9;  // log-geometry variables of the polynomial baseline

struct Features {
  layers::LayerType type = layers::LayerType::conv;
  double macs = 0, bytes = 0;
  double k = 1;  // conv: K (filters); fc: out
  // conv: log N, C/groups, H*W, K, R*S, stride, groups, MACs, bytes; fc: log N, in, out, MACs, bytes, then zeros.
  std::array<double, kShapeVars> shape{};
  // The variables left out level by level in the extrapolation check: conv C, H, K; fc in, out, N.
  std::array<double, 3> level{};
};

const char* level_name(layers::LayerType type, int i);

Features features_of(const layers::Layer& layer, double macs, double bytes);

// A layer with its measured energy and time (means over repetitions; energy 0 in a time-only result) and its
// configuration group.
struct Sample {
  Features f;
  double energy = 0;
  double noise = 0;  // relative sd over repetitions (0 when unknown)
  int group = 0;     // configuration index: never split across folds
  double time = 0;   // measured seconds per call (0: not measured)
  // Ran with its clock lowered by the board's power limit (power_cap.hpp): its time is the limit's, not the nominal
  // clock's, so the time model is fitted without it and the limit is applied to the prediction after.
  bool capped = false;
  KernelFeatures k;  // the layer as the hardware runs it (time and physical energy models)
  TreeInput tx{};    // the corrector's inputs
  // The same without the launches the run recorded: the layer as an unmeasured one is seen. Held-out predictions use
  // it, so cross-validation never credits a layer with knowing which kernel family ran. Null: nothing was recorded.
  std::shared_ptr<const KernelFeatures> k_unseen;
};

// k_unseen where set, else k.
inline const KernelFeatures& unseen_features(const Sample& s) { return s.k_unseen ? *s.k_unseen : s.k; }
// The corrector's inputs for `k`, one of s's feature sets (s.tx when it is s.k).
inline TreeInput tree_input_of(const Sample& s, const KernelFeatures& k) { return &k == &s.k ? s.tx : tree_input(k); }

}  // namespace layer_energy::analysis
