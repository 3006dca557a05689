#include "benchmarks/backends/cuda/cuda_event.hpp"

#include "benchmarks/backends/cuda/cuda_check.hpp"

namespace layer_energy::bench::cuda {

Event::Event() {
  LAYER_ENERGY_CUDA_CHECK(cudaEventCreate(&event_));
}

Event::~Event() {
  if (event_ != nullptr) cudaEventDestroy(event_);
}

void Event::record(cudaStream_t stream) {
  LAYER_ENERGY_CUDA_CHECK(cudaEventRecord(event_, stream));
}

double elapsed_s(const Event& start, const Event& stop) {
  LAYER_ENERGY_CUDA_CHECK(cudaEventSynchronize(stop.get()));
  float ms = 0;
  LAYER_ENERGY_CUDA_CHECK(cudaEventElapsedTime(&ms, start.get(), stop.get()));
  return static_cast<double>(ms) * 1e-3;
}

}  // namespace layer_energy::bench::cuda
