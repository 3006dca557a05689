#include "layers/grids.hpp"

#include <set>

namespace layer_energy::layers {

Layer conv_layer(int64_t n, int64_t c, int64_t hw, int64_t k, int64_t r, int64_t stride, int64_t pad, int64_t groups) {
  Layer layer;
  layer.type = LayerType::conv;
  layer.conv = {n, c, hw, hw, k, r, r, stride, pad, groups};
  return layer;
}

Layer fc_layer(int64_t n, int64_t in, int64_t out) {
  Layer layer;
  layer.type = LayerType::fc;
  layer.fc = {n, in, out};
  return layer;
}

std::vector<Layer> quick_grid() {
  return {
      // Typical CNN layers (ResNet, VGG, MobileNet shapes at batch 1).
      conv_layer(1, 3, 224, 64, 7, 2, 3), conv_layer(1, 64, 56, 64, 3, 1, 1), conv_layer(1, 128, 28, 128, 3, 1, 1),
      conv_layer(1, 256, 14, 256, 3, 1, 1), conv_layer(1, 512, 7, 512, 3, 1, 1), conv_layer(1, 64, 56, 256, 1, 1, 0),
      conv_layer(1, 256, 56, 64, 1, 1, 0), conv_layer(1, 128, 28, 256, 3, 2, 1), conv_layer(1, 3, 224, 32, 3, 2, 1),
      conv_layer(1, 32, 112, 32, 3, 1, 1, 32), conv_layer(1, 144, 56, 144, 3, 2, 1, 144), conv_layer(1, 96, 28, 96, 5, 1, 2),
      // The study's axis: K at fixed H, C, R (the multi-modal alpha(K)).
      conv_layer(1, 64, 28, 1, 3, 1, 1), conv_layer(1, 64, 28, 8, 3, 1, 1), conv_layer(1, 64, 28, 16, 3, 1, 1),
      conv_layer(1, 64, 28, 24, 3, 1, 1), conv_layer(1, 64, 28, 32, 3, 1, 1), conv_layer(1, 64, 28, 48, 3, 1, 1),
      conv_layer(1, 64, 28, 64, 3, 1, 1), conv_layer(1, 64, 28, 96, 3, 1, 1), conv_layer(1, 64, 28, 128, 3, 1, 1),
      conv_layer(1, 64, 28, 200, 3, 1, 1), conv_layer(1, 64, 28, 256, 3, 1, 1),
      // Batch > 1.
      conv_layer(8, 64, 28, 64, 3, 1, 1),
      // Fully connected.
      fc_layer(1, 512, 1000), fc_layer(1, 1024, 1024), fc_layer(1, 4096, 4096), fc_layer(8, 1024, 1024), fc_layer(8, 4096, 1000),
      fc_layer(32, 1024, 1024), fc_layer(32, 2048, 512), fc_layer(1, 9216, 4096),
  };
}

std::vector<Layer> paper_grid() {
  std::vector<Layer> grid;
  std::set<std::string> seen;
  auto add = [&](const Layer& layer) {
    if (!validate(layer).empty()) return;
    if (seen.insert(case_name(layer)).second) grid.push_back(layer);
  };
  for (int64_t k = 1; k <= 128; ++k) add(conv_layer(1, 64, 28, k, 3, 1, 1));
  for (int64_t k : {160, 192, 224, 256, 320, 384, 448, 512}) add(conv_layer(1, 64, 28, k, 3, 1, 1));
  const double max_macs = 2e10;  // keeps each case within seconds on an edge GPU
  for (int64_t h : {7, 14, 28, 56, 112, 224}) {
    for (int64_t c : {3, 16, 64, 128, 256, 512}) {
      for (int64_t r : {1, 3, 5, 7}) {
        for (int64_t k : {1, 16, 32, 64, 128, 256, 512}) {
          for (int64_t stride : {1, 2}) {
            const Layer layer = conv_layer(1, c, h, k, r, stride, r / 2);
            if (macs(layer) <= max_macs) add(layer);
          }
        }
      }
    }
  }
  for (int64_t n : {1, 8, 32}) {
    for (int64_t in : {16, 64, 256, 1024, 4096, 16384}) {
      for (int64_t out : {16, 64, 256, 1024, 4096, 16384}) add(fc_layer(n, in, out));
    }
  }
  return grid;
}

}  // namespace layer_energy::layers
