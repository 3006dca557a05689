// The CUDA backend's device timing: CUDA events and the device time between two of them (internal; see
// benchmarks/backends/cuda/cuda_backend.hpp).
#pragma once

#include <cuda_runtime_api.h>

namespace layer_energy::bench::cuda {

// A CUDA event for timing; elapsed_s(a, b) is the device time between two recorded events.
class Event {
 public:
  Event();
  ~Event();
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  void record(cudaStream_t stream);
  cudaEvent_t get() const { return event_; }

 private:
  cudaEvent_t event_ = nullptr;
};
double elapsed_s(const Event& start, const Event& stop);  // waits for `stop`

}  // namespace layer_energy::bench::cuda
