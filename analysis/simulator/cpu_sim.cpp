#include "analysis/simulator/cpu_sim.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "analysis/simulator/gpu_sim.hpp"
#include "analysis/simulator/sim_math.hpp"

namespace layer_energy::sim {
namespace {

constexpr double kFloat = 4;

double core_mac_rate(const CpuSpec& s) {
  return static_cast<double>(s.simd_fp32_lanes) * s.fma_per_cycle * s.clock_GHz * 1e9;
}

int micro_cols(const CpuSpec& s) {
  return 2 * s.simd_fp32_lanes;
}

// Bytes a call moves, by the level they come from: the working set spills from the threads' L2s to L3 to DRAM.
struct LevelBytes {
  double l2 = 0, l3 = 0, dram = 0;
};

// `first_touch`: bytes read once per call (a network pass has evicted them since the last call); false for re-reads
// within the call (a GEMM's packed panels), which hit the cache as in a loop.
LevelBytes split_by_level(const CpuSpec& s, double bytes, double working_set, int threads, bool first_touch = true) {
  const double touched = first_touch ? std::max(working_set, s.pass_bytes) : working_set;
  const double beyond_l2 = miss_fraction(touched, threads * s.l2_KiB * 1024);
  const double beyond_l3 = std::min(beyond_l2, miss_fraction(touched, s.l3_MiB * 1024 * 1024));
  return {bytes * (1 - beyond_l2), bytes * (beyond_l2 - beyond_l3), bytes * beyond_l3};
}

// Time for one core to pull its bytes when `threads` cores pull at once (shared L3 and DRAM bandwidth).
double core_memory_s(const CpuSpec& s, const LevelBytes& b, int threads) {
  const double l3 = std::min(s.l3_core_GBs, s.l3_GBs / threads) * 1e9;
  const double dram = std::min(s.dram_core_GBs, s.dram_GBs / threads) * 1e9;
  return b.l2 / (s.l2_core_GBs * 1e9) + b.l3 / l3 + b.dram / dram;
}

double overhead_s(const CpuSpec& s, int threads) {
  return s.call_s + (threads > 1 ? s.fork_join_s : 0);
}

struct CpuCost {
  double time_s = std::numeric_limits<double>::infinity();
  double executed_macs = 0;
  LevelBytes moved;
  int threads = 1;
  int64_t tiles = 0;
  std::string label;
};

// GEMM: macro-tiles of mc rows x nc columns spread over the threads; inside, a register-tiled micro-kernel over
// kc-deep packed panels. Packing gathers the A panel (im2col for a conv) and the B panel (weights).
CpuCost gemm_cost(const CpuSpec& s, const GemmShape& g, int64_t mc, int64_t nc_max, int threads,
                  double compulsory) {
  const int mr = s.micro_rows;
  const int nr = micro_cols(s);
  const int64_t nc = std::min<int64_t>(round_up(g.n, nr), round_up(nc_max, nr));
  const int64_t mc_used = std::min(mc, round_up(g.m, mr));
  const int64_t tiles = g.groups * ceil_div(g.m, mc_used) * ceil_div(g.n, nc);
  const int th = static_cast<int>(std::min<int64_t>(threads, tiles));
  const int64_t tiles_per_thread = ceil_div(tiles, th);
  const int64_t kc = std::min<int64_t>(g.k, cpu_kc(s));
  const double eff = s.kernel_efficiency * kc / (kc + 16.0);  // loading and storing the C tile per panel
  const double tile_macs = static_cast<double>(round_up(mc_used, mr)) * round_up(std::min(g.n, nc), nr) * g.k;
  const double compute_s = tile_macs / (core_mac_rate(s) * eff);
  const double pack_bytes = (static_cast<double>(mc_used) + std::min(g.n, nc)) * g.k * kFloat;
  const LevelBytes tile_moved = split_by_level(s, pack_bytes, compulsory, th, false);
  const double tile_s = compute_s + 1.3 * core_memory_s(s, tile_moved, th);  // gathers are not streaming
  CpuCost c;
  c.threads = th;
  c.tiles = tiles;
  c.executed_macs = tile_macs * tiles;
  c.moved = {tile_moved.l2 * tiles, tile_moved.l3 * tiles, tile_moved.dram * tiles};
  // The compulsory traffic from DRAM bounds the whole call, whatever the threads do.
  const double compulsory_miss = miss_fraction(std::max(compulsory, s.pass_bytes), s.l3_MiB * 1024 * 1024);
  const double dram_s = compulsory * compulsory_miss / (s.dram_GBs * 1e9);
  c.moved.dram = std::max(c.moved.dram, compulsory * compulsory_miss);
  c.time_s = soft_max(tiles_per_thread * tile_s, dram_s) + overhead_s(s, th);
  c.label = "sim cpu gemm " + std::to_string(mr) + "x" + std::to_string(nr) + " mc " + std::to_string(mc_used) +
            " nc " + std::to_string(nc) + " threads " + std::to_string(th);
  return c;
}

// Depthwise/grouped: one output plane per work item, vectorised along W, bound by loads and stores.
CpuCost direct_cost(const CpuSpec& s, const layers::ConvShape& cv, int threads) {
  const int64_t p = layers::output_height(cv);
  const int64_t q = layers::output_width(cv);
  const int64_t cg = cv.C / cv.groups;
  const int64_t planes = cv.N * cv.K;
  const int th = static_cast<int>(std::min<int64_t>(threads, planes));
  const double plane_macs = static_cast<double>(p) * round_up(q, s.simd_fp32_lanes) * cg * cv.R * cv.S;
  const double plane_bytes = (static_cast<double>(cg) * cv.H * cv.W + p * q + cg * cv.R * cv.S) * kFloat;
  layers::Layer layer;
  layer.conv = cv;
  const double working_set = layers::bytes(layer, layers::Precision::fp32);
  const LevelBytes plane_moved = split_by_level(s, plane_bytes, working_set, th);
  const double plane_s =
      soft_max(plane_macs / (core_mac_rate(s) * s.direct_efficiency), core_memory_s(s, plane_moved, th));
  CpuCost c;
  c.threads = th;
  c.tiles = planes;
  c.executed_macs = plane_macs * planes;
  c.moved = {plane_moved.l2 * planes, plane_moved.l3 * planes, plane_moved.dram * planes};
  c.time_s = ceil_div(planes, th) * plane_s + overhead_s(s, th);
  c.label = std::string(cv.groups == cv.C && cv.groups == cv.K ? "sim cpu depthwise direct" : "sim cpu grouped direct") +
            " threads " + std::to_string(th);
  return c;
}

// GEMV (FC, N <= 8): output rows split over the threads, each streaming its rows of the weights.
CpuCost gemv_cost(const CpuSpec& s, const layers::FcShape& f, int threads) {
  constexpr int64_t kRowsPerTile = 16;
  const int64_t tiles = ceil_div(f.out, kRowsPerTile);
  const int th = static_cast<int>(std::min<int64_t>(threads, tiles));
  const int64_t rows = ceil_div(tiles, th) * kRowsPerTile;
  const double working_set = (static_cast<double>(f.in) * f.out + f.N * (f.in + f.out)) * kFloat;
  const double thread_bytes = (static_cast<double>(rows) * f.in + f.N * f.in) * kFloat;
  const LevelBytes thread_moved = split_by_level(s, thread_bytes, working_set, th);
  const double thread_macs = static_cast<double>(f.N) * rows * round_up(f.in, s.simd_fp32_lanes);
  const double thread_s = soft_max(thread_macs / (core_mac_rate(s) * 0.7), core_memory_s(s, thread_moved, th));
  CpuCost c;
  c.threads = th;
  c.tiles = tiles;
  c.executed_macs = static_cast<double>(f.N) * f.out * round_up(f.in, s.simd_fp32_lanes);
  c.moved = split_by_level(s, working_set, working_set, th);
  c.time_s = thread_s + overhead_s(s, th);
  c.label = "sim cpu gemv threads " + std::to_string(th);
  return c;
}

std::vector<int> thread_counts(const CpuSpec& s) {
  std::vector<int> out;
  for (int t = 1; t < s.threads; t *= 2) out.push_back(t);
  out.push_back(s.threads);
  return out;
}

CpuCost fastest(const CpuSpec& s, const layers::Layer& layer, const std::vector<int>& threads) {
  CpuCost best;
  const auto consider = [&best](const CpuCost& c) {
    if (c.time_s < best.time_s) best = c;
  };
  const double compulsory = layers::bytes(layer, layers::Precision::fp32);
  const GemmShape g = gemm_shape(layer);
  const bool direct = layer.type == layers::LayerType::conv && layer.conv.groups > 1;
  const bool gemv = layer.type == layers::LayerType::fc && layer.fc.N <= 8;
  const bool gemm = !gemv && (!direct || (g.k >= 8 * layer.conv.R * layer.conv.S && g.n >= 8));
  const int mr = s.micro_rows;
  for (int t : threads) {
    if (direct) consider(direct_cost(s, layer.conv, t));
    if (gemv) consider(gemv_cost(s, layer.fc, t));
    if (gemm) {
      for (int64_t mc : {4 * mr, 8 * mr, 16 * mr, 24 * mr}) {
        for (int64_t nc : {64, 128, 256, 512}) consider(gemm_cost(s, g, mc, nc, t, compulsory));
      }
    }
  }
  return best;
}

SimResult to_result(const CpuSpec& s, const CpuCost& c) {
  SimResult r;
  r.time_s = c.time_s;
  r.threads_used = c.threads;
  r.tiles = c.tiles;
  r.kernels = 1;
  r.executed_macs = c.executed_macs;
  r.l2_bytes = c.moved.l2;
  r.l3_bytes = c.moved.l3;
  r.dram_bytes = c.moved.dram;
  r.clock_MHz = s.clock_GHz * 1000;
  // RAPL: the package pays its idle floor, the uncore and each busy core for the whole call; the dram rail its
  // own floor plus the bytes it moves.
  const double package_static = s.package_idle_W + s.uncore_busy_W + s.core_busy_W * c.threads;
  r.static_W = package_static + s.dram_idle_W;
  r.dram_rail_J = s.dram_idle_W * c.time_s + s.dram_byte_J * c.moved.dram;
  const double package_J = package_static * c.time_s + s.mac_J * c.executed_macs + s.l2_byte_J * c.moved.l2 +
                           s.l3_byte_J * (c.moved.l3 + c.moved.dram);
  r.energy_J = package_J + r.dram_rail_J;
  r.label = c.label;
  return r;
}

}  // namespace

int cpu_kc(const CpuSpec& s) {
  const double panel_bytes = (s.micro_rows + micro_cols(s)) * kFloat;
  const int kc = static_cast<int>(s.l1_KiB * 1024 * 0.5 / panel_bytes) / 8 * 8;
  return std::max(32, kc);
}

SimResult simulate(const CpuSpec& spec, const layers::Layer& layer) {
  return to_result(spec, fastest(spec, layer, thread_counts(spec)));
}

SimResult simulate_with_threads(const CpuSpec& spec, const layers::Layer& layer, int threads) {
  return to_result(spec, fastest(spec, layer, {std::max(1, std::min(threads, spec.threads))}));
}

}  // namespace layer_energy::sim
