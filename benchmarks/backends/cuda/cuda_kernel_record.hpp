// The kernels one forward of a CUDA layer launches, from CUPTI's activity records (where the build found CUPTI:
// LAYER_ENERGY_CUPTI=AUTO): how many, and the launch configuration of the longest one (the layer's main kernel). It
// runs the forward it is given once, with kernel activity recording on, outside any timed window: the prepared layer
// calls it when it is prepared. Libraries' own reports (cuDNN, cuBLAS) give no launch configuration, so without
// CUPTI nothing is recorded and the reason says why.
#pragma once

#include <functional>
#include <map>
#include <string>

namespace layer_energy::bench::cuda {

struct KernelRecord {
  bool ok = false;
  std::string why;  // when not ok: one line
  double kernels = 0;  // launches per forward
  // The longest kernel's:
  double blocks = 0, threads_per_block = 0, registers_per_thread = 0, shared_memory_bytes = 0;
  std::string name;

  // The counters layer_bench writes (empty when not ok).
  std::map<std::string, double> counters() const;
};

// Runs `forward_and_wait` (one forward, then a wait for the stream) with recording on.
KernelRecord record_kernels(const std::function<void()>& forward_and_wait);

}  // namespace layer_energy::bench::cuda
