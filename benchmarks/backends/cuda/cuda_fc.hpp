// The CUDA backend's FC (internal; see benchmarks/backends/cuda/cuda_backend.hpp): Y (N x out) = X (N x in) *
// W (in x out), all row-major. cuBLAS: fp32 cublasSgemm under CUBLAS_DEFAULT_MATH (no TF32); tf32 cublasGemmEx with
// CUBLAS_COMPUTE_32F_FAST_TF32 (CUDA 11+); fp16 cublasGemmEx on fp16 tensors with CUBLAS_COMPUTE_32F. From CUDA 11 on,
// the algorithms cublasLt's heuristic proposes for the same product and precision (cuda_lt_matmul.hpp) are timed
// against it and the fastest runs; the label names which.
#pragma once

#include <cstdint>
#include <memory>

#include "benchmarks/backends/backend.hpp"
#include "benchmarks/backends/cuda/cuda_context.hpp"
#include "layers/layer.hpp"

namespace layer_energy::bench::cuda {

// Expects a shape that layers::validate accepted and the context's device current. Throws UnsupportedLayer (a
// dimension beyond cuBLAS's 32-bit int, tf32 before CUDA 11) or DeviceOutOfMemory (a std::bad_alloc).
std::unique_ptr<PreparedLayer> prepare_fc(std::shared_ptr<const Context> context, const layers::FcShape& shape,
                                          layers::Precision precision, uint64_t seed);

}  // namespace layer_energy::bench::cuda
