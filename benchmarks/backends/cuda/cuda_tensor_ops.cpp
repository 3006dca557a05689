#include "benchmarks/backends/cuda/cuda_tensor_ops.hpp"

#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "benchmarks/backends/cuda/cuda_check.hpp"
#include "benchmarks/backends/cuda/cuda_descriptor.hpp"
#include "benchmarks/backends/cuda/cuda_layer.hpp"
#include "benchmarks/backends/cuda/cuda_layout.hpp"
#include "benchmarks/backends/cuda/cuda_random_fill.hpp"
#include "benchmarks/backends/cuda/cuda_tensor.hpp"

namespace layer_energy::bench::cuda {

namespace {

using layers::Activation;
using layers::LayerType;
using layers::Layout;
using layers::PoolMode;
using layers::Precision;

class TensorOpLayer final : public CudaPreparedLayer {
 public:
  TensorOpLayer(std::shared_ptr<const Context> context, const layers::Layer& layer, Precision precision,
                Layout layout, uint64_t seed)
      : CudaPreparedLayer(std::move(context)), layer_(layer), layout_(layout), layer_seed_(seed) {
    const layers::TensorOpShape& s = layer.op;
    const int n = to_int(s.N, "N"), c = to_int(s.C, "C"), h = to_int(s.H, "H"), w = to_int(s.W, "W");
    const int64_t out_h = layer.type == LayerType::pool ? layers::pool_output_height(s) : s.H;
    const int64_t out_w = layer.type == LayerType::pool ? layers::pool_output_width(s) : s.W;
    const double x_count = static_cast<double>(s.N) * s.C * s.H * s.W;
    if (x_count >= 2147483648.0) {
      char text[160];
      std::snprintf(text, sizeof text, "cudnn: the input has %.4g elements, beyond the 2^31 cuDNN's legacy API takes",
                    x_count);
      throw UnsupportedLayer(text);
    }
    if (layer.type == LayerType::act && s.op == Activation::hardswish) {
      throw UnsupportedLayer("cudnn: no hardswish activation in cuDNN's API (relu, relu6, sigmoid and silu are)");
    }
    const Element element = element_of(precision);
    data_type_ = element == Element::f16 ? CUDNN_DATA_HALF : CUDNN_DATA_FLOAT;
    const cudnnTensorFormat_t format = layout == Layout::nhwc ? CUDNN_TENSOR_NHWC : CUDNN_TENSOR_NCHW;
    LAYER_ENERGY_CUDA_CHECK(cudnnSetTensor4dDescriptor(x_desc_.get(), format, data_type_, n, c, h, w));
    LAYER_ENERGY_CUDA_CHECK(cudnnSetTensor4dDescriptor(y_desc_.get(), format, data_type_, n, c,
                                                       to_int(out_h, "P"), to_int(out_w, "Q")));
    const Context& ctx = this->context();
    x_ = Tensor(static_cast<int64_t>(x_count), element);
    y_ = Tensor(s.N * s.C * out_h * out_w, element);
    fill_in_layout(ctx, &x_, data_type_, layout, n, c, h, w, seed, 0);
    fill_zero(ctx, &y_);

    switch (layer.type) {
      case LayerType::pool:
        set_pooling(s);
        break;
      case LayerType::add:
        b_ = Tensor(static_cast<int64_t>(x_count), element);
        fill_in_layout(ctx, &b_, data_type_, layout, n, c, h, w, seed, 1);
        LAYER_ENERGY_CUDA_CHECK(
            cudnnSetOpTensorDescriptor(op_desc_.get(), CUDNN_OP_TENSOR_ADD, CUDNN_DATA_FLOAT, CUDNN_NOT_PROPAGATE_NAN));
        note_ = "cudnnOpTensor add";
        break;
      case LayerType::act:
        set_activation(s.op);
        break;
      case LayerType::bn:
        set_batchnorm(c);
        break;
      default:
        throw UnsupportedLayer("cuda backend: not a tensor op");
    }
    finish_prepare();
  }

  ~TensorOpLayer() override { wait_idle(); }

  void forward() override {
    const float one = 1.0f, zero = 0.0f;  // float scaling for float and half data
    const cudnnHandle_t handle = context().cudnn;
    switch (layer_.type) {
      case LayerType::pool:
        LAYER_ENERGY_CUDA_CHECK(cudnnPoolingForward(handle, pool_desc_.get(), &one, x_desc_.get(), x_.data(), &zero,
                                                    y_desc_.get(), y_.data()));
        break;
      case LayerType::add:
        LAYER_ENERGY_CUDA_CHECK(cudnnOpTensor(handle, op_desc_.get(), &one, x_desc_.get(), x_.data(), &one,
                                              x_desc_.get(), b_.data(), &zero, y_desc_.get(), y_.data()));
        break;
      case LayerType::act:
        LAYER_ENERGY_CUDA_CHECK(cudnnActivationForward(handle, act_desc_.get(), &one, x_desc_.get(), x_.data(), &zero,
                                                       y_desc_.get(), y_.data()));
        break;
      default:
        LAYER_ENERGY_CUDA_CHECK(cudnnBatchNormalizationForwardInference(
            handle, CUDNN_BATCHNORM_SPATIAL, &one, &zero, x_desc_.get(), x_.data(), y_desc_.get(), y_.data(),
            bn_desc_.get(), bn_scale_.data(), bn_bias_.data(), bn_mean_.data(), bn_var_.data(), kBnEpsilon));
        break;
    }
  }

  std::vector<float> output() override { return nchw(y_, layer_.type == LayerType::pool); }
  std::vector<float> input() override { return nchw(x_, false); }
  std::vector<float> weights() override {
    synchronize();
    if (layer_.type == LayerType::add) return nchw(b_, false);
    if (layer_.type != LayerType::bn) return {};
    std::vector<float> all;
    for (const Tensor* t : {&bn_scale_, &bn_bias_, &bn_mean_, &bn_var_}) {
      const auto values = download(context(), *t);
      all.insert(all.end(), values.begin(), values.end());
    }
    return all;
  }

 protected:
  std::string describe() const override { return "cudnn " + note_; }

 private:
  static constexpr double kBnEpsilon = 1e-5;

  void set_pooling(const layers::TensorOpShape& s) {
    const bool global = s.mode == PoolMode::global;
    // Average excluding padding: ONNX AveragePool's default (count_include_pad=0).
    const cudnnPoolingMode_t mode =
        s.mode == PoolMode::max ? CUDNN_POOLING_MAX : CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING;
    const int window_h = global ? to_int(s.H, "H") : to_int(s.R, "R");
    const int window_w = global ? to_int(s.W, "W") : to_int(s.R, "R");
    const int pad = to_int(s.pad, "pad"), stride = to_int(s.stride, "stride");
    LAYER_ENERGY_CUDA_CHECK(cudnnSetPooling2dDescriptor(pool_desc_.get(), mode, CUDNN_NOT_PROPAGATE_NAN, window_h,
                                                        window_w, pad, pad, stride, stride));
    note_ = std::string("cudnnPoolingForward ") + layers::to_string(s.mode);
  }

  void set_activation(Activation op) {
    cudnnActivationMode_t mode = CUDNN_ACTIVATION_RELU;
    double coef = 0;
    switch (op) {
      case Activation::relu6:
        mode = CUDNN_ACTIVATION_CLIPPED_RELU, coef = 6.0;
        break;
      case Activation::sigmoid:
        mode = CUDNN_ACTIVATION_SIGMOID;
        break;
      case Activation::silu:
        mode = CUDNN_ACTIVATION_SWISH;
        break;
      default:
        break;
    }
    LAYER_ENERGY_CUDA_CHECK(cudnnSetActivationDescriptor(act_desc_.get(), mode, CUDNN_NOT_PROPAGATE_NAN, coef));
    if (op == Activation::silu) LAYER_ENERGY_CUDA_CHECK(cudnnSetActivationDescriptorSwishBeta(act_desc_.get(), 1.0));
    note_ = std::string("cudnnActivationForward ") + layers::to_string(op);
  }

  // Scale, bias and mean random; the variance positive (|normal| + 0.5), as a trained network's is.
  void set_batchnorm(int channels) {
    LAYER_ENERGY_CUDA_CHECK(cudnnDeriveBNTensorDescriptor(bn_desc_.get(), x_desc_.get(), CUDNN_BATCHNORM_SPATIAL));
    const Context& ctx = context();
    // The parameters are float for float and half data (cuDNN's rule for spatial BN).
    Tensor* vectors[] = {&bn_scale_, &bn_bias_, &bn_mean_, &bn_var_};
    for (uint32_t i = 0; i < 4; ++i) {
      *vectors[i] = Tensor(channels, Element::f32);
      fill_normal(ctx, vectors[i], layer_seed_, 2 + i);
    }
    std::vector<float> var = download(ctx, bn_var_);
    for (float& v : var) v = std::abs(v) + 0.5f;
    LAYER_ENERGY_CUDA_CHECK(cudaMemcpy(bn_var_.data(), var.data(), var.size() * sizeof(float), cudaMemcpyHostToDevice));
    note_ = "cudnnBatchNormalizationForwardInference spatial";
  }

  std::vector<float> nchw(const Tensor& t, bool pooled) {
    synchronize();
    auto values = download(context(), t);
    if (layout_ != Layout::nhwc) return values;
    const auto& s = layer_.op;
    const int64_t h = pooled ? layers::pool_output_height(s) : s.H, w = pooled ? layers::pool_output_width(s) : s.W;
    return nhwc_to_nchw(values, s.N, s.C, h, w);
  }

  layers::Layer layer_;
  Layout layout_;
  uint64_t layer_seed_ = 0;
  cudnnDataType_t data_type_ = CUDNN_DATA_FLOAT;
  TensorDescriptor x_desc_, y_desc_, bn_desc_;
  PoolingDescriptor pool_desc_;
  ActivationDescriptor act_desc_;
  OpTensorDescriptor op_desc_;
  Tensor x_, y_, b_, bn_scale_, bn_bias_, bn_mean_, bn_var_;
  std::string note_;
};

}  // namespace

std::unique_ptr<PreparedLayer> prepare_tensor_op(std::shared_ptr<const Context> context, const layers::Layer& layer,
                                                 Precision precision, Layout layout, uint64_t seed) {
  return std::make_unique<TensorOpLayer>(std::move(context), layer, precision, layout, seed);
}

}  // namespace layer_energy::bench::cuda
