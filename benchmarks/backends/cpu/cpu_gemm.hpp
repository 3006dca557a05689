// The CPU backend's GEMM: Eigen's, single-threaded, on strided row-major blocks (internal; see
// benchmarks/backends/cpu/cpu_backend.hpp).
#pragma once

#include <cstdint>

namespace layer_energy::bench::cpu {

// C (m x n) = A (m x k) * B (k x n), all row-major with leading dimensions lda, ldb, ldc (elements between rows),
// on the calling thread only (Eigen's GEMM with its own threading disabled: the pool splits the work).
void gemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
          int64_t ldc);

}  // namespace layer_energy::bench::cpu
