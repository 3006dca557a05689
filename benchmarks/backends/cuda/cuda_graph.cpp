#include "benchmarks/backends/cuda/cuda_graph.hpp"

namespace layer_energy::bench::cuda {

GraphExec::~GraphExec() {
  if (exec_ != nullptr) cudaGraphExecDestroy(exec_);
}

GraphExec::GraphExec(GraphExec&& other) noexcept : exec_(other.exec_) {
  other.exec_ = nullptr;
}

GraphExec& GraphExec::operator=(GraphExec&& other) noexcept {
  if (this != &other) {
    if (exec_ != nullptr) cudaGraphExecDestroy(exec_);
    exec_ = other.exec_;
    other.exec_ = nullptr;
  }
  return *this;
}

}  // namespace layer_energy::bench::cuda
