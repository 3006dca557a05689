// The CPU backend's element-wise layers: add of two tensors and the activations, fp32 NCHW (internal; see
// benchmarks/backends/cpu/cpu_backend.hpp).
#pragma once

#include <cstdint>
#include <memory>

#include "benchmarks/backends/cpu/cpu_layer.hpp"
#include "benchmarks/backends/cpu/cpu_thread_pool.hpp"
#include "layers/layer.hpp"

namespace layer_energy::bench::cpu {

// Both expect a shape that layers::validate accepted, check memory (UnsupportedLayer above half of what the process
// may use), allocate every buffer (std::bad_alloc) and fill from `seed`. Every tensor is N x C x H x W.

// out = a + b. input() is a (stream 0), weights() is b (stream 1), both uniform in (-1, 1). Label "loops add, T
// threads".
std::unique_ptr<CpuLayer> prepare_add(const layers::TensorOpShape& shape, uint64_t seed,
                                      std::shared_ptr<ThreadPool> pool);

// out = op(in): relu max(x, 0); relu6 min(max(x, 0), 6); sigmoid 1 / (1 + e^-x); silu x * sigmoid(x); hardswish
// x * relu6(x + 3) / 6. No weights (weights() is empty). The input is uniform in (-8, 8): the usual (-1, 1) fill
// (stream 0) times 8, exact, so that every piece of relu6 and hardswish (bends at -3, 0, 3, 6) is exercised. Label
// "loops act <op>, T threads".
std::unique_ptr<CpuLayer> prepare_act(const layers::TensorOpShape& shape, uint64_t seed,
                                      std::shared_ptr<ThreadPool> pool);

}  // namespace layer_energy::bench::cpu
