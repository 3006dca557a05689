// The CUDA backend's conv (internal; see benchmarks/backends/cuda/cuda_backend.hpp): cuDNN's legacy forward
// convolution, cuDNN 8 and 9, NCHW or NHWC, fp32 (FMA math), tf32 or fp16 (fp32 accumulation), any group count.
#pragma once

#include <cstdint>
#include <memory>

#include "benchmarks/backends/backend.hpp"
#include "benchmarks/backends/cuda/cuda_context.hpp"
#include "layers/layer.hpp"

namespace layer_energy::bench::cuda {

// Expects a shape that layers::validate accepted and the context's device current. Throws UnsupportedLayer (a
// dimension or tensor beyond cuDNN's 32-bit limits, a descriptor cuDNN rejects, no algorithm for the precision and
// layout) or DeviceOutOfMemory (a std::bad_alloc). input() is NCHW and weights() KCRS whatever the layout; output()
// is NCHW.
std::unique_ptr<PreparedLayer> prepare_conv(std::shared_ptr<const Context> context, const layers::ConvShape& shape,
                                            layers::Precision precision, layers::Layout layout, uint64_t seed);

}  // namespace layer_energy::bench::cuda
