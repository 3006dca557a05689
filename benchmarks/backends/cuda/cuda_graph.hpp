// The CUDA backend's owning handle of an instantiated CUDA graph (internal; see
// benchmarks/backends/cuda/cuda_backend.hpp).
#pragma once

#include <cuda_runtime_api.h>

namespace layer_energy::bench::cuda {

// An instantiated CUDA graph (owning).
class GraphExec {
 public:
  GraphExec() = default;
  explicit GraphExec(cudaGraphExec_t exec) : exec_(exec) {}
  ~GraphExec();
  GraphExec(GraphExec&& other) noexcept;
  GraphExec& operator=(GraphExec&& other) noexcept;
  GraphExec(const GraphExec&) = delete;
  GraphExec& operator=(const GraphExec&) = delete;
  cudaGraphExec_t get() const { return exec_; }
  explicit operator bool() const { return exec_ != nullptr; }

 private:
  cudaGraphExec_t exec_ = nullptr;
};

}  // namespace layer_energy::bench::cuda
