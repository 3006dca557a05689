// The residual corrector: gradient-boosted regression trees on log-residuals (log measured − log model), so that
// measured neighbouring configurations pull a prediction towards what was measured. Shallow trees, shrinkage and a
// ridge on leaves keep it from chasing noise; its size is chosen by nested CV (0 rounds = no corrector).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "analysis/kernel_features.hpp"

namespace layer_energy::analysis {

constexpr int kTreeVars = kCorrectorVars + 1;  // corrector inputs plus the layer class
using TreeInput = std::array<double, kTreeVars>;

TreeInput tree_input(const KernelFeatures& f);

struct TreeNode {
  int var = -1;  // -1: leaf
  double threshold = 0;  // go left when x[var] <= threshold
  int left = -1, right = -1;
  double value = 0;  // leaf output (shrinkage included)
};

// Depth 4 (interactions of tile, waves, class and size) at 0.3 shrinkage over 75 rounds: the same comparisons per
// prediction as 100 trees of depth 3, and 10-20% lower held-out conv error on the simulated devices and model zoo.
struct TreeOptions {
  int rounds = 75;
  int depth = 4;
  int min_leaf = 4;
  double shrinkage = 0.3;
  double leaf_ridge = 2;  // leaf = Σr / (n + ridge): a leaf of few cases moves little
};

struct BoostedTrees {
  std::vector<TreeNode> nodes;
  std::vector<int> roots;
  bool empty() const { return roots.empty(); }
  double predict(const TreeInput& x) const;

  // Lays the trees out as complete binary trees of their common depth (a shallower leaf repeated below itself), so
  // that predict() descends each by index arithmetic without a branch: every fit calls it on all its rows, many
  // times. fit_boosted_trees and the model reader call it; without it (or for trees deeper than 8) predict()
  // walks the nodes.
  void flatten();

 private:
  int flat_depth_ = 0;                // 0: not flattened
  std::vector<std::uint8_t> flat_var_;  // per tree, 2^depth − 1 splits in breadth-first order
  std::vector<double> flat_threshold_;
  std::vector<double> flat_leaf_;       // per tree, 2^depth leaves
};

// Fits on x[rows] → y[rows].
BoostedTrees fit_boosted_trees(const std::vector<TreeInput>& x, const std::vector<double>& y,
                               const std::vector<int>& rows, const TreeOptions& options);

}  // namespace layer_energy::analysis
