// The CPU backend's FC (internal; see benchmarks/backends/cpu/cpu_backend.hpp).
#pragma once

#include <cstdint>
#include <memory>

#include "benchmarks/backends/backend.hpp"
#include "benchmarks/backends/cpu/cpu_layer.hpp"
#include "benchmarks/backends/cpu/cpu_thread_pool.hpp"
#include "layers/layer.hpp"

namespace layer_energy::bench::cpu {

// Expects a shape that layers::validate accepted. Checks memory (UnsupportedLayer above half of physical memory),
// allocates every buffer (std::bad_alloc) and fills input (stream 0) and weights (stream 1) from `seed`.
std::unique_ptr<CpuLayer> prepare_fc(const layers::FcShape& shape, uint64_t seed,
                                    std::shared_ptr<ThreadPool> pool);

}  // namespace layer_energy::bench::cpu
