#include "benchmarks/backends/cuda/cuda_fc.hpp"

#include <climits>
#include <string>
#include <utility>
#include <vector>

#include "benchmarks/backends/cuda/cuda_check.hpp"
#include "benchmarks/backends/cuda/cuda_layer.hpp"
#include "benchmarks/backends/cuda/cuda_random_fill.hpp"
#include "benchmarks/backends/cuda/cuda_tensor.hpp"

namespace layer_energy::bench::cuda {

namespace {

using layers::Precision;

// cuBLAS 11 (CUDA 11) introduced cublasComputeType_t, CUBLAS_COMPUTE_32F_FAST_TF32 and tensor cores for fp16
// under the default math mode.
#if defined(CUBLAS_VER_MAJOR) && CUBLAS_VER_MAJOR >= 11
#define LAYER_ENERGY_CUBLAS_COMPUTE_TYPES 1
#else
#define LAYER_ENERGY_CUBLAS_COMPUTE_TYPES 0
#endif

int to_int(int64_t value, const char* what) {
  if (value < 0 || value > INT_MAX) {
    throw UnsupportedLayer(std::string("cublas: ") + what + "=" + std::to_string(value) +
                           " does not fit cuBLAS's 32-bit int dimensions");
  }
  return static_cast<int>(value);
}

class FcLayer final : public CudaPreparedLayer {
 public:
  FcLayer(std::shared_ptr<const Context> context, const layers::FcShape& shape, Precision precision, uint64_t seed)
      : CudaPreparedLayer(std::move(context)), shape_(shape), precision_(precision) {
    n_ = to_int(shape.N, "N");
    in_ = to_int(shape.in, "in");
    out_ = to_int(shape.out, "out");
#if !LAYER_ENERGY_CUBLAS_COMPUTE_TYPES
    if (precision == Precision::tf32) throw UnsupportedLayer("cublas: tf32 needs CUDA 11 or later");
#endif
    const Element element = element_of(precision);
    const double x_count = static_cast<double>(shape.N) * shape.in;
    const double w_count = static_cast<double>(shape.in) * shape.out;
    const double y_count = static_cast<double>(shape.N) * shape.out;
    checked_bytes(x_count, element, "the FC input");
    checked_bytes(w_count, element, "the FC weights");
    checked_bytes(y_count, element, "the FC output");
    // Allocate everything first (an impossible size fails before any work), then fill.
    x_ = Tensor(static_cast<int64_t>(x_count), element);
    w_ = Tensor(static_cast<int64_t>(w_count), element);
    y_ = Tensor(static_cast<int64_t>(y_count), element);
    const Context& ctx = this->context();
    fill_normal(ctx, &x_, seed, 0);
    fill_normal(ctx, &w_, seed, 1);
    fill_zero(ctx, &y_);
    finish_prepare();
  }

  ~FcLayer() override {
    wait_idle();
  }

  // Row-major Y = X W is column-major Y^T = W^T X^T: cuBLAS sees W as an out x in column-major matrix (ld out), X as
  // in x N (ld in) and writes Y as out x N (ld out), which is Y row-major. No transposes.
  void forward() override {
    const cublasHandle_t handle = context().cublas;
    const float alpha = 1.0f, beta = 0.0f;
    const int m = out_, n = n_, k = in_;
    switch (precision_) {
      case Precision::fp32:
#if !LAYER_ENERGY_CUBLAS_COMPUTE_TYPES
        LAYER_ENERGY_CUDA_CHECK(cublasSetMathMode(handle, CUBLAS_DEFAULT_MATH));
#endif
        LAYER_ENERGY_CUDA_CHECK(
            cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &alpha, static_cast<const float*>(w_.data()), m,
                        static_cast<const float*>(x_.data()), k, &beta, static_cast<float*>(y_.data()), m));
        return;
      case Precision::tf32:
#if LAYER_ENERGY_CUBLAS_COMPUTE_TYPES
        LAYER_ENERGY_CUDA_CHECK(cublasGemmEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &alpha, w_.data(), CUDA_R_32F,
                                             m, x_.data(), CUDA_R_32F, k, &beta, y_.data(), CUDA_R_32F, m,
                                             CUBLAS_COMPUTE_32F_FAST_TF32, CUBLAS_GEMM_DEFAULT));
#endif
        return;
      case Precision::fp16:
#if LAYER_ENERGY_CUBLAS_COMPUTE_TYPES
        LAYER_ENERGY_CUDA_CHECK(cublasGemmEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &alpha, w_.data(), CUDA_R_16F,
                                             m, x_.data(), CUDA_R_16F, k, &beta, y_.data(), CUDA_R_16F, m,
                                             CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
#else
        LAYER_ENERGY_CUDA_CHECK(cublasSetMathMode(handle, CUBLAS_TENSOR_OP_MATH));
        LAYER_ENERGY_CUDA_CHECK(cublasGemmEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &alpha, w_.data(), CUDA_R_16F,
                                             m, x_.data(), CUDA_R_16F, k, &beta, y_.data(), CUDA_R_16F, m, CUDA_R_32F,
                                             CUBLAS_GEMM_DEFAULT_TENSOR_OP));
#endif
        return;
    }
  }

  std::vector<float> output() override {
    synchronize();
    return download(context(), y_);
  }
  std::vector<float> input() override {
    synchronize();
    return download(context(), x_);
  }
  std::vector<float> weights() override {
    synchronize();
    return download(context(), w_);
  }

 protected:
  std::string describe() const override {
    switch (precision_) {
      case Precision::fp32:
        return "cublasSgemm, default math (no TF32)";
      case Precision::tf32:
        return "cublasGemmEx, fp32 tensors, CUBLAS_COMPUTE_32F_FAST_TF32";
      case Precision::fp16:
        return "cublasGemmEx, fp16 tensors, CUBLAS_COMPUTE_32F";
    }
    return "cublas";
  }

 private:
  layers::FcShape shape_;
  Precision precision_;
  int n_ = 0, in_ = 0, out_ = 0;
  Tensor x_, w_, y_;
};

}  // namespace

std::unique_ptr<PreparedLayer> prepare_fc(std::shared_ptr<const Context> context, const layers::FcShape& shape,
                                          Precision precision, uint64_t seed) {
  return std::make_unique<FcLayer>(std::move(context), shape, precision, seed);
}

}  // namespace layer_energy::bench::cuda
