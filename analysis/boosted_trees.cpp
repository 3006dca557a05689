#include "analysis/boosted_trees.hpp"

#include <algorithm>
#include <cstdint>

namespace layer_energy::analysis {
namespace {

constexpr int kMaxBins = 32;

// Per variable: bin upper edges (raw values) from the training rows' distinct values or their quantiles.
struct Binning {
  std::array<std::vector<double>, kTreeVars> edges;
  std::vector<std::array<std::uint8_t, kTreeVars>> bin;  // per training row (indexed like `rows`)
};

Binning bin_rows(const std::vector<TreeInput>& x, const std::vector<int>& rows) {
  Binning b;
  b.bin.resize(rows.size());
  std::vector<double> v(rows.size());
  for (int j = 0; j < kTreeVars; ++j) {
    for (std::size_t i = 0; i < rows.size(); ++i) v[i] = x[static_cast<std::size_t>(rows[i])][static_cast<std::size_t>(j)];
    std::vector<double> sorted(v);
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    std::vector<double>& e = b.edges[static_cast<std::size_t>(j)];
    if (sorted.size() <= static_cast<std::size_t>(kMaxBins)) {
      e = sorted;
    } else {
      for (int q = 1; q <= kMaxBins; ++q)
        e.push_back(sorted[std::min(sorted.size() - 1, sorted.size() * static_cast<std::size_t>(q) / kMaxBins)]);
      e.erase(std::unique(e.begin(), e.end()), e.end());
      e.back() = sorted.back();
    }
    for (std::size_t i = 0; i < rows.size(); ++i)
      b.bin[i][static_cast<std::size_t>(j)] =
          static_cast<std::uint8_t>(std::lower_bound(e.begin(), e.end(), v[i]) - e.begin());
  }
  return b;
}

struct Builder {
  const Binning& bins;
  std::vector<double>& residual;  // per training row
  const TreeOptions& options;
  std::vector<TreeNode>* nodes;

  // Grows the node over `members` (indices into the training rows); returns its index.
  int grow(const std::vector<int>& members, int depth) {
    const int index = static_cast<int>(nodes->size());
    nodes->emplace_back();
    double sum = 0;
    for (const int i : members) sum += residual[static_cast<std::size_t>(i)];
    const double n = static_cast<double>(members.size());
    int best_var = -1, best_bin = -1;
    double best_gain = 1e-12;
    if (depth < options.depth && members.size() >= static_cast<std::size_t>(2 * options.min_leaf)) {
      for (int j = 0; j < kTreeVars; ++j) {
        const std::size_t nb = bins.edges[static_cast<std::size_t>(j)].size();
        if (nb < 2) continue;
        double hs[kMaxBins + 1] = {};
        double hc[kMaxBins + 1] = {};
        for (const int i : members) {
          const std::uint8_t k = bins.bin[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
          hs[k] += residual[static_cast<std::size_t>(i)];
          hc[k] += 1;
        }
        double ls = 0, lc = 0;
        for (std::size_t k = 0; k + 1 < nb; ++k) {
          ls += hs[k], lc += hc[k];
          const double rc = n - lc;
          if (lc < options.min_leaf || rc < options.min_leaf) continue;
          const double rs = sum - ls;
          const double gain = ls * ls / lc + rs * rs / rc - sum * sum / n;
          if (gain > best_gain) best_gain = gain, best_var = j, best_bin = static_cast<int>(k);
        }
      }
    }
    if (best_var < 0) {
      (*nodes)[static_cast<std::size_t>(index)].value = options.shrinkage * sum / (n + options.leaf_ridge);
      for (const int i : members) residual[static_cast<std::size_t>(i)] -= (*nodes)[static_cast<std::size_t>(index)].value;
      return index;
    }
    std::vector<int> left, right;
    for (const int i : members)
      (bins.bin[static_cast<std::size_t>(i)][static_cast<std::size_t>(best_var)] <= best_bin ? left : right).push_back(i);
    const double threshold = bins.edges[static_cast<std::size_t>(best_var)][static_cast<std::size_t>(best_bin)];
    const int l = grow(left, depth + 1);
    const int r = grow(right, depth + 1);
    TreeNode& node = (*nodes)[static_cast<std::size_t>(index)];
    node.var = best_var;
    node.threshold = threshold;
    node.left = l;
    node.right = r;
    return index;
  }
};

}  // namespace

TreeInput tree_input(const KernelFeatures& f) {
  TreeInput x{};
  for (int j = 0; j < kCorrectorVars; ++j) x[static_cast<std::size_t>(j)] = f.corr[static_cast<std::size_t>(j)];
  x[kCorrectorVars] = static_cast<double>(f.cls);
  return x;
}

double BoostedTrees::predict(const TreeInput& x) const {
  double out = 0;
  for (const int root : roots) {
    int n = root;
    while (nodes[static_cast<std::size_t>(n)].var >= 0) {
      const TreeNode& node = nodes[static_cast<std::size_t>(n)];
      n = x[static_cast<std::size_t>(node.var)] <= node.threshold ? node.left : node.right;
    }
    out += nodes[static_cast<std::size_t>(n)].value;
  }
  return out;
}

BoostedTrees fit_boosted_trees(const std::vector<TreeInput>& x, const std::vector<double>& y,
                               const std::vector<int>& rows, const TreeOptions& options) {
  BoostedTrees model;
  if (rows.size() < static_cast<std::size_t>(2 * options.min_leaf) || options.rounds <= 0) return model;
  const Binning bins = bin_rows(x, rows);
  std::vector<double> residual(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) residual[i] = y[static_cast<std::size_t>(rows[i])];
  std::vector<int> all(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) all[i] = static_cast<int>(i);
  Builder builder{bins, residual, options, &model.nodes};
  for (int round = 0; round < options.rounds; ++round) model.roots.push_back(builder.grow(all, 0));
  return model;
}

}  // namespace layer_energy::analysis
