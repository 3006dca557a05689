// The CPU backend's pooling: max, average and global average, fp32 NCHW (internal; see
// benchmarks/backends/cpu/cpu_backend.hpp).
#pragma once

#include <cstdint>
#include <memory>

#include "benchmarks/backends/cpu/cpu_layer.hpp"
#include "benchmarks/backends/cpu/cpu_thread_pool.hpp"
#include "layers/layer.hpp"

namespace layer_energy::bench::cpu {

// Input N x C x H x W, output N x C x P x Q (global: N x C x 1 x 1); no weights (weights() is empty).
// max: the largest in-bounds element of each R x R window (padding never wins).
// avg: the sum of the in-bounds elements divided by their count: padding is left out of the divisor, as ONNX
// AveragePool's default count_include_pad=0 (and cuDNN's CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING), not PyTorch
// AvgPool2d's default count_include_pad=True.
// global: the mean over H x W, summed in double.
// Expects a shape that layers::validate accepted (pad < R, so no window lies wholly in the padding). Checks memory
// (UnsupportedLayer above half of what the process may use), allocates every buffer (std::bad_alloc) and fills the
// input (stream 0) from `seed`. Label "loops pool max|avg|global avg, T threads".
std::unique_ptr<CpuLayer> prepare_pool(const layers::TensorOpShape& shape, uint64_t seed,
                                       std::shared_ptr<ThreadPool> pool);

}  // namespace layer_energy::bench::cpu
