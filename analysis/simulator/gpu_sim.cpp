#include "analysis/simulator/gpu_sim.hpp"

#include <algorithm>
#include <string>

#include "analysis/simulator/sim_math.hpp"

namespace layer_energy::sim {
namespace {

constexpr double kFloat = 4;            // fp32 bytes
constexpr double kOverlapLoss = 0.06;   // compute and memory never overlap perfectly

double sm_mac_rate(const GpuSpec& s, double clock_scale) {
  return s.macs_per_sm_per_clock * s.clock_MHz * 1e6 * clock_scale;
}

double l2_capacity(const GpuSpec& s) {
  return s.l2_MiB * 1024 * 1024;
}

double dram_rate(const GpuSpec& s) {
  return s.dram_bandwidth_GBs * 1e9 * s.dram_efficiency;
}

// Kernel time from its compute-side and memory-side times: a soft maximum plus a small loss for imperfect overlap.
double overlapped(double compute_s, double memory_s) {
  return soft_max(compute_s, memory_s) + kOverlapLoss * std::min(compute_s, memory_s);
}

std::string tile_name(const GemmVariant& v) {
  return std::to_string(v.tile_m) + "x" + std::to_string(v.tile_n);
}

}  // namespace

std::vector<GemmVariant> gemm_variants(const GpuSpec& spec) {
  // Bigger tiles reuse each loaded element more (higher efficiency) but leave SMs idle on small problems.
  std::vector<GemmVariant> variants = {
      {256, 128, 16, 256, 1, 0.80, 0.86}, {128, 128, 16, 256, 2, 0.62, 0.84}, {128, 64, 16, 128, 3, 0.55, 0.80},
      {64, 64, 16, 128, 4, 0.50, 0.74},   {64, 32, 16, 64, 6, 0.45, 0.66},    {32, 64, 16, 64, 6, 0.40, 0.60},
  };
  for (GemmVariant& v : variants)
    v.blocks_per_sm = std::max(1, std::min(v.blocks_per_sm, spec.max_threads_per_sm / v.threads));
  return variants;
}

GemmShape gemm_shape(const layers::Layer& layer) {
  GemmShape g;
  if (layer.type == layers::LayerType::fc) {
    g.m = layer.fc.N;
    g.n = layer.fc.out;
    g.k = layer.fc.in;
    return g;
  }
  const layers::ConvShape& c = layer.conv;
  g.groups = c.groups;
  g.m = c.N * layers::output_height(c) * layers::output_width(c);
  g.n = c.K / c.groups;
  g.k = (c.C / c.groups) * c.R * c.S;
  return g;
}

KernelCost gemm_cost(const GpuSpec& spec, const GemmVariant& v, const GemmShape& g, int split_k,
                     double compulsory_bytes, double clock_scale) {
  const int64_t tiles_mn = g.groups * ceil_div(g.m, v.tile_m) * ceil_div(g.n, v.tile_n);
  const int64_t k_per_split = ceil_div(g.k, split_k);
  const int64_t k_steps = ceil_div(k_per_split, v.tile_k);
  const int64_t tiles = tiles_mn * split_k;
  const int64_t sms = spec.sm_count;
  const int64_t slots = sms * v.blocks_per_sm;
  const int64_t waves = ceil_div(tiles, slots);
  const double rate = sm_mac_rate(spec, clock_scale);
  const double tile_stage_macs = static_cast<double>(v.tile_m) * v.tile_n * v.tile_k;

  // One wave with `b` blocks resident on each of `active` SMs: each k-step is bound by the load latency, the
  // SM's FMA rate shared by its blocks, or the SM's share of L2 bandwidth; the tile's stores end it.
  const auto wave_time = [&](int64_t b, int64_t active) {
    const double per_sm_bw = std::min(spec.sm_bandwidth_GBs * 1e9, spec.l2_bandwidth_GBs * 1e9 / active);
    const double eff = std::min(v.sm_efficiency, b * v.single_block_efficiency);
    const double compute = b * tile_stage_macs / (rate * eff);
    const double feed = b * static_cast<double>(v.tile_m + v.tile_n) * v.tile_k * kFloat / per_sm_bw;
    const double stage = soft_max3(spec.stage_latency_s, compute, feed);
    const double store = b * static_cast<double>(v.tile_m) * v.tile_n * kFloat / per_sm_bw;
    return 2 * spec.stage_latency_s + k_steps * stage + store;  // pipeline fill, main loop, epilogue
  };
  const int64_t full_waves = waves - 1;
  const int64_t last = tiles - full_waves * slots;
  double compute_s = full_waves * wave_time(v.blocks_per_sm, sms) + wave_time(ceil_div(last, sms),
                                                                              std::min(sms, last));

  KernelCost cost;
  cost.tiles = tiles;
  cost.blocks = tiles;
  cost.waves = waves;
  cost.threads_per_block = v.threads;
  cost.executed_macs = static_cast<double>(tiles) * v.tile_m * v.tile_n * k_steps * v.tile_k;
  const double partial_bytes = split_k > 1 ? static_cast<double>(split_k) * g.m * g.n * g.groups * kFloat : 0;
  const double output_bytes = static_cast<double>(g.m) * g.n * g.groups * kFloat;
  cost.l2_bytes = static_cast<double>(tiles) * (v.tile_m + v.tile_n) * k_steps * v.tile_k * kFloat +
                  (split_k > 1 ? partial_bytes : output_bytes);
  const double working_set = compulsory_bytes + partial_bytes;
  cost.dram_bytes = working_set * miss_fraction(std::max(working_set, spec.pass_bytes), l2_capacity(spec));
  const double memory_s = cost.dram_bytes / dram_rate(spec);
  double time = spec.kernel_fill_s + overlapped(compute_s, memory_s);
  cost.kernels = 1;
  cost.label = std::string(g.groups > 1 ? "sim grouped gemm " : "sim gemm ") + tile_name(v);
  if (split_k > 1) {
    // The reduction pass: an element-wise kernel reading every partial and writing the output.
    const double reduce_bytes = partial_bytes + output_bytes;
    time += spec.kernel_fill_s + reduce_bytes / (0.7 * spec.l2_bandwidth_GBs * 1e9);
    cost.l2_bytes += reduce_bytes;
    cost.kernels = 2;
    cost.label += " splitk " + std::to_string(split_k);
  }
  cost.time_s = time + cost.kernels * spec.launch_s;
  return cost;
}

KernelCost direct_conv_cost(const GpuSpec& spec, const layers::ConvShape& c, double clock_scale) {
  const int64_t p = layers::output_height(c);
  const int64_t q = layers::output_width(c);
  const int64_t cg = c.C / c.groups;
  const int64_t kg = c.K / c.groups;
  constexpr int kThreads = 256;
  constexpr int kOutputsPerThread = 4;  // a strip of adjacent outputs along W
  const int64_t q_padded = round_up(q, kOutputsPerThread);
  const int64_t outputs = c.N * c.K * p * q_padded;
  const int64_t blocks = ceil_div(outputs, kThreads * kOutputsPerThread);
  const int64_t active = std::min<int64_t>(spec.sm_count, blocks);
  constexpr int kBlocksPerSm = 8;

  KernelCost cost;
  cost.blocks = blocks;
  cost.tiles = blocks;
  cost.waves = ceil_div(blocks, spec.sm_count * kBlocksPerSm);
  cost.threads_per_block = kThreads;
  cost.executed_macs = static_cast<double>(outputs) * cg * c.R * c.S;
  const double compute_s =
      cost.executed_macs / (sm_mac_rate(spec, clock_scale) * active * spec.direct_efficiency);
  const double input_bytes = static_cast<double>(c.N) * c.C * c.H * c.W * kFloat;
  const double output_bytes = static_cast<double>(c.N) * c.K * p * q * kFloat;
  const double weight_bytes = static_cast<double>(c.K) * cg * c.R * c.S * kFloat;
  // Each output channel of a group re-reads the group's inputs (L1 keeps about half); halos are re-read too.
  const double halo = 1 + static_cast<double>(c.R - 1) / 16;
  const double reuse = std::max(1.0, kg / 2.0);
  cost.l2_bytes = input_bytes * reuse * halo + output_bytes + weight_bytes * std::min<int64_t>(blocks, 64);
  const double working_set = input_bytes + output_bytes + weight_bytes;
  cost.dram_bytes = working_set * miss_fraction(std::max(working_set, spec.pass_bytes), l2_capacity(spec));
  const double l2_rate = std::min(0.75 * spec.l2_bandwidth_GBs * 1e9, active * spec.sm_bandwidth_GBs * 1e9);
  const double memory_s = cost.dram_bytes / std::min(dram_rate(spec), active * spec.sm_bandwidth_GBs * 1e9) +
                          cost.l2_bytes / l2_rate;
  cost.time_s = spec.kernel_fill_s + overlapped(compute_s, memory_s) + spec.launch_s;
  cost.label = c.groups == c.C && c.groups == c.K ? "sim depthwise direct" : "sim grouped direct";
  return cost;
}

KernelCost gemv_cost(const GpuSpec& spec, const layers::FcShape& f, double clock_scale) {
  constexpr int kRowsPerBlock = 16;  // four warps, each reducing four output rows
  constexpr int64_t kInPerBlock = 4096;
  const int64_t in_splits = ceil_div(f.in, kInPerBlock);
  const int64_t blocks = ceil_div(f.out, kRowsPerBlock) * in_splits;
  const int64_t active = std::min<int64_t>(spec.sm_count, blocks);
  KernelCost cost;
  cost.blocks = blocks;
  cost.tiles = blocks;
  cost.waves = ceil_div(blocks, spec.sm_count * 16);
  cost.threads_per_block = 128;
  cost.executed_macs = static_cast<double>(f.N) * round_up(f.in, 128) * f.out;
  const double weight_bytes = static_cast<double>(f.in) * f.out * kFloat;
  const double vector_bytes = static_cast<double>(f.N) * (f.in + f.out) * kFloat;
  const double working_set = weight_bytes + vector_bytes;
  // Every block reads its slice of the input vectors (from L2) and streams its rows of the weights.
  cost.l2_bytes = weight_bytes + static_cast<double>(f.N) * std::min(f.in, kInPerBlock) * kFloat * blocks;
  cost.dram_bytes = working_set * miss_fraction(std::max(working_set, spec.pass_bytes), l2_capacity(spec));
  const double pull = active * spec.sm_bandwidth_GBs * 1e9;  // few blocks cannot pull the full bandwidth
  const double memory_s = soft_max(cost.dram_bytes / std::min(dram_rate(spec), pull),
                                   cost.l2_bytes / std::min(0.8 * spec.l2_bandwidth_GBs * 1e9, pull));
  const double compute_s = cost.executed_macs / (sm_mac_rate(spec, clock_scale) * active * spec.gemv_efficiency);
  cost.kernels = in_splits > 1 ? 2 : 1;  // split rows accumulate atomically into a zeroed output (a memset)
  cost.time_s = spec.kernel_fill_s * cost.kernels + overlapped(compute_s, memory_s) + cost.kernels * spec.launch_s;
  cost.label = in_splits > 1 ? "sim gemv split " + std::to_string(in_splits) : "sim gemv";
  return cost;
}

std::vector<KernelCost> candidate_kernels(const GpuSpec& spec, const layers::Layer& layer, double clock_scale) {
  std::vector<KernelCost> out;
  const double compulsory = layers::bytes(layer, layers::Precision::fp32);
  bool try_gemm = true;
  if (layer.type == layers::LayerType::fc) {
    if (layer.fc.N <= 8) {
      out.push_back(gemv_cost(spec, layer.fc, clock_scale));
      try_gemm = false;
    }
  } else if (layer.conv.groups > 1) {
    out.push_back(direct_conv_cost(spec, layer.conv, clock_scale));
    // Grouped GEMM only where each group is a real GEMM; depthwise never.
    try_gemm = layer.conv.C / layer.conv.groups >= 8 && layer.conv.K / layer.conv.groups >= 8;
  }
  if (!try_gemm) return out;
  const GemmShape g = gemm_shape(layer);
  for (const GemmVariant& v : gemm_variants(spec)) {
    out.push_back(gemm_cost(spec, v, g, 1, compulsory, clock_scale));
    // Split-K when the output is too small to fill the GPU and the reduction is long.
    const int64_t tiles_mn = g.groups * ceil_div(g.m, v.tile_m) * ceil_div(g.n, v.tile_n);
    if (tiles_mn >= spec.sm_count || g.k < 1024) continue;
    for (int split : {2, 4, 8, 16, 32}) {
      if (g.k / split < 128) break;
      out.push_back(gemm_cost(spec, v, g, split, compulsory, clock_scale));
    }
  }
  return out;
}

double gpu_energy(const GpuSpec& spec, const KernelCost& cost, double clock_scale) {
  const double voltage_factor = 0.6 + 0.4 * clock_scale;  // a lower clock runs at a lower voltage
  return spec.static_W * cost.time_s + spec.mac_J * voltage_factor * cost.executed_macs +
         spec.l2_byte_J * cost.l2_bytes + spec.dram_byte_J * cost.dram_bytes + spec.launch_J * cost.kernels;
}

namespace {

KernelCost fastest(const GpuSpec& spec, const layers::Layer& layer, double clock_scale) {
  std::vector<KernelCost> all = candidate_kernels(spec, layer, clock_scale);
  return *std::min_element(all.begin(), all.end(),
                           [](const KernelCost& a, const KernelCost& b) { return a.time_s < b.time_s; });
}

}  // namespace

SimResult simulate(const GpuSpec& spec, const layers::Layer& layer, double clock_scale) {
  KernelCost cost = fastest(spec, layer, clock_scale);
  double energy = gpu_energy(spec, cost, clock_scale);
  bool capped = false;
  if (energy / cost.time_s > spec.power_cap_W) {
    // The board lowers the clock until the power fits under the cap (power falls monotonically with the clock).
    double lo = 0.2 * clock_scale, hi = clock_scale;
    for (int i = 0; i < 40; ++i) {
      const double mid = 0.5 * (lo + hi);
      const KernelCost c = fastest(spec, layer, mid);
      if (gpu_energy(spec, c, mid) / c.time_s > spec.power_cap_W) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    clock_scale = lo;
    cost = fastest(spec, layer, clock_scale);
    energy = gpu_energy(spec, cost, clock_scale);
    capped = true;
  }
  SimResult r;
  r.time_s = cost.time_s;
  r.energy_J = energy;
  r.static_W = spec.static_W;
  r.kernels = cost.kernels;
  r.blocks = cost.blocks;
  r.threads_per_block = cost.threads_per_block;
  r.waves = cost.waves;
  r.tiles = cost.tiles;
  r.executed_macs = cost.executed_macs;
  r.l2_bytes = cost.l2_bytes;
  r.dram_bytes = cost.dram_bytes;
  r.clock_MHz = spec.clock_MHz * clock_scale;
  r.power_capped = capped;
  r.label = cost.label;
  return r;
}

}  // namespace layer_energy::sim
