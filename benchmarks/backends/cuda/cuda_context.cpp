#include "benchmarks/backends/cuda/cuda_context.hpp"

#include "benchmarks/backends/cuda/cuda_check.hpp"

namespace layer_energy::bench::cuda {

Context::Context(int device_ordinal, bool use_graphs) : device(device_ordinal), graphs(use_graphs) {
  try {
    LAYER_ENERGY_CUDA_CHECK(cudaSetDevice(device));
    cudaDeviceProp prop{};
    LAYER_ENERGY_CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
    name = prop.name;
    sm_count = prop.multiProcessorCount;
    cc_major = prop.major;
    cc_minor = prop.minor;
    total_memory = prop.totalGlobalMem;
    LAYER_ENERGY_CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
    LAYER_ENERGY_CUDA_CHECK(cudnnCreate(&cudnn));
    LAYER_ENERGY_CUDA_CHECK(cudnnSetStream(cudnn, stream));
    LAYER_ENERGY_CUDA_CHECK(cublasCreate(&cublas));
    LAYER_ENERGY_CUDA_CHECK(cublasSetStream(cublas, stream));
    // CUBLAS_DEFAULT_MATH: no TF32 for fp32 (CUDA 11+: TF32 only with CUBLAS_COMPUTE_32F_FAST_TF32 or the TF32
    // math mode); fp16 GEMMs use tensor cores under the default mode from cuBLAS 11 on.
    LAYER_ENERGY_CUDA_CHECK(cublasSetMathMode(cublas, CUBLAS_DEFAULT_MATH));
#if defined(CUBLAS_VER_MAJOR) && CUBLAS_VER_MAJOR >= 12
    // After cublasSetStream, which resets the workspace to cuBLAS's own pool. 32 MiB is cuBLAS's recommendation
    // for Hopper, 4 MiB for earlier GPUs.
    cublas_workspace_bytes = (cc_major >= 9 ? 32u : 4u) << 20;
    LAYER_ENERGY_CUDA_CHECK(cudaMalloc(&cublas_workspace, cublas_workspace_bytes));
    LAYER_ENERGY_CUDA_CHECK(cublasSetWorkspace(cublas, cublas_workspace, cublas_workspace_bytes));
#endif
#if LAYER_ENERGY_CUBLAS_COMPUTE_TYPES
    LAYER_ENERGY_CUDA_CHECK(cublasLtCreate(&cublaslt));
#endif
  } catch (...) {
    release();
    throw;
  }
}

Context::~Context() {
  release();
}

void Context::release() noexcept {
  if (stream != nullptr) cudaStreamSynchronize(stream);
  if (cublaslt != nullptr) cublasLtDestroy(cublaslt);
  if (cublas != nullptr) cublasDestroy(cublas);
  if (cudnn != nullptr) cudnnDestroy(cudnn);
  if (cublas_workspace != nullptr) cudaFree(cublas_workspace);
  if (stream != nullptr) cudaStreamDestroy(stream);
  cublaslt = nullptr;
  cublas = nullptr;
  cudnn = nullptr;
  cublas_workspace = nullptr;
  stream = nullptr;
}

void Context::make_current() const {
  LAYER_ENERGY_CUDA_CHECK(cudaSetDevice(device));
}

}  // namespace layer_energy::bench::cuda
