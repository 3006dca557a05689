// The CPU backend: fp32 conv (NCHW input, KCRS weights, NCHW output) and FC (N x in times in x out) with Eigen's
// single-threaded GEMM on tiles spread over a pool of std::threads. It serves machines without a GPU and a Jetson's
// CPU rail.
//
// Conv: im2col of a block of output columns per (image, group) into per-thread scratch, then a GEMM of a block of
// filters against it ("im2col+gemm"); a 1x1, stride-1, unpadded conv multiplies the input in place ("1x1 gemm");
// depthwise (groups == C, K a multiple of C) is a direct loop parallelised over (image, channel) ("depthwise direct").
// FC: a GEMM tiled over output rows and columns. Every buffer is allocated in prepare(); run() allocates no tensor.
#pragma once

#include <memory>

#include "benchmarks/backend.hpp"

namespace layer_energy::bench {

struct CpuBackendOptions {
  int threads = 0;  // 0: std::thread::hardware_concurrency()
};

// name() "cpu"; device_name() the CPU model from /proc/cpuinfo ("cpu" when unknown); context() cpu_threads,
// eigen_version, cpu_simd. prepare() throws UnsupportedLayer for fp16/tf32, for NHWC conv, for an invalid shape (the
// reason from layers::validate) and for buffers above half of physical memory; std::bad_alloc when allocation fails.
std::unique_ptr<Backend> make_cpu_backend(const CpuBackendOptions& options = {});

}  // namespace layer_energy::bench
