// A multi-core CPU executing conv and FC layers: a register-tiled GEMM micro-kernel with cache blocking and
// packing, work split in tiles over a thread pool (ceil imbalance, fork/join), a direct depthwise kernel, a
// streaming GEMV, bandwidth per cache level, RAPL-like package and dram power.
#pragma once

#include "analysis/simulator/device_specs.hpp"
#include "analysis/simulator/sim_result.hpp"
#include "layers/layer.hpp"

namespace layer_energy::sim {

// The fastest kernel/blocking/thread count the simulated library finds for the layer.
SimResult simulate(const CpuSpec& spec, const layers::Layer& layer);

// The same with the thread count fixed (1..spec.threads): for tests of the thread split.
SimResult simulate_with_threads(const CpuSpec& spec, const layers::Layer& layer, int threads);

// The reduction depth the micro-kernel's packed panels fit L1 with.
int cpu_kc(const CpuSpec& spec);

}  // namespace layer_energy::sim
