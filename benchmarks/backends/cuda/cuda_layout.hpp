// What the CUDA backend's cuDNN layers share about tensors in a layout: cuDNN's 32-bit dimension check, NHWC to NCHW
// on the host, and random fills in logical NCHW order whatever the layout (internal).
#pragma once

#include <cudnn.h>

#include <cstdint>
#include <vector>

#include "benchmarks/backends/cuda/cuda_context.hpp"
#include "benchmarks/backends/cuda/cuda_tensor.hpp"
#include "layers/layer.hpp"

namespace layer_energy::bench::cuda {

// `value` as cuDNN's int, or UnsupportedLayer("cudnn: WHAT=V does not fit cuDNN's 32-bit dimensions").
int to_int(int64_t value, const char* what);

// NHWC -> NCHW on the host, for `n` images of c x h x w.
std::vector<float> nhwc_to_nchw(const std::vector<float>& in, int64_t n, int64_t c, int64_t h, int64_t w);

// Random normal values in logical NCHW order whatever the layout, so one seed gives the same tensor in NCHW and
// NHWC: for NHWC they are generated into a scratch NCHW tensor and transposed by cudnnTransformTensor.
void fill_in_layout(const Context& context, Tensor* tensor, cudnnDataType_t data_type, layers::Layout layout, int n,
                    int c, int h, int w, uint64_t seed, uint32_t stream);

}  // namespace layer_energy::bench::cuda
