// The CPU backend: fp32 conv (NCHW input, KCRS weights, NCHW output), FC (N x in times in x out) and the tensor ops
// (pooling, add, activation, batch-norm; NCHW). It serves machines without a GPU and a Jetson's CPU rail. Conv and
// FC have two implementations:
//
// oneDNN (where the build found it; the default): one primitive per case, created when the case is prepared, on
// tensors in the layouts the primitive picks (format_tag::any: blocked layouts such as nChw16c), as a deployed
// engine keeps them between layers. The reorders from and to the plain layouts run outside the timed loop. FC takes
// the fastest of a few primitives and layouts, timed when prepared. The case label names the primitive and oneDNN's
// implementation (e.g. "onednn convolution brgconv:avx512_core, 2 threads"). See cpu_onednn_layer.hpp.
//
// Eigen (always built): single-threaded GEMM on tiles spread over a pool of std::threads.
// Conv: im2col of a block of output columns per (image, group) into per-thread scratch, then a GEMM of a block of
// filters against it ("im2col+gemm"); a 1x1, stride-1, unpadded conv multiplies the input in place ("1x1 gemm");
// depthwise (groups == C, K a multiple of C) is a direct loop parallelised over (image, channel) ("depthwise direct").
// FC: a GEMM tiled over output rows and columns. Labels start with "eigen".
//
// Pooling (max, average, global average), element-wise add, activations and batch-norm inference, fp32 NCHW, run on
// the backend's own loops whichever implementation is selected: one task per (image, channel) plane on the pool,
// contiguous inner loops that the compiler vectorises (labels "loops pool max, 2 threads", "loops act relu, ...").
// Average pooling leaves padding out of the divisor (ONNX's count_include_pad=0). input() and weights() are: add the
// two operands; batch-norm the input and the per-channel scale, bias, mean, var concatenated (4 x C); pooling and
// activation the input and nothing. See cpu_pool.hpp, cpu_eltwise.hpp, cpu_batchnorm.hpp.
//
// Every layer allocates its buffers in prepare(); run() allocates no tensor.
#pragma once

#include <memory>
#include <string>

#include "benchmarks/backends/backend.hpp"

namespace layer_energy::bench {

// automatic: oneDNN where built, except for a case where oneDNN offers only its reference implementation (a
// correctness implementation no deployed engine runs), which runs on Eigen; Eigen where oneDNN is not built.
// eigen, onednn: that implementation for every case.
enum class CpuImpl { automatic, eigen, onednn };

struct CpuBackendOptions {
  int threads = 0;                    // 0: std::thread::hardware_concurrency()
  CpuImpl impl = CpuImpl::automatic;
};

// Whether this build has oneDNN; if not, `why` (when given) gets the one-line reason.
bool cpu_onednn_built(std::string* why = nullptr);

// name() "cpu"; device_name() the CPU model from /proc/cpuinfo ("cpu" when unknown); context() cpu_threads, cpu_impl
// (onednn|eigen), eigen_version, cpu_simd, and with oneDNN onednn_version, onednn_runtime. prepare() throws
// UnsupportedLayer for fp16/tf32, for NHWC conv, pooling, add, activation or batch-norm, for an invalid shape (the
// reason from layers::validate), for buffers above half of physical memory and for a shape oneDNN refuses;
// std::bad_alloc when allocation fails.
// Throws std::invalid_argument for CpuImpl::onednn in a build without oneDNN.
std::unique_ptr<Backend> make_cpu_backend(const CpuBackendOptions& options = {});

}  // namespace layer_energy::bench
