// What a layer costs the hardware, in the terms the time model needs: the layer as a GEMM, the tiles a library would
// run it in, the waves those tiles take on the parallel units (SMs / threads), split-K when tiles are few and the
// reduction long, executed MACs with the tile padding, launches. At batch 1 these — not MACs — set the time.
#pragma once

#include <array>

#include "analysis/hardware.hpp"
#include "layers/layer.hpp"

namespace layer_energy::analysis {

// Interval and time-model classes (the contract's): dense conv, depthwise/grouped conv, FC GEMV (N ≤ 8), FC GEMM.
enum class LayerClass { conv, grouped, fc_gemv, fc_gemm };
constexpr int kLayerClasses = 4;
const char* class_name(LayerClass c);
bool parse_class(const std::string& name, LayerClass* c);
// Channels per group (in and out) from which a grouped conv is a batch of dense GEMMs (class conv), not a
// depthwise-like direct kernel (class grouped).
constexpr int64_t kMinGemmGroupChannels = 8;
LayerClass class_of(const layers::Layer& layer);

constexpr int kGeoVars = 8;         // log geometry of the joint fitted-region check
constexpr int kCorrectorVars = 15;  // inputs of the residual corrector

// One candidate kernel for the layer: a tile size, with or without split-K.
struct KernelConfig {
  double launches = 1, waves = 0;
  double wave_steps = 0;  // waves × reduction steps per tile (16-deep): the latency-bound part of a small GEMM
  double crit_macs = 0;   // MACs on the busiest unit's path: waves × work per tile (÷ split-K)
  double macs_exec = 0;   // MACs the tiles execute (padding included)
  double splits = 1, tiles = 0;
  double crit_feed = 0;      // operand bytes the busiest unit loads: waves × (tile M + tile N) × reduction × 4
  double operand_bytes = 0;  // operand bytes all tiles load from the cache (each tile re-reads its inputs)
};
constexpr int kMaxConfigs = 16;

struct KernelFeatures {
  LayerClass cls = LayerClass::conv;
  double macs = 0, bytes = 0;
  double working_set = 0;  // bytes touched between two calls (0: the layer's own, a benchmark loop; see DramKnee)
  // The kernel a fixed cost heuristic picks: the time fit's starting assignment, the corrector's inputs, and the
  // work counted where no time model chose a kernel.
  KernelConfig heuristic;
  int n_configs = 0;
  std::array<KernelConfig, kMaxConfigs> configs{};  // the candidates the time model takes the fastest of
  std::array<double, kGeoVars> geo{};
  std::array<double, kCorrectorVars> corr{};
  double reduction = 0;          // GEMM reduction length per group (C/g·R·S; FC: in)
  double measured_launches = 0;  // launches per call the run recorded (0: unknown)
};

// Which tiles the library has, as learned at fit time (TimeModel keeps them).
struct TileSet {
  // GPU: the smallest CTA tile, in output elements (m·n); 0: every tile of the list.
  double min_tile_area = 0;
  // CPU: rows of the GEMM micro-kernel (register block). Blocks are that many rows times 8, 4, 2, 1 and a block
  // shrinks to the matrix's rows rounded up to it, as BLAS and oneDNN shrink theirs; 0: blocks of 64, 32, 16 and
  // 8 rows that keep their size (models written before it).
  double cpu_micro_rows = 0;
};

// `units`: the parallel units to schedule on (hardware.units, or a fitted candidate when the context lacks it).
// `launches`: measured kernel launches per call (0 = unknown: one, plus one for a split-K reduction).
KernelFeatures kernel_features(const layers::Layer& layer, double macs, double bytes, const Hardware& hw,
                               double units, double launches = 0, const TileSet& tiles = {});

}  // namespace layer_energy::analysis
