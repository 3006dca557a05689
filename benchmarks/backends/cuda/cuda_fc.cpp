#include "benchmarks/backends/cuda/cuda_fc.hpp"

#include <climits>
#include <cmath>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "benchmarks/backends/cuda/cuda_check.hpp"
#include "benchmarks/backends/cuda/cuda_layer.hpp"
#include "benchmarks/backends/cuda/cuda_lt_matmul.hpp"
#include "benchmarks/backends/cuda/cuda_random_fill.hpp"
#include "benchmarks/backends/cuda/cuda_tensor.hpp"

namespace layer_energy::bench::cuda {

namespace {

using layers::Precision;

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
    choose_library();
    finish_prepare();
  }

  ~FcLayer() override {
    wait_idle();
  }

  // Row-major Y = X W is column-major Y^T = W^T X^T: cuBLAS sees W as an out x in column-major matrix (ld out), X as
  // in x N (ld in) and writes Y as out x N (ld out), which is Y row-major. No transposes.
  void forward() override {
#if LAYER_ENERGY_CUBLAS_COMPUTE_TYPES
    if (lt_index_ >= 0) {
      lt_->run(lt_index_, w_.data(), x_.data(), y_.data());
      return;
    }
#endif
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
    return (lt_index_ >= 0 ? lt_text_ : cublas_text()) + "; " + choice_note_;
  }

 private:
  std::string cublas_text() const {
    if (precision_ == Precision::fp32) return "cublasSgemm, default math (no TF32)";
    return std::string("cublasGemmEx, ") + compute_text();
  }

  static std::string micros(double seconds) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3g us", seconds * 1e6);
    return text;
  }

  // cuBLAS's own kernel choice against the algorithms cublasLt's heuristic proposes (the path PyTorch's Linear
  // takes), each timed from a CUDA graph (time_from_graph): the fastest runs. cuBLAS stays when no candidate is
  // 2% faster or none can be timed; a cublasLt failure only removes the candidates.
  void choose_library() {
    lt_index_ = -1;
    const double cublas_s = time_from_graph();
#if LAYER_ENERGY_CUBLAS_COMPUTE_TYPES
    const Context& ctx = context();
    if (ctx.cublaslt == nullptr) {
      choice_note_ = "cublasLt not available";
      return;
    }
    try {
      lt_ = std::make_unique<LtMatmul>(ctx, out_, n_, in_, precision_, ctx.cublas_workspace_bytes, kLtCandidates);
    } catch (const std::runtime_error& e) {
      cudaGetLastError();
      choice_note_ = std::string("cublasLt heuristic failed: ") + e.what();
      return;
    }
    double best_s = cublas_s > 0 ? cublas_s : INFINITY, best_lt_s = INFINITY;
    int best = -1;
    for (int i = 0; i < lt_->candidates(); ++i) {
      lt_index_ = i;
      const double seconds = time_from_graph();
      if (seconds > 0 && seconds < best_lt_s) best_lt_s = seconds;
      // cuBLAS is replaced only by a candidate at least 2% faster: within timing noise the choice would flip
      // between runs, and with it the case's label and kernel record.
      if (seconds > 0 && seconds < best_s * (best < 0 ? kSwitchMargin : 1.0)) best_s = seconds, best = i;
    }
    lt_index_ = best;
    if (best >= 0) lt_text_ = lt_->describe(best) + ", " + compute_text();
    choice_note_ = "fastest by graph timing of cuBLAS (" + (cublas_s > 0 ? micros(cublas_s) : "not timed") +
                   ") and " + std::to_string(lt_->candidates()) + " cublasLt candidates (best " +
                   (std::isfinite(best_lt_s) ? micros(best_lt_s) : "none timed") + ")";
#else
    (void)cublas_s;
    choice_note_ = "cublasLt needs CUDA 11 or later";
#endif
  }

  // The tensors and compute type of the product (cuBLAS's GemmEx and cublasLt run the same ones).
  const char* compute_text() const {
    switch (precision_) {
      case Precision::fp32:
        return "fp32 tensors, CUBLAS_COMPUTE_32F (no TF32)";
      case Precision::tf32:
        return "fp32 tensors, CUBLAS_COMPUTE_32F_FAST_TF32";
      case Precision::fp16:
        return "fp16 tensors, CUBLAS_COMPUTE_32F";
    }
    return "";
  }

  static constexpr int kLtCandidates = 8;  // PyTorch asks for one; more gives measurement a real choice
  static constexpr double kSwitchMargin = 0.98;

  layers::FcShape shape_;
  Precision precision_;
  int n_ = 0, in_ = 0, out_ = 0;
  Tensor x_, w_, y_;
#if LAYER_ENERGY_CUBLAS_COMPUTE_TYPES
  std::unique_ptr<LtMatmul> lt_;
#endif
  int lt_index_ = -1;  // the cublasLt candidate that runs; -1: cuBLAS
  std::string lt_text_, choice_note_;
};

}  // namespace

std::unique_ptr<PreparedLayer> prepare_fc(std::shared_ptr<const Context> context, const layers::FcShape& shape,
                                          Precision precision, uint64_t seed) {
  return std::make_unique<FcLayer>(std::move(context), shape, precision, seed);
}

}  // namespace layer_energy::bench::cuda
