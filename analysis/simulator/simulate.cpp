#include "analysis/simulator/simulate.hpp"

namespace layer_energy::sim {

SimResult simulate(const Device& device, const layers::Layer& layer, double clock_scale) {
  if (device.kind == Device::Kind::gpu) return simulate(device.gpu, layer, clock_scale);
  return simulate(device.cpu, layer);
}

double idle_power_W(const Device& device) {
  if (device.kind == Device::Kind::gpu) return device.gpu.idle_W;
  return device.cpu.package_idle_W + device.cpu.dram_idle_W;
}

}  // namespace layer_energy::sim
