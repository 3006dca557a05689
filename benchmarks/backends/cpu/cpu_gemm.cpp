// Eigen's GEMM must stay on the calling thread: the pool already runs one GEMM per thread.
#define EIGEN_DONT_PARALLELIZE
// Eigen's GEMM packs its operands into buffers it allocates on every call: on the stack up to this many bytes, else
// with malloc, which for these sizes means mmap, page faults and zeroing on every tile (measured: ~15% of a 3x3
// conv). 512 KiB covers the blocks of typical tiles; two such blocks still fit the smallest stack a glibc thread
// gets (2 MiB, when the stack rlimit is unlimited; 8 MiB usually). Larger blocks fall back to malloc.
#define EIGEN_STACK_ALLOCATION_LIMIT (512 * 1024)
#include "benchmarks/backends/cpu/cpu_gemm.hpp"

#include <Eigen/Core>

namespace layer_energy::bench::cpu {

void gemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
          int64_t ldc) {
  using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using ConstMap = Eigen::Map<const Matrix, Eigen::Unaligned, Eigen::OuterStride<>>;
  using Map = Eigen::Map<Matrix, Eigen::Unaligned, Eigen::OuterStride<>>;
  const ConstMap lhs(a, m, k, Eigen::OuterStride<>(lda));
  const ConstMap rhs(b, k, n, Eigen::OuterStride<>(ldb));
  Map result(c, m, n, Eigen::OuterStride<>(ldc));
  result.noalias() = lhs * rhs;
}

}  // namespace layer_energy::bench::cpu
