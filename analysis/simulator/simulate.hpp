// One entry point over both devices.
#pragma once

#include "analysis/simulator/cpu_sim.hpp"
#include "analysis/simulator/device_specs.hpp"
#include "analysis/simulator/gpu_sim.hpp"
#include "analysis/simulator/sim_result.hpp"

namespace layer_energy::sim {

// `clock_scale` < 1 throttles a GPU; the CPU model ignores it.
SimResult simulate(const Device& device, const layers::Layer& layer, double clock_scale = 1);

// The power the device draws at rest (what layer_bench's idle measurement would report).
double idle_power_W(const Device& device);

}  // namespace layer_energy::sim
