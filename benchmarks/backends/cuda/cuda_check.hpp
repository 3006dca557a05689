// Error handling of the CUDA backend (internal): every CUDA runtime, cuDNN, cuBLAS and cuRAND call goes through
// LAYER_ENERGY_CUDA_CHECK, which turns a failure into an exception with a one-line message naming the call:
//   out of memory (cudaErrorMemoryAllocation, CUBLAS_STATUS_ALLOC_FAILED, ...)  -> DeviceOutOfMemory (a std::bad_alloc)
//   cuDNN "not supported" or "bad parameter" (a shape cuDNN cannot take)        -> UnsupportedLayer
//   anything else                                                               -> std::runtime_error
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cudnn.h>
#include <curand.h>

#include <new>
#include <stdexcept>
#include <string>
#include <utility>

#include "benchmarks/backends/backend.hpp"

namespace layer_energy::bench::cuda {

// Out of device memory: a std::bad_alloc (the harness reports "out of memory preparing <case>") that keeps the call.
class DeviceOutOfMemory : public std::bad_alloc {
 public:
  explicit DeviceOutOfMemory(std::string message) : message_(std::move(message)) {}
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  std::string message_;
};

// "cudaMalloc(&p, bytes)" -> "cudaMalloc": the name of the call, without its arguments.
inline std::string call_name(const char* call) {
  std::string name(call);
  const auto paren = name.find('(');
  if (paren != std::string::npos) name.resize(paren);
  const auto space = name.find_last_of(" :");
  if (space != std::string::npos) name.erase(0, space + 1);
  return name;
}

inline const char* status_name(cublasStatus_t status) {
  switch (status) {
    case CUBLAS_STATUS_SUCCESS:
      return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED:
      return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_ALLOC_FAILED:
      return "CUBLAS_STATUS_ALLOC_FAILED";
    case CUBLAS_STATUS_INVALID_VALUE:
      return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_ARCH_MISMATCH:
      return "CUBLAS_STATUS_ARCH_MISMATCH";
    case CUBLAS_STATUS_MAPPING_ERROR:
      return "CUBLAS_STATUS_MAPPING_ERROR";
    case CUBLAS_STATUS_EXECUTION_FAILED:
      return "CUBLAS_STATUS_EXECUTION_FAILED";
    case CUBLAS_STATUS_INTERNAL_ERROR:
      return "CUBLAS_STATUS_INTERNAL_ERROR";
    case CUBLAS_STATUS_NOT_SUPPORTED:
      return "CUBLAS_STATUS_NOT_SUPPORTED";
    case CUBLAS_STATUS_LICENSE_ERROR:
      return "CUBLAS_STATUS_LICENSE_ERROR";
  }
  return "unknown cuBLAS status";
}

inline const char* status_name(curandStatus_t status) {
  switch (status) {
    case CURAND_STATUS_SUCCESS:
      return "CURAND_STATUS_SUCCESS";
    case CURAND_STATUS_VERSION_MISMATCH:
      return "CURAND_STATUS_VERSION_MISMATCH";
    case CURAND_STATUS_NOT_INITIALIZED:
      return "CURAND_STATUS_NOT_INITIALIZED";
    case CURAND_STATUS_ALLOCATION_FAILED:
      return "CURAND_STATUS_ALLOCATION_FAILED";
    case CURAND_STATUS_TYPE_ERROR:
      return "CURAND_STATUS_TYPE_ERROR";
    case CURAND_STATUS_OUT_OF_RANGE:
      return "CURAND_STATUS_OUT_OF_RANGE";
    case CURAND_STATUS_LENGTH_NOT_MULTIPLE:
      return "CURAND_STATUS_LENGTH_NOT_MULTIPLE";
    case CURAND_STATUS_DOUBLE_PRECISION_REQUIRED:
      return "CURAND_STATUS_DOUBLE_PRECISION_REQUIRED";
    case CURAND_STATUS_LAUNCH_FAILURE:
      return "CURAND_STATUS_LAUNCH_FAILURE";
    case CURAND_STATUS_PREEXISTING_FAILURE:
      return "CURAND_STATUS_PREEXISTING_FAILURE";
    case CURAND_STATUS_INITIALIZATION_FAILED:
      return "CURAND_STATUS_INITIALIZATION_FAILED";
    case CURAND_STATUS_ARCH_MISMATCH:
      return "CURAND_STATUS_ARCH_MISMATCH";
    case CURAND_STATUS_INTERNAL_ERROR:
      return "CURAND_STATUS_INTERNAL_ERROR";
  }
  return "unknown cuRAND status";
}

// cuDNN 8 has flat status codes; cuDNN 9 groups them in categories of 1000 (BAD_PARAM 2000, NOT_SUPPORTED 3000,
// INTERNAL_ERROR 4000 with HOST/DEVICE_ALLOCATION_FAILED 4003/4004, ...).
inline bool cudnn_is_unsupported(cudnnStatus_t status) {
#if CUDNN_MAJOR >= 9
  const int category = static_cast<int>(status) / 1000 * 1000;
  return category == static_cast<int>(CUDNN_STATUS_NOT_SUPPORTED) ||
         category == static_cast<int>(CUDNN_STATUS_BAD_PARAM);
#else
  return status == CUDNN_STATUS_NOT_SUPPORTED || status == CUDNN_STATUS_BAD_PARAM;
#endif
}

inline bool cudnn_is_out_of_memory(cudnnStatus_t status) {
#if CUDNN_MAJOR >= 9
  return status == CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED ||
         status == CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED;
#else
  return status == CUDNN_STATUS_ALLOC_FAILED;
#endif
}

inline void check(cudaError_t error, const char* call) {
  if (error == cudaSuccess) return;
  const std::string message = call_name(call) + ": " + cudaGetErrorString(error) + " (" + cudaGetErrorName(error) + ")";
  if (error == cudaErrorMemoryAllocation) {
    cudaGetLastError();  // not sticky: clear it so later calls do not see it
    throw DeviceOutOfMemory(message);
  }
  throw std::runtime_error(message);
}

inline void check(cudnnStatus_t status, const char* call) {
  if (status == CUDNN_STATUS_SUCCESS) return;
  const std::string message = call_name(call) + ": " + cudnnGetErrorString(status);
  if (cudnn_is_out_of_memory(status)) {
    cudaGetLastError();
    throw DeviceOutOfMemory(message);
  }
  if (cudnn_is_unsupported(status)) throw UnsupportedLayer(message);
  throw std::runtime_error(message);
}

inline void check(cublasStatus_t status, const char* call) {
  if (status == CUBLAS_STATUS_SUCCESS) return;
  const std::string message = call_name(call) + ": " + status_name(status);
  if (status == CUBLAS_STATUS_ALLOC_FAILED) {
    cudaGetLastError();
    throw DeviceOutOfMemory(message);
  }
  if (status == CUBLAS_STATUS_NOT_SUPPORTED) throw UnsupportedLayer(message);
  throw std::runtime_error(message);
}

inline void check(curandStatus_t status, const char* call) {
  if (status == CURAND_STATUS_SUCCESS) return;
  const std::string message = call_name(call) + ": " + status_name(status);
  if (status == CURAND_STATUS_ALLOCATION_FAILED) {
    cudaGetLastError();
    throw DeviceOutOfMemory(message);
  }
  throw std::runtime_error(message);
}

}  // namespace layer_energy::bench::cuda

// Checks a CUDA runtime, cuDNN, cuBLAS or cuRAND call; throws as described above.
#define LAYER_ENERGY_CUDA_CHECK(call) ::layer_energy::bench::cuda::check((call), #call)
