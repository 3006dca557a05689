// The base of the CPU backend's prepared layers, Eigen and oneDNN alike (internal; see
// benchmarks/backends/cpu/cpu_backend.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "benchmarks/backends/backend.hpp"
#include "benchmarks/backends/cpu/cpu_buffer.hpp"
#include "benchmarks/backends/cpu/cpu_thread_pool.hpp"

namespace layer_energy::bench::cpu {

// What the CPU conv and FC share (Eigen and oneDNN alike): the pool, the three tensors in their plain layouts, the
// timed loop over run_once() and the copies of the tensors. A derived layer allocates the tensors, then calls
// fill(seed), and defines one iteration in run_once() and its label in describe().
class CpuLayer : public PreparedLayer {
 public:
  double run(int64_t iterations) final;
  std::vector<float> output() final;
  std::vector<float> input() final { return input_.copy(); }
  std::vector<float> weights() final { return weights_.copy(); }
  std::string description() const final { return note_.empty() ? describe() : describe() + " (" + note_ + ")"; }
  // Appended to the label in parentheses: why this implementation runs the case.
  void set_note(std::string note) { note_ = std::move(note); }

 protected:
  explicit CpuLayer(std::shared_ptr<ThreadPool> pool) : pool_(std::move(pool)) {}
  // Fills input (stream 0) and weights (stream 1) from `seed` and zeroes the output.
  void fill(uint64_t seed);
  // One iteration of the layer over the whole batch.
  virtual void run_once() = 0;
  // Called by run() before its clock starts (per-run settings such as a runtime's thread count).
  virtual void before_run() {}
  // Brings output_ up to date from where run_once() wrote it (a layout of its own), outside the timed loop.
  virtual void sync_output() {}
  virtual std::string describe() const = 0;

  std::shared_ptr<ThreadPool> pool_;
  AlignedBuffer input_, weights_, output_;

 private:
  bool ran_ = false;
  std::string note_;
};

}  // namespace layer_energy::bench::cpu
