// The seam between the harness and a compute backend (CPU with Eigen; CUDA with cuDNN/cuBLAS).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "layers/layer.hpp"

namespace layer_energy::bench {

// A layer the backend cannot run in this configuration (e.g. no cuDNN algorithm): the case is skipped with `what()`.
class UnsupportedLayer : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One layer, prepared: buffers allocated and filled with random values (never zeros), algorithm chosen.
class PreparedLayer {
 public:
  PreparedLayer() = default;
  PreparedLayer(const PreparedLayer&) = delete;
  PreparedLayer& operator=(const PreparedLayer&) = delete;
  virtual ~PreparedLayer() = default;

  // Runs the layer `iterations` times back to back and waits until the work is done. Returns the seconds the work
  // took on the device (GPU events) or on the host clock (CPU), measured around exactly those iterations.
  virtual double run(int64_t iterations) = 0;
  // One iteration, asynchronously where the device allows (GPU: launched on the stream), so a timed loop can keep
  // the device busy back to back; synchronize() waits for everything enqueued. CPU: enqueue runs synchronously.
  virtual void enqueue() { run(1); }
  virtual void synchronize() {}
  // Output tensor as host floats in the backend's layout (NCHW for conv, N x out for FC), for correctness tests.
  virtual std::vector<float> output() = 0;
  // Input and weights as host floats (NCHW / KCRS for conv; N x in and in x out row-major for FC).
  virtual std::vector<float> input() = 0;
  virtual std::vector<float> weights() = 0;
  // Backend-specific facts about this case (cuDNN algorithm, workspace bytes) for the case's label.
  virtual std::string description() const { return {}; }
  // What ran, as numeric counters for the model (design.md "Measuring for the model"): `kernels` (launches or
  // parallel regions per iteration), and where known `cpu_threads`, `tiles` (CPU; not `threads`, which is Google
  // Benchmark's own field), `blocks`, `threads_per_block` (GPU).
  // Read once per case, outside the timed window. Empty: not known (never guessed).
  virtual std::map<std::string, double> kernel_record() const { return {}; }
};

class Backend {
 public:
  Backend() = default;
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;
  virtual ~Backend() = default;

  virtual std::string name() const = 0;  // "cpu" or "cuda"
  // Device or CPU model for the context's `board` when no power source names one.
  virtual std::string device_name() const = 0;
  // Versions and settings for the JSON context (e.g. "cudnn_version", "threads").
  virtual std::map<std::string, std::string> context() const = 0;
  // Throws UnsupportedLayer for a configuration it cannot run, std::bad_alloc when out of memory.
  virtual std::unique_ptr<PreparedLayer> prepare(const layers::Layer& layer, layers::Precision precision,
                                                 layers::Layout layout, uint64_t seed) = 0;
};

}  // namespace layer_energy::bench
