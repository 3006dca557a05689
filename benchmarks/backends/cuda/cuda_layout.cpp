#include "benchmarks/backends/cuda/cuda_layout.hpp"

#include <climits>
#include <string>

#include "benchmarks/backends/backend.hpp"
#include "benchmarks/backends/cuda/cuda_check.hpp"
#include "benchmarks/backends/cuda/cuda_descriptor.hpp"
#include "benchmarks/backends/cuda/cuda_random_fill.hpp"

namespace layer_energy::bench::cuda {

int to_int(int64_t value, const char* what) {
  if (value < 0 || value > INT_MAX) {
    throw UnsupportedLayer(std::string("cudnn: ") + what + "=" + std::to_string(value) +
                           " does not fit cuDNN's 32-bit dimensions");
  }
  return static_cast<int>(value);
}

std::vector<float> nhwc_to_nchw(const std::vector<float>& in, int64_t n, int64_t c, int64_t h, int64_t w) {
  std::vector<float> out(in.size());
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t y = 0; y < h; ++y) {
      for (int64_t x = 0; x < w; ++x) {
        for (int64_t k = 0; k < c; ++k) {
          out[static_cast<std::size_t>(((i * c + k) * h + y) * w + x)] =
              in[static_cast<std::size_t>(((i * h + y) * w + x) * c + k)];
        }
      }
    }
  }
  return out;
}

void fill_in_layout(const Context& context, Tensor* tensor, cudnnDataType_t data_type, layers::Layout layout, int n,
                    int c, int h, int w, uint64_t seed, uint32_t stream) {
  if (layout != layers::Layout::nhwc) {
    fill_normal(context, tensor, seed, stream);
    return;
  }
  Tensor scratch(tensor->count, tensor->element);
  fill_normal(context, &scratch, seed, stream);
  TensorDescriptor from, to;
  LAYER_ENERGY_CUDA_CHECK(cudnnSetTensor4dDescriptor(from.get(), CUDNN_TENSOR_NCHW, data_type, n, c, h, w));
  LAYER_ENERGY_CUDA_CHECK(cudnnSetTensor4dDescriptor(to.get(), CUDNN_TENSOR_NHWC, data_type, n, c, h, w));
  const float one = 1.0f, zero = 0.0f;
  LAYER_ENERGY_CUDA_CHECK(
      cudnnTransformTensor(context.cudnn, &one, from.get(), scratch.data(), &zero, to.get(), tensor->data()));
  LAYER_ENERGY_CUDA_CHECK(cudaStreamSynchronize(context.stream));  // before the scratch tensor goes
}

}  // namespace layer_energy::bench::cuda
