// The CUDA backend's per-backend context: device, stream and library handles, shared with the prepared layers
// (internal; see benchmarks/backends/cuda/cuda_backend.hpp for the design).
#pragma once

#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cudnn.h>

#include <cstddef>
#include <string>

// cuBLAS 11 (CUDA 11) introduced cublasComputeType_t, CUBLAS_COMPUTE_32F_FAST_TF32, tensor cores for fp16 under the
// default math mode, and the cublasLt matmul descriptors this backend uses.
#if defined(CUBLAS_VER_MAJOR) && CUBLAS_VER_MAJOR >= 11
#define LAYER_ENERGY_CUBLAS_COMPUTE_TYPES 1
#else
#define LAYER_ENERGY_CUBLAS_COMPUTE_TYPES 0
#endif

namespace layer_energy::bench::cuda {

// What a backend shares with its prepared layers (which may outlive the backend). Created on one device; the
// stream is non-blocking (no implicit synchronisation with the legacy default stream); cuDNN and cuBLAS are bound
// to it, cublasLt takes the stream per call.
class Context {
 public:
  Context(int device, bool graphs);  // throws (see cuda_check.hpp)
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  void make_current() const;  // cudaSetDevice(device)

  int device = 0;
  bool graphs = true;
  cudaStream_t stream = nullptr;
  cudnnHandle_t cudnn = nullptr;
  cublasHandle_t cublas = nullptr;
  cublasLtHandle_t cublaslt = nullptr;  // CUDA 11+; null before (the FC then runs cuBLAS only)
  void* cublas_workspace = nullptr;  // our own, so graph capture never makes cuBLAS allocate (cuBLAS 12+)
  std::size_t cublas_workspace_bytes = 0;

  std::string name;  // the GPU's name
  int sm_count = 0;
  int cc_major = 0, cc_minor = 0;
  std::size_t total_memory = 0;

 private:
  void release() noexcept;
};

}  // namespace layer_energy::bench::cuda
