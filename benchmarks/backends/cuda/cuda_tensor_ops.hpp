// The CUDA backend's layers besides conv and FC (internal; see benchmarks/backends/cuda/cuda_backend.hpp), all
// through cuDNN's legacy API, no .cu files: pooling (cudnnPoolingForward: max, average excluding padding as ONNX's
// default, global average), element-wise add (cudnnOpTensor ADD), activation (cudnnActivationForward: relu,
// relu6 as clipped relu, sigmoid, silu as swish with beta 1; cuDNN has no hardswish: refused with the reason) and
// batch-norm inference (cudnnBatchNormalizationForwardInference, spatial). fp32/tf32 (both plain fp32 here: no
// tensor-core math in these ops) and fp16 (fp32 scaling and BN parameters), NCHW or NHWC.
#pragma once

#include <cstdint>
#include <memory>

#include "benchmarks/backends/backend.hpp"
#include "benchmarks/backends/cuda/cuda_context.hpp"
#include "layers/layer.hpp"

namespace layer_energy::bench::cuda {

// Expects a pool, add, act or bn layer that layers::validate accepted and the context's device current. input() is
// the (first) input in NCHW; weights() the second input of an add, the BN vectors (scale, bias, mean, variance)
// concatenated, else empty; output() NCHW. Throws UnsupportedLayer or DeviceOutOfMemory.
std::unique_ptr<PreparedLayer> prepare_tensor_op(std::shared_ptr<const Context> context, const layers::Layer& layer,
                                                 layers::Precision precision, layers::Layout layout, uint64_t seed);

}  // namespace layer_energy::bench::cuda
