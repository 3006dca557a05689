#include "analysis/simulator/simulate.hpp"

namespace layer_energy::sim {

SimResult simulate(const Device& device, const layers::Layer& layer, double clock_scale, double pass_bytes) {
  if (device.kind == Device::Kind::gpu) {
    GpuSpec in_pass = device.gpu;
    in_pass.pass_bytes = pass_bytes;
    return simulate(in_pass, layer, clock_scale);
  }
  CpuSpec in_pass = device.cpu;
  in_pass.pass_bytes = pass_bytes;
  return simulate(in_pass, layer);
}

double idle_power_W(const Device& device) {
  if (device.kind == Device::Kind::gpu) return device.gpu.idle_W;
  return device.cpu.package_idle_W + device.cpu.dram_idle_W;
}

}  // namespace layer_energy::sim
