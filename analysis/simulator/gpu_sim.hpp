// A GPU executing conv and FC layers: GEMM tile variants over waves of SMs, split-K, a direct kernel for
// depthwise/grouped convs, a GEMV kernel for small-batch FC, an L2/DRAM memory level, launches, a power cap.
#pragma once

#include <vector>

#include "analysis/simulator/device_specs.hpp"
#include "analysis/simulator/sim_result.hpp"
#include "layers/layer.hpp"

namespace layer_energy::sim {

// The implicit-GEMM view of a layer: `groups` independent (m x k) . (k x n) products.
struct GemmShape {
  int64_t m = 1, n = 1, k = 1, groups = 1;
};

struct GemmVariant {
  int tile_m = 64, tile_n = 64, tile_k = 16;
  int threads = 128;
  int blocks_per_sm = 1;                 // occupancy: resident blocks per SM
  double single_block_efficiency = 0.5;  // share of an SM's FMA rate one resident block reaches (latency-bound)
  double sm_efficiency = 0.8;            // the most all resident blocks together reach
};

// The kernel library of the GPU: tile variants, occupancy limited by the SM's thread count.
std::vector<GemmVariant> gemm_variants(const GpuSpec& spec);

// One kernel choice and its cost at a clock scale (1 = the spec's clock).
struct KernelCost {
  double time_s = 0;
  double executed_macs = 0, l2_bytes = 0, dram_bytes = 0;
  int kernels = 1;
  int64_t blocks = 0, tiles = 0, waves = 0;
  int threads_per_block = 0;
  std::string label;
};

KernelCost gemm_cost(const GpuSpec& spec, const GemmVariant& variant, const GemmShape& shape, int split_k,
                     double compulsory_bytes, double clock_scale = 1);
KernelCost direct_conv_cost(const GpuSpec& spec, const layers::ConvShape& conv, double clock_scale = 1);
KernelCost gemv_cost(const GpuSpec& spec, const layers::FcShape& fc, double clock_scale = 1);

// Every kernel the library would consider for the layer; the heuristic takes the fastest (cuDNN's search).
std::vector<KernelCost> candidate_kernels(const GpuSpec& spec, const layers::Layer& layer, double clock_scale = 1);

GemmShape gemm_shape(const layers::Layer& layer);

// The layer's cost with the fastest kernel, at the spec's clock times `clock_scale` (< 1: a throttled run), and
// lower still when the board's power cap is reached.
SimResult simulate(const GpuSpec& spec, const layers::Layer& layer, double clock_scale = 1);

// Energy of a kernel choice at a clock scale: static power over the time plus the dynamic terms.
double gpu_energy(const GpuSpec& spec, const KernelCost& cost, double clock_scale);

}  // namespace layer_energy::sim
