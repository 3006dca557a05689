#include "analysis/simulator/device_specs.hpp"

#include <stdexcept>

namespace layer_energy::sim {
namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// A small Jetson (AGX Orin-like GPU in a mid power mode): 16 SMs, LPDDR5, a 4 MB L2, single-digit static power.
GpuSpec jetson_orin() {
  GpuSpec s;
  s.preset = "jetson_orin";
  s.board = "simulated Jetson Orin";
  s.sm_count = 16;
  s.clock_MHz = 1300;
  s.max_threads_per_sm = 1536;
  s.l2_MiB = 4;
  s.l2_bandwidth_GBs = 1400;
  s.sm_bandwidth_GBs = 80;
  s.dram_bandwidth_GBs = 204;
  s.dram_efficiency = 0.8;
  s.launch_s = 4e-6;  // slower host cores
  s.kernel_fill_s = 1.2e-6;
  s.stage_latency_s = 0.4e-6;
  s.idle_W = 4;
  s.static_W = 5;
  s.power_cap_W = 25;
  s.mac_J = 8e-12;
  s.l2_byte_J = 3e-12;
  s.dram_byte_J = 4.5e-11;  // LPDDR5 off package
  s.launch_J = 2e-6;
  return s;
}

// Two cores with AVX2, as a small laptop or CI runner.
CpuSpec laptop2() {
  CpuSpec s;
  s.preset = "laptop2";
  s.board = "simulated 2-core AVX2 CPU";
  s.threads = 2;
  s.simd_fp32_lanes = 8;
  s.clock_GHz = 2.4;
  s.l1_KiB = 32;
  s.l2_KiB = 256;
  s.l3_MiB = 4;
  s.l2_core_GBs = 70;
  s.l3_core_GBs = 30;
  s.l3_GBs = 60;
  s.dram_core_GBs = 12;
  s.dram_GBs = 20;
  s.fork_join_s = 5e-6;
  s.package_idle_W = 3;
  s.uncore_busy_W = 2;
  s.core_busy_W = 2.5;
  s.dram_idle_W = 0.8;
  s.mac_J = 6e-11;
  return s;
}

}  // namespace

std::vector<std::string> gpu_preset_names() {
  return {"h200", "jetson_orin"};
}
std::vector<std::string> cpu_preset_names() {
  return {"xeon16", "laptop2"};
}

GpuSpec gpu_preset(const std::string& name) {
  if (name == "h200") return GpuSpec{};
  if (name == "jetson_orin") return jetson_orin();
  throw std::invalid_argument("unknown GPU preset '" + name + "' (known: " + joined(gpu_preset_names()) + ")");
}

CpuSpec cpu_preset(const std::string& name) {
  if (name == "xeon16") return CpuSpec{};
  if (name == "laptop2") return laptop2();
  throw std::invalid_argument("unknown CPU preset '" + name + "' (known: " + joined(cpu_preset_names()) + ")");
}

Device gpu_device(const GpuSpec& spec) {
  Device d;
  d.kind = Device::Kind::gpu;
  d.gpu = spec;
  return d;
}

Device cpu_device(const CpuSpec& spec) {
  Device d;
  d.kind = Device::Kind::cpu;
  d.cpu = spec;
  return d;
}

}  // namespace layer_energy::sim
