// What one simulated layer call costs, and what ran.
#pragma once

#include <cstdint>
#include <string>

namespace layer_energy::sim {

struct SimResult {
  double time_s = 0;    // per call
  double energy_J = 0;  // per call, all rails
  double static_W = 0;  // static power while the call runs (GPU: static_W; CPU: package + dram, by threads used)
  int kernels = 0;      // launches per call (GPU) or parallel regions (CPU)
  int64_t blocks = 0;   // GPU: blocks of the main kernel
  int threads_per_block = 0;
  int64_t waves = 0;    // GPU: waves of the main kernel
  int threads_used = 0; // CPU
  int64_t tiles = 0;    // CPU: parallel work items; GPU: tiles of the main kernel
  double executed_macs = 0;  // MACs the hardware performed: tile and vector padding included
  double l2_bytes = 0, l3_bytes = 0, dram_bytes = 0;
  double clock_MHz = 0;      // the clock it ran at (lower when power-capped or throttled)
  bool power_capped = false;
  bool throttled = false;
  double dram_rail_J = 0;    // CPU: the dram rail's part of energy_J
  std::string label;         // the kernel chosen, e.g. "sim gemm 128x64 splitk 4"
};

}  // namespace layer_energy::sim
