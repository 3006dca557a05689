#include "analysis/kernel_features.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace layer_energy::analysis {
namespace {

struct Tile {
  double m, n, efficiency;  // rows of output pixels × output channels; relative MAC rate of the kernel
};

// Typical CUTLASS/cuDNN CTA tiles: large tiles run at the best MAC rate, small ones fill the SMs of small layers.
const Tile kGpuTiles[] = {{256, 128, 1.0}, {128, 128, 0.95}, {128, 64, 0.88}, {64, 64, 0.75},
                          {64, 32, 0.6},   {32, 64, 0.6},    {32, 32, 0.45},  {16, 64, 0.4}};
// CPU GEMM blocks per thread task (register and cache blocking); N is padded to the SIMD width separately. Rows
// are 8, 4, 2, 1 micro-kernels of 8 rows here, of TileSet::cpu_micro_rows where it is set.
const Tile kCpuTiles[] = {{64, 64, 1.0}, {32, 64, 0.92}, {16, 64, 0.85}, {8, 128, 0.8}};

double ceil_div(double a, double b) {
  return std::ceil(a / b - 1e-9);
}

double lg(double v) {
  return std::log(v > 0 ? v : 1.0);
}

}  // namespace

const char* class_name(LayerClass c) {
  switch (c) {
    case LayerClass::conv:
      return "conv";
    case LayerClass::grouped:
      return "depthwise_grouped";
    case LayerClass::fc_gemv:
      return "fc_gemv";
    case LayerClass::fc_gemm:
      return "fc_gemm";
  }
  return "?";
}

bool parse_class(const std::string& name, LayerClass* c) {
  for (int i = 0; i < kLayerClasses; ++i) {
    if (name == class_name(static_cast<LayerClass>(i))) {
      *c = static_cast<LayerClass>(i);
      return true;
    }
  }
  return false;
}

LayerClass class_of(const layers::Layer& layer) {
  if (layer.type == layers::LayerType::fc) return layer.fc.N <= 8 ? LayerClass::fc_gemv : LayerClass::fc_gemm;
  // Few channels per group (depthwise, ShuffleNet's) leave no GEMM reduction to speak of: libraries run direct,
  // memory-bound kernels. Wide groups (ResNeXt's 32 × 32, RegNet's) run as a batch of dense GEMMs, as fast per MAC as
  // a dense conv: fitted with the dense convs, not with the depthwise ones (2-3x slow there on real networks' layers).
  const layers::ConvShape& c = layer.conv;
  const int64_t g = std::max<int64_t>(1, c.groups);
  const bool narrow_groups = c.C / g < kMinGemmGroupChannels || c.K / g < kMinGemmGroupChannels;
  return g > 1 && narrow_groups ? LayerClass::grouped : LayerClass::conv;
}

KernelFeatures kernel_features(const layers::Layer& layer, double macs, double bytes, const Hardware& hw,
                               double units, double launches, const TileSet& tile_set) {
  KernelFeatures f;
  f.cls = class_of(layer);
  f.macs = macs;
  f.bytes = bytes;
  // The layer as `batches` GEMMs of M × Ng outputs, each reducing over Kr.
  double m = 1, ng = 1, kr = 1, batches = 1, n = 1;
  if (layer.type == layers::LayerType::conv) {
    const layers::ConvShape& c = layer.conv;
    const double g = static_cast<double>(std::max<int64_t>(1, c.groups));
    n = static_cast<double>(c.N);
    m = n * static_cast<double>(layers::output_height(c) * layers::output_width(c));
    ng = static_cast<double>(c.K) / g;
    kr = static_cast<double>(c.C) / g * static_cast<double>(c.R * c.S);
    batches = g;
    f.geo = {lg(n), lg(static_cast<double>(c.C) / g), lg(static_cast<double>(c.H)), lg(static_cast<double>(c.W)),
             lg(static_cast<double>(c.K)), lg(static_cast<double>(c.R * c.S)), lg(static_cast<double>(c.stride)),
             lg(g)};
  } else {
    n = static_cast<double>(layer.fc.N);
    m = n;
    ng = static_cast<double>(layer.fc.out);
    kr = static_cast<double>(layer.fc.in);
    f.geo = {lg(n), lg(static_cast<double>(layer.fc.in)), lg(static_cast<double>(layer.fc.out)), 0, 0, 0, 0, 0};
  }
  const bool cpu = hw.backend == "cpu";
  const double u = std::max(1.0, units);
  if (cpu && hw.simd_lanes > 1) ng = ceil_div(ng, hw.simd_lanes) * hw.simd_lanes;
  // Every tile with and without split-K is a candidate kernel: the time model takes the fastest under its own
  // parameters, as the library's algorithm search does. The heuristic cost below (per-wave and per-kernel
  // overheads in MAC-equivalents) only picks the default the corrector and the energy terms describe.
  const double kernel_overhead = 2.5e5, wave_overhead = 16384;
  double best = HUGE_VAL;
  const Tile* tiles = cpu ? kCpuTiles : kGpuTiles;
  const std::size_t count = cpu ? sizeof(kCpuTiles) / sizeof(Tile) : sizeof(kGpuTiles) / sizeof(Tile);
  for (std::size_t t = 0; t < count; ++t) {
    const Tile& tile = tiles[t];
    if (!cpu && t > 0 && tile.m * tile.n < tile_set.min_tile_area) continue;  // the largest tile always stays
    // GPU tiles keep their size: a small layer pays for the padding, as a real kernel does. A CPU block shrinks to
    // the rows there are, padded to the micro-kernel's.
    double tm = tile.m;
    const double tn = tile.n, mr = tile_set.cpu_micro_rows;
    if (cpu && mr > 0) tm = std::min(tile.m / 8 * mr, ceil_div(m, mr) * mr);
    const double n_tiles = batches * ceil_div(m, tm) * ceil_div(ng, tn);
    KernelConfig best_split;
    double best_split_cost = HUGE_VAL;
    for (double s = 1; s <= (cpu ? 1 : 32); s *= 2) {
      if (s > 1 && (kr / s < 32 || n_tiles * s > 2 * u)) break;
      KernelConfig k;
      k.waves = ceil_div(n_tiles * s, u);
      k.crit_macs = k.waves * tm * tn * ceil_div(kr, s) / tile.efficiency;
      k.wave_steps = k.waves * ceil_div(ceil_div(kr, s), 16);
      k.macs_exec = n_tiles * tm * tn * kr;
      k.crit_feed = k.waves * (tm + tn) * ceil_div(kr, s) * 4;
      k.operand_bytes = n_tiles * (tm + tn) * kr * 4;
      k.splits = s;
      k.tiles = n_tiles;
      // A split-K reduction is a second kernel rereading every partial output.
      k.launches = s > 1 ? 2 : 1;
      const double cost = k.crit_macs + k.waves * wave_overhead +
                          (s > 1 ? kernel_overhead + 8 * m * ng * batches * s / u : 0);
      if (cost < best) best = cost, f.heuristic = k;
      if (s == 1) {
        if (f.n_configs < kMaxConfigs) f.configs[static_cast<std::size_t>(f.n_configs++)] = k;
      } else if (cost < best_split_cost) {
        best_split_cost = cost, best_split = k;
      }
    }
    if (best_split_cost < HUGE_VAL && f.n_configs < kMaxConfigs) f.configs[static_cast<std::size_t>(f.n_configs++)] = best_split;
  }
  if (launches > 0) {
    // Measured launches say which family ran (one kernel: no split-K); keep the candidates that agree, or, when
    // none does (a library's extra kernels), all of them with the measured count.
    int kept = 0;
    for (int c = 0; c < f.n_configs; ++c)
      if (f.configs[static_cast<std::size_t>(c)].launches == launches) f.configs[static_cast<std::size_t>(kept++)] = f.configs[static_cast<std::size_t>(c)];
    if (kept == 0) {
      for (int c = 0; c < f.n_configs; ++c) f.configs[static_cast<std::size_t>(c)].launches = launches;
    } else {
      f.n_configs = kept;
    }
  }
  const KernelConfig& h = f.heuristic;
  if (launches > 0) f.heuristic.launches = launches;
  f.reduction = kr;
  f.measured_launches = launches;
  const double occupancy = h.tiles * h.splits / (h.waves * u);  // filled fraction of the scheduled waves
  f.corr = {lg(m),           lg(ng),         lg(kr),          lg(batches),          lg(n),
            f.geo[5],        f.geo[6],       lg(h.crit_macs), lg(bytes),            occupancy,
            lg(h.macs_exec / std::max(1.0, macs)), lg(bytes / std::max(1.0, macs)), lg(h.waves),
            lg(h.splits),    lg(h.wave_steps)};
  return f;
}

}  // namespace layer_energy::analysis
