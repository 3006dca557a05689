#include "analysis/boosted_trees.hpp"

#include <algorithm>
#include <cmath>
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

// Per variable and bin: the sum of the residuals and the count of the rows that fall there.
struct Histogram {
  double sum[kTreeVars][kMaxBins + 1];
  double count[kTreeVars][kMaxBins + 1];
};

struct Builder {
  const Binning& bins;
  std::vector<double>& residual;  // per training row
  const TreeOptions& options;
  std::vector<TreeNode>* nodes;

  bool can_split(std::size_t members, int depth) const {
    return depth < options.depth && members >= static_cast<std::size_t>(2 * options.min_leaf);
  }

  // Every variable's histogram in one pass over the members (each row's bins are adjacent in memory).
  void fill(const std::vector<int>& members, Histogram* h) const {
    *h = Histogram{};
    for (const int i : members) {
      const double r = residual[static_cast<std::size_t>(i)];
      const std::array<std::uint8_t, kTreeVars>& b = bins.bin[static_cast<std::size_t>(i)];
      for (int j = 0; j < kTreeVars; ++j) {
        h->sum[j][b[static_cast<std::size_t>(j)]] += r;
        h->count[j][b[static_cast<std::size_t>(j)]] += 1;
      }
    }
  }

  // Grows the node over `members` (indices into the training rows); returns its index. `given`: the members'
  // histogram when the parent already has it (a child's is the parent's minus its sibling's: only the smaller child
  // is scanned). A leaf's update of its rows' residuals never touches a sibling's rows, so the histograms stay exact.
  int grow(const std::vector<int>& members, int depth, const Histogram* given) {
    const int index = static_cast<int>(nodes->size());
    nodes->emplace_back();
    double sum = 0;
    for (const int i : members) sum += residual[static_cast<std::size_t>(i)];
    const double n = static_cast<double>(members.size());
    int best_var = -1, best_bin = -1;
    double best_gain = 1e-12;
    Histogram own;
    const Histogram* h = given;
    if (can_split(members.size(), depth)) {
      if (!h) fill(members, &own), h = &own;
      for (int j = 0; j < kTreeVars; ++j) {
        const std::size_t nb = bins.edges[static_cast<std::size_t>(j)].size();
        if (nb < 2) continue;
        const double* hs = h->sum[j];
        const double* hc = h->count[j];
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
    // Both children split further: scan the smaller, subtract it from this node's histogram for the larger.
    Histogram small_h, large_h;
    const Histogram* left_h = nullptr;
    const Histogram* right_h = nullptr;
    if (can_split(left.size(), depth + 1) && can_split(right.size(), depth + 1)) {
      const bool left_small = left.size() <= right.size();
      fill(left_small ? left : right, &small_h);
      for (int j = 0; j < kTreeVars; ++j) {
        for (int k = 0; k <= kMaxBins; ++k) {
          large_h.sum[j][k] = h->sum[j][k] - small_h.sum[j][k];
          large_h.count[j][k] = h->count[j][k] - small_h.count[j][k];
        }
      }
      left_h = left_small ? &small_h : &large_h;
      right_h = left_small ? &large_h : &small_h;
    }
    const int l = grow(left, depth + 1, left_h);
    const int r = grow(right, depth + 1, right_h);
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

namespace {

int depth_below(const std::vector<TreeNode>& nodes, int n) {
  const TreeNode& node = nodes[static_cast<std::size_t>(n)];
  return node.var < 0 ? 0 : 1 + std::max(depth_below(nodes, node.left), depth_below(nodes, node.right));
}

// Writes node n at slot `slot` (breadth-first numbering from 0 at the root) of a complete tree of `depth` levels.
void lay_out(const std::vector<TreeNode>& nodes, int n, std::size_t slot, int level, int depth, std::uint8_t* var,
             double* threshold, double* leaf) {
  const TreeNode& node = nodes[static_cast<std::size_t>(n)];
  if (level == depth) {
    leaf[slot - ((std::size_t{1} << depth) - 1)] = node.value;
    return;
  }
  if (node.var < 0) {
    // A leaf above the bottom: a split that sends every finite value left, and the leaf on both sides (NaN goes
    // right, as in the node walk, and finds the same leaf).
    var[slot] = 0, threshold[slot] = HUGE_VAL;
    lay_out(nodes, n, 2 * slot + 1, level + 1, depth, var, threshold, leaf);
    lay_out(nodes, n, 2 * slot + 2, level + 1, depth, var, threshold, leaf);
    return;
  }
  var[slot] = static_cast<std::uint8_t>(node.var), threshold[slot] = node.threshold;
  lay_out(nodes, node.left, 2 * slot + 1, level + 1, depth, var, threshold, leaf);
  lay_out(nodes, node.right, 2 * slot + 2, level + 1, depth, var, threshold, leaf);
}

}  // namespace

void BoostedTrees::flatten() {
  flat_depth_ = 0;
  flat_var_.clear(), flat_threshold_.clear(), flat_leaf_.clear();
  int depth = 1;  // a tree that is one leaf still takes one (pass-through) split level
  for (const int root : roots) depth = std::max(depth, depth_below(nodes, root));
  if (roots.empty() || depth > 8) return;
  const std::size_t splits = (std::size_t{1} << depth) - 1, leaves = std::size_t{1} << depth;
  flat_var_.assign(roots.size() * splits, 0);
  flat_threshold_.assign(roots.size() * splits, HUGE_VAL);
  flat_leaf_.assign(roots.size() * leaves, 0);
  for (std::size_t t = 0; t < roots.size(); ++t)
    lay_out(nodes, roots[t], 0, 0, depth, flat_var_.data() + t * splits, flat_threshold_.data() + t * splits,
            flat_leaf_.data() + t * leaves);
  flat_depth_ = depth;
}

double BoostedTrees::predict(const TreeInput& x) const {
  if (flat_depth_ > 0) {
    const std::size_t splits = (std::size_t{1} << flat_depth_) - 1, leaves = std::size_t{1} << flat_depth_;
    const std::uint8_t* var = flat_var_.data();
    const double* threshold = flat_threshold_.data();
    const double* leaf = flat_leaf_.data();
    const std::size_t trees = roots.size();
    // Four trees walked side by side: each level's load depends on the one before, so one tree at a time waits on
    // every load; four independent walks keep the loads overlapping.
    constexpr std::size_t kLanes = 4;
    double out[kLanes] = {0, 0, 0, 0};
    std::size_t t = 0;
    for (; t + kLanes <= trees; t += kLanes) {
      std::size_t i[kLanes] = {0, 0, 0, 0};
      for (int level = 0; level < flat_depth_; ++level) {
        for (std::size_t l = 0; l < kLanes; ++l) {
          const std::size_t base = (t + l) * splits;
          i[l] = 2 * i[l] + 1 + static_cast<std::size_t>(!(x[var[base + i[l]]] <= threshold[base + i[l]]));
        }
      }
      for (std::size_t l = 0; l < kLanes; ++l) out[l] += leaf[(t + l) * leaves + i[l] - splits];
    }
    for (; t < trees; ++t) {
      std::size_t i = 0;
      for (int level = 0; level < flat_depth_; ++level)
        i = 2 * i + 1 + static_cast<std::size_t>(!(x[var[t * splits + i]] <= threshold[t * splits + i]));
      out[t % kLanes] += leaf[t * leaves + i - splits];
    }
    return (out[0] + out[1]) + (out[2] + out[3]);
  }
  // Summed in the flattened walk's four lanes, so both give the same value to the last bit.
  double out[4] = {0, 0, 0, 0};
  for (std::size_t t = 0; t < roots.size(); ++t) {
    int n = roots[t];
    while (nodes[static_cast<std::size_t>(n)].var >= 0) {
      const TreeNode& node = nodes[static_cast<std::size_t>(n)];
      n = x[static_cast<std::size_t>(node.var)] <= node.threshold ? node.left : node.right;
    }
    out[t % 4] += nodes[static_cast<std::size_t>(n)].value;
  }
  return (out[0] + out[1]) + (out[2] + out[3]);
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
  for (int round = 0; round < options.rounds; ++round) model.roots.push_back(builder.grow(all, 0, nullptr));
  model.flatten();
  return model;
}

}  // namespace layer_energy::analysis
