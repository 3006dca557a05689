#include "benchmarks/backends/cuda/cuda_lt_matmul.hpp"

#include <cstdint>

#include "benchmarks/backends/cuda/cuda_check.hpp"

namespace layer_energy::bench::cuda {

#if LAYER_ENERGY_CUBLAS_COMPUTE_TYPES

namespace {

int config_value(const cublasLtMatmulAlgo_t& algo, cublasLtMatmulAlgoConfigAttributes_t attribute) {
  int32_t value = -1;
  std::size_t written = 0;
  if (cublasLtMatmulAlgoConfigGetAttribute(&algo, attribute, &value, sizeof value, &written) !=
          CUBLAS_STATUS_SUCCESS ||
      written != sizeof value)
    return -1;
  return value;
}

}  // namespace

LtMatmul::LtMatmul(const Context& context, int m, int n, int k, layers::Precision precision,
                   std::size_t workspace_bytes, int wanted)
    : context_(context) {
  const cudaDataType_t element = precision == layers::Precision::fp16 ? CUDA_R_16F : CUDA_R_32F;
  const cublasComputeType_t compute =
      precision == layers::Precision::tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
  cublasLtMatmulPreference_t preference = nullptr;
  try {
    LAYER_ENERGY_CUDA_CHECK(cublasLtMatmulDescCreate(&op_, compute, CUDA_R_32F));
    LAYER_ENERGY_CUDA_CHECK(cublasLtMatrixLayoutCreate(&a_, element, static_cast<uint64_t>(m),
                                                       static_cast<uint64_t>(k), m));
    LAYER_ENERGY_CUDA_CHECK(cublasLtMatrixLayoutCreate(&b_, element, static_cast<uint64_t>(k),
                                                       static_cast<uint64_t>(n), k));
    LAYER_ENERGY_CUDA_CHECK(cublasLtMatrixLayoutCreate(&d_, element, static_cast<uint64_t>(m),
                                                       static_cast<uint64_t>(n), m));
    LAYER_ENERGY_CUDA_CHECK(cublasLtMatmulPreferenceCreate(&preference));
    LAYER_ENERGY_CUDA_CHECK(cublasLtMatmulPreferenceSetAttribute(
        preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace_bytes, sizeof workspace_bytes));
    heuristics_.resize(static_cast<std::size_t>(wanted > 0 ? wanted : 1));
    int returned = 0;
    const cublasStatus_t found =
        cublasLtMatmulAlgoGetHeuristic(context_.cublaslt, op_, a_, b_, d_, d_, preference, wanted,
                                       heuristics_.data(), &returned);
    // NOT_SUPPORTED: no algorithm for this problem, which leaves cuBLAS alone, not an error.
    if (found != CUBLAS_STATUS_NOT_SUPPORTED) LAYER_ENERGY_CUDA_CHECK(found);
    heuristics_.resize(found == CUBLAS_STATUS_SUCCESS ? static_cast<std::size_t>(returned) : 0);
    for (std::size_t i = heuristics_.size(); i-- > 0;)  // keep only usable ones
      if (heuristics_[i].state != CUBLAS_STATUS_SUCCESS || heuristics_[i].workspaceSize > workspace_bytes)
        heuristics_.erase(heuristics_.begin() + static_cast<std::ptrdiff_t>(i));
    cublasLtMatmulPreferenceDestroy(preference);
  } catch (...) {
    if (preference != nullptr) cublasLtMatmulPreferenceDestroy(preference);
    release();
    throw;
  }
}

LtMatmul::~LtMatmul() {
  release();
}

void LtMatmul::release() noexcept {
  if (d_ != nullptr) cublasLtMatrixLayoutDestroy(d_);
  if (b_ != nullptr) cublasLtMatrixLayoutDestroy(b_);
  if (a_ != nullptr) cublasLtMatrixLayoutDestroy(a_);
  if (op_ != nullptr) cublasLtMatmulDescDestroy(op_);
  d_ = b_ = a_ = nullptr;
  op_ = nullptr;
}

void LtMatmul::run(int index, const void* a, const void* b, void* d) const {
  const cublasLtMatmulHeuristicResult_t& h = heuristics_.at(static_cast<std::size_t>(index));
  const float alpha = 1.0f, beta = 0.0f;
  LAYER_ENERGY_CUDA_CHECK(cublasLtMatmul(context_.cublaslt, op_, &alpha, a, a_, b, b_, &beta, d, d_, d, d_, &h.algo,
                                         context_.cublas_workspace, h.workspaceSize, context_.stream));
}

std::string LtMatmul::describe(int index) const {
  const cublasLtMatmulAlgo_t& algo = heuristics_.at(static_cast<std::size_t>(index)).algo;
  return "cublasLt algo " + std::to_string(config_value(algo, CUBLASLT_ALGO_CONFIG_ID)) + ", tile " +
         std::to_string(config_value(algo, CUBLASLT_ALGO_CONFIG_TILE_ID)) + ", split-K " +
         std::to_string(config_value(algo, CUBLASLT_ALGO_CONFIG_SPLITK_NUM)) + " (heuristic " +
         std::to_string(index + 1) + " of " + std::to_string(candidates()) + ")";
}

#endif

}  // namespace layer_energy::bench::cuda
