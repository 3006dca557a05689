#include "analysis/simulator/sim_grids.hpp"

#include <random>
#include <set>

#include "layers/grids.hpp"

namespace layer_energy::sim {
namespace {

using layers::Layer;
using layers::conv_layer;
using layers::fc_layer;

// Keeps valid layers once each, in insertion order.
class GridBuilder {
 public:
  explicit GridBuilder(double max_macs) : max_macs_(max_macs) {}
  void add(const Layer& layer) {
    if (!layers::validate(layer).empty() || layers::macs(layer) > max_macs_) return;
    if (seen_.insert(layers::case_name(layer)).second) grid_.push_back(layer);
  }
  std::size_t size() const { return grid_.size(); }
  std::vector<Layer> take() { return std::move(grid_); }

 private:
  double max_macs_;
  std::set<std::string> seen_;
  std::vector<Layer> grid_;
};

}  // namespace

std::vector<Layer> model_grid() {
  GridBuilder grid(2e10);
  for (int64_t k = 1; k <= 256; ++k) grid.add(conv_layer(1, 64, 28, k, 3, 1, 1));

  // Stratified factorial: every (H, C, R) cell, with K, stride and batch rotated through their levels so each
  // level meets every other factor's levels without the full product.
  const std::vector<int64_t> hs = {7, 14, 28, 56, 112, 224};
  const std::vector<int64_t> cs = {3, 16, 32, 64, 96, 128, 256, 512};
  const std::vector<int64_t> rs = {1, 3, 5, 7};
  const std::vector<int64_t> ks = {16, 24, 48, 64, 96, 128, 192, 256, 384, 512};
  const std::vector<int64_t> batches = {1, 1, 2, 4, 8, 16};
  std::size_t cell = 0;
  for (int64_t h : hs) {
    for (int64_t c : cs) {
      for (int64_t r : rs) {
        for (std::size_t j = 0; j < 2; ++j, ++cell) {
          const int64_t k = ks[(cell * 3 + j * 5) % ks.size()];
          const int64_t stride = (cell + j) % 3 == 2 ? 2 : 1;
          const int64_t n = batches[(cell * 7 + j) % batches.size()];
          grid.add(conv_layer(n, c, h, k, r, stride, r / 2));
        }
      }
    }
  }

  // Depthwise (groups = C = K): MobileNet-like shapes, 3x3 and 5x5, stride 1 and 2, several batches.
  std::size_t i = 0;
  for (int64_t h : {7, 14, 28, 56, 112}) {
    for (int64_t c : {16, 32, 64, 96, 144, 192, 384, 576, 960}) {
      for (int64_t r : {3, 5}) {
        const int64_t stride = (i % 4 == 3) ? 2 : 1;
        const int64_t n = batches[i++ % batches.size()];
        grid.add(conv_layer(n, c, h, c, r, stride, r / 2, c));
      }
    }
  }
  // Grouped (ResNeXt, ShuffleNet-like).
  for (int64_t h : {14, 28, 56}) {
    for (int64_t c : {64, 128, 256, 512}) {
      for (int64_t groups : {2, 4, 8, 32}) {
        if ((h + c / 64 + groups) % 2 == 0) {
          grid.add(conv_layer(1, c, h, c, 3, 1, 1, groups));
        } else {
          grid.add(conv_layer(4, c, h, 2 * c, 1, 1, 0, groups));
        }
      }
    }
  }
  // Batch sweep of typical layers.
  for (int64_t n : {2, 4, 8, 16, 32}) {
    grid.add(conv_layer(n, 64, 56, 64, 3, 1, 1));
    grid.add(conv_layer(n, 128, 28, 128, 3, 1, 1));
    grid.add(conv_layer(n, 256, 14, 256, 3, 1, 1));
    grid.add(conv_layer(n, 512, 7, 512, 3, 1, 1));
    grid.add(conv_layer(n, 64, 56, 256, 1, 1, 0));
    grid.add(conv_layer(n, 3, 224, 64, 7, 2, 3));
  }

  // FC: GEMV regime (N <= 8) and GEMM regime, in/out off the powers of two too.
  const std::vector<int64_t> widths = {64, 100, 256, 512, 1000, 1024, 2048, 3072, 4096, 9216, 16384};
  for (int64_t n : {1, 2, 4, 8}) {
    for (std::size_t a = 0; a < widths.size(); ++a) {
      for (std::size_t b = 0; b < widths.size(); ++b) {
        if ((a + b + static_cast<std::size_t>(n)) % 5 == 0) grid.add(fc_layer(n, widths[a], widths[b]));
      }
    }
  }
  for (int64_t n : {16, 32, 64, 128, 256}) {
    for (std::size_t a = 0; a < widths.size(); ++a) {
      for (std::size_t b = 0; b < widths.size(); ++b) {
        if ((a * 3 + b + static_cast<std::size_t>(n)) % 6 == 0) grid.add(fc_layer(n, widths[a], widths[b]));
      }
    }
  }
  return grid.take();
}

std::vector<Layer> random_layers(std::size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const auto uniform = [&rng](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  const auto pick = [&rng](const std::vector<int64_t>& v) {
    return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
  };
  GridBuilder grid(2e10);
  for (std::size_t attempts = 0; grid.size() < n && attempts < 100 * n + 100; ++attempts) {
    Layer l;
    const int64_t kind = uniform(0, 9);
    if (kind < 6) {  // dense conv
      const int64_t r = pick({1, 2, 3, 3, 5, 7});
      l = conv_layer(pick({1, 1, 1, 2, 3, 4, 6, 8, 12, 16}), uniform(1, 640), uniform(4, 230), uniform(1, 700), r,
               pick({1, 1, 1, 2, 3}), uniform(0, r / 2));
      l.conv.W = std::max<int64_t>(r, l.conv.H + uniform(-3, 3));  // not always square
    } else if (kind < 8) {  // depthwise
      const int64_t c = uniform(8, 1000);
      const int64_t r = pick({3, 5, 7});
      l = conv_layer(pick({1, 1, 2, 4, 8}), c, uniform(5, 120), c, r, pick({1, 2}), r / 2, c);
    } else if (kind < 9) {  // grouped
      const int64_t groups = pick({2, 3, 4, 8, 16, 32});
      l = conv_layer(pick({1, 2, 4}), groups * uniform(1, 40), uniform(7, 60), groups * uniform(1, 40), pick({1, 3}),
               1, 0, groups);
      l.conv.pad = l.conv.R / 2;
    } else {
      l = fc_layer(pick({1, 1, 2, 3, 5, 8, 12, 24, 64, 100, 256}), uniform(8, 20000), uniform(8, 20000));
    }
    grid.add(l);
  }
  return grid.take();
}

}  // namespace layer_energy::sim
