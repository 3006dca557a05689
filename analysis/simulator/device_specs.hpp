// The simulated hardware: the parameters of a GPU and of a CPU, and the named presets.
#pragma once

#include <string>
#include <vector>

namespace layer_energy::sim {

struct GpuSpec {
  std::string preset = "h200";
  std::string board = "simulated H200";
  int sm_count = 132;
  double clock_MHz = 1980;
  double macs_per_sm_per_clock = 128;  // fp32 FMA lanes per SM
  int max_threads_per_sm = 2048;
  double l2_MiB = 50;
  double l2_bandwidth_GBs = 9000;      // aggregate L2 -> SM
  double sm_bandwidth_GBs = 110;       // the most one SM can pull from L2 or DRAM
  double dram_bandwidth_GBs = 4800;    // the data-sheet number (what the context reports)
  double dram_efficiency = 0.88;       // the fraction of it a streaming kernel reaches
  double launch_s = 2.5e-6;            // gap per kernel launched back to back on one stream
  double kernel_fill_s = 0.8e-6;       // prologue/epilogue of a kernel: first loads, last stores
  double stage_latency_s = 0.28e-6;    // one pipelined k-step of a GEMM tile when latency-bound
  double direct_efficiency = 0.22;     // FMA efficiency of the direct (depthwise) kernel: load-bound
  double gemv_efficiency = 0.5;        // FMA efficiency of the GEMV kernel (shuffle reductions)
  // Power.
  double idle_W = 125;           // settled-but-warm idle (what layer_bench measures before the cases)
  double static_W = 150;         // drawn while a kernel is resident, whatever it does
  double power_cap_W = 700;      // board power limit: above it the clock drops
  double mac_J = 3.0e-11;        // per executed fp32 MAC (register file and shared memory included)
  double l2_byte_J = 6e-12;      // per byte moved L2 -> SM
  double dram_byte_J = 3.2e-11;  // per byte moved DRAM <-> L2
  double launch_J = 2e-5;        // per kernel: front end, scheduling, sync
  // Not hardware: the bytes the rest of a network pass touches between two calls of the layer simulated (0: a
  // benchmark loop calling it alone). The cache then keeps none of the layer's data from its last call.
  double pass_bytes = 0;
};

struct CpuSpec {
  std::string preset = "xeon16";
  std::string board = "simulated 16-core AVX-512 CPU";
  int threads = 16;
  int simd_fp32_lanes = 16;
  int fma_per_cycle = 2;
  double clock_GHz = 2.8;
  int micro_rows = 6;                 // register tile: rows x (2 vectors)
  double l1_KiB = 48, l2_KiB = 2048, l3_MiB = 32;
  double l2_core_GBs = 120;           // per core, L2 -> registers
  double l3_core_GBs = 40, l3_GBs = 450;
  double dram_core_GBs = 14, dram_GBs = 95;
  double kernel_efficiency = 0.9;     // the micro-kernel's FMA efficiency at long reductions
  double direct_efficiency = 0.3;     // depthwise/direct kernel FMA efficiency
  double fork_join_s = 7e-6;          // thread pool wake-up and barrier
  double call_s = 1.5e-6;             // per call: dispatch, descriptor checks
  // RAPL-like power: package (cores, uncore) and dram.
  double package_idle_W = 30, uncore_busy_W = 8, core_busy_W = 1.6;
  double dram_idle_W = 3;
  double mac_J = 4.5e-11;
  double l2_byte_J = 4e-12, l3_byte_J = 1.5e-11, dram_byte_J = 1.2e-10;  // dram bytes: the dram rail
  double pass_bytes = 0;  // as GpuSpec::pass_bytes
};

GpuSpec gpu_preset(const std::string& name);  // "h200", "jetson_orin"; throws std::invalid_argument
CpuSpec cpu_preset(const std::string& name);  // "xeon16", "laptop2"; throws std::invalid_argument
std::vector<std::string> gpu_preset_names();
std::vector<std::string> cpu_preset_names();

// Which of the two a simulation runs on.
struct Device {
  enum class Kind { gpu, cpu } kind = Kind::gpu;
  GpuSpec gpu;
  CpuSpec cpu;
};
Device gpu_device(const GpuSpec& spec);
Device cpu_device(const CpuSpec& spec);

}  // namespace layer_energy::sim
