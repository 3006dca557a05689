// The CPU backend's batch-norm inference, fp32 NCHW (internal; see benchmarks/backends/cpu/cpu_backend.hpp).
#pragma once

#include <cstdint>
#include <memory>

#include "benchmarks/backends/cpu/cpu_layer.hpp"
#include "benchmarks/backends/cpu/cpu_thread_pool.hpp"
#include "layers/layer.hpp"

namespace layer_energy::bench::cpu {

// Batch-norm epsilon (ONNX BatchNormalization's and PyTorch's default).
constexpr float kBatchNormEpsilon = 1e-5f;

// y = scale[c] * (x - mean[c]) / sqrt(var[c] + eps) + bias[c], eps = kBatchNormEpsilon, on an N x C x H x W input
// (stream 0, uniform in (-1, 1)). weights() is the four per-channel vectors concatenated, 4 x C: scale, bias, mean,
// var (stream 1); scale, bias and mean uniform in (-1, 1), var in (0.5, 1.5) (0.5 + |u|). Each iteration reads the
// four vectors: per plane it folds them into y = a x + b, a = scale / sqrt(var + eps), b = bias - mean a, as an
// inference engine's kernel does. Expects a shape that layers::validate accepted; checks memory (UnsupportedLayer
// above half of what the process may use), allocates every buffer (std::bad_alloc). Label "loops bn, T threads".
std::unique_ptr<CpuLayer> prepare_batchnorm(const layers::TensorOpShape& shape, uint64_t seed,
                                            std::shared_ptr<ThreadPool> pool);

}  // namespace layer_energy::bench::cpu
