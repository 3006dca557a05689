#include "layers/grids.hpp"

#include <algorithm>
#include <set>

#include "layers/networks.hpp"

namespace layer_energy::layers {

void UniqueLayers::add(const Layer& layer) {
  if (!validate(layer).empty() || macs(layer) > max_macs_) return;
  if (seen_.insert(case_name(layer)).second) layers_.push_back(layer);
}

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
  UniqueLayers grid(2e10);  // keeps each case within seconds on an edge GPU
  for (int64_t k = 1; k <= 128; ++k) grid.add(conv_layer(1, 64, 28, k, 3, 1, 1));
  for (int64_t k : {160, 192, 224, 256, 320, 384, 448, 512}) grid.add(conv_layer(1, 64, 28, k, 3, 1, 1));
  for (int64_t h : {7, 14, 28, 56, 112, 224}) {
    for (int64_t c : {3, 16, 64, 128, 256, 512}) {
      for (int64_t r : {1, 3, 5, 7}) {
        for (int64_t k : {1, 16, 32, 64, 128, 256, 512}) {
          for (int64_t stride : {1, 2}) grid.add(conv_layer(1, c, h, k, r, stride, r / 2));
        }
      }
    }
  }
  for (int64_t n : {1, 8, 32}) {
    for (int64_t in : {16, 64, 256, 1024, 4096, 16384}) {
      for (int64_t out : {16, 64, 256, 1024, 4096, 16384}) grid.add(fc_layer(n, in, out));
    }
  }
  return grid.take();
}

std::vector<Layer> model_grid() {
  // The built-in networks' own configurations stay out, so that predicting a network from a model fitted on this
  // grid is a held-out check (their layers are measured directly with --network when wanted).
  std::set<std::string> network_configs;
  for (const std::string& net : network_names())
    for (const Layer& l : network_layers(net)) network_configs.insert(case_name(l));
  UniqueLayers grid(1e10);
  const auto add = [&](const Layer& l) {
    if (!network_configs.count(case_name(l))) grid.add(l);
  };
  for (int64_t k = 1; k <= 256; ++k) add(conv_layer(1, 64, 28, k, 3, 1, 1));

  // Stratified factorial: every (H, C, R) cell, with K, stride and batch rotated through their levels so each
  // level meets every other factor's levels without the full product.
  const std::vector<int64_t> hs = {7, 13, 14, 27, 28, 56, 112, 224};
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
          add(conv_layer(n, c, h, k, r, stride, r / 2));
        }
      }
    }
  }

  // Inverted-residual blocks (MnasNet/EfficientNet-like widths, not MobileNetV2's own): 1x1 expand and project with
  // wide C at small H — long reductions over few output pixels, which the factorial above barely reaches.
  std::size_t block = 0;
  for (int64_t h : {7, 14, 28}) {
    for (int64_t c : {40, 80, 112, 192, 200, 480, 672, 1152}) {
      const int64_t wide = c <= 200 ? 6 * c : c;
      const int64_t narrow = c <= 200 ? c : c / 6;
      const int64_t n = batches[block++ % batches.size()];
      add(conv_layer(n, narrow, h, wide, 1, 1, 0));  // expand
      add(conv_layer(n, wide, h, narrow, 1, 1, 0));  // project
      add(conv_layer(1, wide, h, wide, 3, 1, 1, wide));  // its depthwise
    }
  }
  for (int64_t c : {640, 1024, 1280, 1536}) {  // heads: wide 1x1 and 3x3 at 7x7 and 14x14
    add(conv_layer(1, c, 7, c / 4, 1, 1, 0));
    add(conv_layer(1, c / 4, 7, c, 1, 1, 0));
    add(conv_layer(1, c, 14, c / 2, 1, 1, 0));
    add(conv_layer(1, c / 2, 7, c / 2, 3, 1, 1));
  }

  // Squeeze-and-excitation (EfficientNet, MobileNetV3, RegNetY): 1x1 convs on a 1x1 map, C down by 4 or 16 and back
  // up — GEMVs of a few thousand to a million MACs, where the call overhead is the time. And small maps (2-5 pixels,
  // the last stages at 64-160 px inputs). Without them such layers lay outside the fitted region and came out 2-4x
  // slow on the simulated CPUs.
  for (int64_t c : {36, 100, 176, 320, 560, 736, 1200, 1600}) {
    for (int64_t ratio : {4, 16}) {
      const int64_t squeezed = std::max<int64_t>(8, c / ratio);
      add(conv_layer(1, c, 1, squeezed, 1, 1, 0));
      add(conv_layer(1, squeezed, 1, c, 1, 1, 0));
    }
  }
  for (int64_t h : {2, 3, 4, 5}) {
    for (int64_t c : {128, 384, 768}) {
      add(conv_layer(1, c, h, c, 3, 1, 1));
      add(conv_layer(1, c, h, 2 * c, 1, 1, 0));
    }
  }

  // Depthwise (groups = C = K): MobileNet-like shapes, 3x3 and 5x5, stride 1 and 2, several batches.
  std::size_t i = 0;
  for (int64_t h : {7, 14, 28, 56, 112}) {
    for (int64_t c : {16, 32, 64, 96, 144, 192, 384, 576, 960}) {
      for (int64_t r : {3, 5}) {
        const int64_t stride = (i % 4 == 3) ? 2 : 1;
        const int64_t n = batches[i++ % batches.size()];
        add(conv_layer(n, c, h, c, r, stride, r / 2, c));
      }
    }
  }
  // Depthwise stride 2 at batch 1 (each MobileNet/EfficientNet stage's first block): the rotation above reaches it
  // only 7 times, and such layers came out 26% slow on the simulated laptop.
  std::size_t turn = 0;
  for (int64_t h : {14, 28, 56, 112}) {
    for (int64_t c : {24, 40, 72, 120, 240, 480, 672}) {
      const int64_t r = turn++ % 2 == 0 ? 3 : 5;
      add(conv_layer(1, c, h, c, r, 2, r / 2, c));
    }
  }
  // Grouped (ResNeXt, ShuffleNet-like).
  for (int64_t h : {14, 28, 56}) {
    for (int64_t c : {64, 128, 256, 512}) {
      for (int64_t groups : {2, 4, 8, 32}) {
        if ((h + c / 64 + groups) % 2 == 0) {
          add(conv_layer(1, c, h, c, 3, 1, 1, groups));
        } else {
          add(conv_layer(4, c, h, 2 * c, 1, 1, 0, groups));
        }
      }
    }
  }
  // Batch sweep of typical layers.
  for (int64_t n : {2, 4, 8, 16, 32}) {
    add(conv_layer(n, 64, 56, 64, 3, 1, 1));
    add(conv_layer(n, 128, 28, 128, 3, 1, 1));
    add(conv_layer(n, 256, 14, 256, 3, 1, 1));
    add(conv_layer(n, 512, 7, 512, 3, 1, 1));
    add(conv_layer(n, 64, 56, 256, 1, 1, 0));
    add(conv_layer(n, 3, 224, 64, 7, 2, 3));
  }

  // FC: GEMV regime (N <= 8) and GEMM regime, in/out off the powers of two too.
  const std::vector<int64_t> widths = {64, 100, 256, 512, 1000, 1024, 2048, 3072, 4096, 9216, 16384};
  for (int64_t n : {1, 2, 4, 8}) {
    for (std::size_t a = 0; a < widths.size(); ++a) {
      for (std::size_t b = 0; b < widths.size(); ++b) {
        if ((a + b + static_cast<std::size_t>(n)) % 5 == 0) add(fc_layer(n, widths[a], widths[b]));
      }
    }
  }
  for (int64_t n : {16, 32, 64, 128, 256}) {
    for (std::size_t a = 0; a < widths.size(); ++a) {
      for (std::size_t b = 0; b < widths.size(); ++b) {
        if ((a * 3 + b + static_cast<std::size_t>(n)) % 6 == 0) add(fc_layer(n, widths[a], widths[b]));
      }
    }
  }
  return grid.take();
}

std::vector<Layer> calibrate_grid() {
  UniqueLayers grid(1e10);
  // K sweep at nearly constant time (batch 1, C=64, 28x28, 3x3: one wave of tiles up to K~256 on a large GPU):
  // power rises with K while time does not, which separates static power from energy per MAC.
  for (int64_t k : {4, 8, 16, 32, 64, 96, 128, 192, 256}) grid.add(conv_layer(1, 64, 28, k, 3, 1, 1));
  // The same layers at 4x the work per launch (batch 4): time moves, power per MAC should not.
  for (int64_t k : {16, 64, 256}) grid.add(conv_layer(4, 64, 28, k, 3, 1, 1));
  // High arithmetic intensity (compute-bound 3x3 on many channels) and low (1x1 on few channels, large H).
  grid.add(conv_layer(1, 256, 28, 256, 3, 1, 1));
  grid.add(conv_layer(1, 512, 14, 512, 3, 1, 1));
  grid.add(conv_layer(8, 256, 14, 256, 3, 1, 1));
  grid.add(conv_layer(1, 16, 112, 16, 1, 1, 0));
  grid.add(conv_layer(1, 32, 224, 32, 1, 1, 0));
  grid.add(conv_layer(1, 3, 224, 64, 7, 2, 3));
  grid.add(conv_layer(1, 960, 7, 160, 1, 1, 0));
  // Depthwise and grouped: memory-bound direct kernels.
  grid.add(conv_layer(1, 32, 112, 32, 3, 1, 1, 32));
  grid.add(conv_layer(1, 144, 56, 144, 3, 2, 1, 144));
  grid.add(conv_layer(1, 576, 14, 576, 3, 1, 1, 576));
  grid.add(conv_layer(4, 96, 56, 96, 5, 1, 2, 96));
  grid.add(conv_layer(1, 256, 28, 256, 3, 1, 1, 32));
  // FC: GEMV (weights streamed once: DRAM energy per byte) and GEMM (compute).
  for (int64_t n : {1, 8}) {
    grid.add(fc_layer(n, 4096, 4096));
    grid.add(fc_layer(n, 1024, 1000));
    grid.add(fc_layer(n, 9216, 4096));
  }
  for (int64_t n : {64, 256}) {
    grid.add(fc_layer(n, 4096, 4096));
    grid.add(fc_layer(n, 1024, 1024));
  }
  grid.add(fc_layer(1, 256, 256));  // launch-dominated
  return grid.take();
}

}  // namespace layer_energy::layers
