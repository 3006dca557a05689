// The FC layer's cublasLt candidates (benchmarks/backends/cuda/cuda_lt_matmul.hpp): the backend keeps whichever is
// fastest, so every candidate the heuristic proposes is run here and checked against a double-precision reference
// in each precision, and the fp32 ones must be true fp32 (no TF32). Skips with the reason without a GPU.
#include <gtest/gtest.h>

#include <cuda_runtime_api.h>

#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "benchmarks/backends/cuda/cuda_context.hpp"
#include "benchmarks/backends/cuda/cuda_lt_matmul.hpp"
#include "benchmarks/backends/cuda/cuda_random_fill.hpp"
#include "benchmarks/backends/cuda/cuda_tensor.hpp"
#include "layers/layer.hpp"
#include "naive_reference.hpp"
#include "tensor_compare.hpp"

namespace layer_energy::bench::cuda {
namespace {

using layers::FcShape;
using layers::Precision;

std::unique_ptr<Context> usable_context(std::string* why) {
  int count = 0;
  const cudaError_t error = cudaGetDeviceCount(&count);
  if (error != cudaSuccess) {
    *why = cudaGetErrorString(error);
    return nullptr;
  }
  if (count == 0) {
    *why = "no CUDA device";
    return nullptr;
  }
  try {
    return std::make_unique<Context>(0, true);
  } catch (const std::exception& e) {
    *why = e.what();
    return nullptr;
  }
}

// As the backend test's: relative to each output's sum of |products|.
double tolerance(Precision p) {
  return p == Precision::fp32 ? 1e-4 : p == Precision::tf32 ? 1e-2 : 2e-2;
}

TEST(CublasLtCandidates, EveryCandidateMatchesTheReference) {
#if !LAYER_ENERGY_CUBLAS_COMPUTE_TYPES
  GTEST_SKIP() << "the cublasLt candidates need CUDA 11 or later";
#else
  std::string why;
  const std::unique_ptr<Context> context = usable_context(&why);
  if (!context) GTEST_SKIP() << "no usable GPU: " << why;
  for (Precision p : {Precision::fp32, Precision::tf32, Precision::fp16}) {
    for (const FcShape s : {FcShape{1, 1024, 1024}, FcShape{16, 1024, 512}, FcShape{3, 300, 200}}) {
      const std::string what = "FC " + std::to_string(s.N) + "x" + std::to_string(s.in) + "x" +
                               std::to_string(s.out) + " " + layers::to_string(p);
      const Element element = element_of(p);
      Tensor x(s.N * s.in, element), w(s.in * s.out, element), y(s.N * s.out, element);
      fill_normal(*context, &x, 7, 0);
      fill_normal(*context, &w, 7, 1);
      const LtMatmul lt(*context, static_cast<int>(s.out), static_cast<int>(s.N), static_cast<int>(s.in), p,
                        context->cublas_workspace_bytes, 8);
      EXPECT_GT(lt.candidates(), 0) << what << ": the heuristic proposed nothing";
      const test::Reference reference = test::naive_fc(s, download(*context, x), download(*context, w));
      for (int i = 0; i < lt.candidates(); ++i) {
        lt.run(i, w.data(), x.data(), y.data());
        const double rms = test::expect_matches(download(*context, y), reference, tolerance(p),
                                                what + " [" + lt.describe(i) + "]", 1e-3);
        if (p == Precision::fp32) {
          EXPECT_LT(rms, 3e-6) << what << " [" << lt.describe(i) << "]: TF32 in use?";
        }
      }
    }
  }
#endif
}

}  // namespace
}  // namespace layer_energy::bench::cuda
