#include "analysis/simulator/sim_grids.hpp"

#include <random>

#include "layers/grids.hpp"

namespace layer_energy::sim {

using layers::Layer;
using layers::conv_layer;
using layers::fc_layer;

std::vector<Layer> random_layers(std::size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const auto uniform = [&rng](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  const auto pick = [&rng](const std::vector<int64_t>& v) {
    return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
  };
  layers::UniqueLayers grid(2e10);
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
