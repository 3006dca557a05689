// The CUDA backend: conv with cuDNN (legacy API, cuDNN 8 and 9), FC with cuBLAS, inputs from cuRAND's host API. No
// .cu files: the libraries do all device work, so the backend builds with any nvcc, JetPack's older ones included.
// This header needs no CUDA header; the implementation lives in benchmarks/backends/cuda/cuda_*.cpp.
//
// Timing. One stream per backend; the cuDNN and cuBLAS handles are bound to it. PreparedLayer::enqueue() puts one
// forward on the stream without waiting; synchronize() waits for the stream; run(n) returns the seconds between two
// CUDA events around n forwards (device time). Small layers are launch-bound (a cuDNN call costs several
// microseconds of host time, more than a small layer's device time), so by default every layer is also captured into
// CUDA graphs once, when it is prepared: one graph of a single forward and one of B forwards, with B chosen from the
// layer's measured device time so that one graph holds about 100 us of work (1 <= B <= 64). enqueue() then only
// counts, launching the B-graph every B calls; synchronize() and run() launch the remainder as single-forward graphs.
// Every call to enqueue() is exactly one forward on the device, the host stays far ahead of the device, and the
// harness's wall-clock window holds the layer's work back to back rather than launch gaps. Where capture fails (a
// library call that cannot be captured), the layer falls back to plain launches on the stream and says so in its
// description(). CudaBackendOptions::graphs = false, or the environment variable LAYER_ENERGY_CUDA_GRAPHS=0, turns
// graphs off (every enqueue() is then one set of library calls on the stream).
//
// Precision. fp32 is true fp32: cuDNN CUDNN_FMA_MATH and algorithms whose measured math type used no tensor ops;
// cuBLAS cublasSgemm under CUBLAS_DEFAULT_MATH (never TF32). tf32: cuDNN CUDNN_DEFAULT_MATH (TF32 on Ampere and
// later), cuBLAS cublasGemmEx with CUBLAS_COMPUTE_32F_FAST_TF32 (CUDA 11+). fp16: fp16 tensors with fp32
// accumulation (cuDNN compute type float, "pseudo half", as PyTorch does; CUDNN_TENSOR_OP_MATH; cuBLAS
// CUBLAS_COMPUTE_32F), for accuracy comparable to what frameworks deploy.
//
// Conv algorithm: cudnnFindConvolutionForwardAlgorithmEx on the layer's own buffers, once per prepared layer, with a
// workspace limit of min(1 GiB, a quarter of free device memory); the fastest successful result that honours the
// precision wins and its workspace is kept. No such result: UnsupportedLayer("cudnn: no forward algorithm for ...").
//
// Errors. prepare() throws UnsupportedLayer for what cuDNN/cuBLAS cannot take (a reason naming the call or limit)
// and std::bad_alloc (DeviceOutOfMemory, whose what() names the call) when device memory runs out; everything
// prepared so far is freed.
#pragma once

#include <memory>
#include <string>

#include "benchmarks/backends/backend.hpp"

namespace layer_energy::bench {

struct CudaBackendOptions {
  // Replay layers from captured CUDA graphs (see above). LAYER_ENERGY_CUDA_GRAPHS=0 in the environment overrides it.
  bool graphs = true;
};

// name() "cuda"; device_name() the GPU's name; context(): cuda_runtime_version, cuda_driver_version, cudnn_version,
// cublas_version, curand_version, gpu_name, gpu_pci_bus_id, gpu_sm_count, gpu_compute_capability, gpu_memory_GiB,
// cuda_device, cuda_graphs. Returns nullptr with *why (one line) when there is no usable GPU: no driver, no device
// `device`, a CUDA/cuDNN/cuBLAS error while starting, a cuDNN library of another major version than the headers.
std::unique_ptr<Backend> make_cuda_backend(int device, std::string* why);
std::unique_ptr<Backend> make_cuda_backend(int device, std::string* why, const CudaBackendOptions& options);

// The device's PCI bus id as cudaDeviceGetPCIBusId writes it ("0000:3B:00.0": domain, bus, device, function), for
// matching NVML's device by bus id rather than by index; "" when unknown (no driver, no such device).
std::string cuda_pci_bus_id(int device);

}  // namespace layer_energy::bench
