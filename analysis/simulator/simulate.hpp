// One entry point over both devices.
#pragma once

#include "analysis/simulator/cpu_sim.hpp"
#include "analysis/simulator/device_specs.hpp"
#include "analysis/simulator/gpu_sim.hpp"
#include "analysis/simulator/sim_result.hpp"

namespace layer_energy::sim {

// `clock_scale` < 1 throttles a GPU; the CPU model ignores it. `pass_bytes`: the layer inside a network pass that
// touches that many bytes between two of its calls (0: alone, in a benchmark loop).
SimResult simulate(const Device& device, const layers::Layer& layer, double clock_scale = 1, double pass_bytes = 0);

// The power the device draws at rest (what layer_bench's idle measurement would report).
double idle_power_W(const Device& device);

}  // namespace layer_energy::sim
