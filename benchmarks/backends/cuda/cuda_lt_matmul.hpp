// The FC layer's cublasLt candidates (internal; see benchmarks/backends/cuda/cuda_fc.hpp): the matmul described once
// for a shape and precision, and the algorithms cublasLt's heuristic proposes for it, as PyTorch's Linear asks for
// them. Which one runs is decided by measurement in cuda_fc.cpp, against plain cuBLAS.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "benchmarks/backends/cuda/cuda_context.hpp"
#include "layers/layer.hpp"

namespace layer_energy::bench::cuda {

#if LAYER_ENERGY_CUBLAS_COMPUTE_TYPES

// D (m x n, ld m) = A (m x k, ld m) * B (k x n, ld k), column-major, no transposes: the same product as the cuBLAS
// call. fp32: CUBLAS_COMPUTE_32F (never TF32); tf32: CUBLAS_COMPUTE_32F_FAST_TF32; fp16: fp16 tensors,
// CUBLAS_COMPUTE_32F. Scale type fp32 throughout (alpha and beta are floats).
class LtMatmul {
 public:
  // Asks the heuristic for up to `wanted` algorithms within `workspace_bytes`. Throws on a library error; no
  // candidate (an empty list) is not an error.
  LtMatmul(const Context& context, int m, int n, int k, layers::Precision precision, std::size_t workspace_bytes,
           int wanted);
  ~LtMatmul();
  LtMatmul(const LtMatmul&) = delete;
  LtMatmul& operator=(const LtMatmul&) = delete;

  int candidates() const { return static_cast<int>(heuristics_.size()); }
  // Enqueues candidate `index` on the context's stream.
  void run(int index, const void* a, const void* b, void* d) const;
  // "cublasLt algo 21, tile 15, split-K 1 (heuristic 2 of 8)".
  std::string describe(int index) const;

 private:
  const Context& context_;
  cublasLtMatmulDesc_t op_ = nullptr;
  cublasLtMatrixLayout_t a_ = nullptr, b_ = nullptr, d_ = nullptr;
  std::vector<cublasLtMatmulHeuristicResult_t> heuristics_;
  void release() noexcept;
};

#endif

}  // namespace layer_energy::bench::cuda
