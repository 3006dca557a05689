// The base of the CUDA backend's prepared layers: forwards launched back to back on the stream or from captured CUDA
// graphs (internal; see benchmarks/backends/cuda/cuda_backend.hpp for the design).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "benchmarks/backends/backend.hpp"
#include "benchmarks/backends/cuda/cuda_context.hpp"
#include "benchmarks/backends/cuda/cuda_graph.hpp"
#include "benchmarks/backends/cuda/cuda_kernel_record.hpp"

namespace layer_energy::bench::cuda {

// The prepared-layer base: run/enqueue/synchronize over a derived class's forward(). A derived constructor
// allocates and fills its buffers, chooses its algorithm and then calls finish_prepare(), which runs one forward
// eagerly (errors surface in prepare, not in the timed loop), measures it and captures the graphs.
class CudaPreparedLayer : public PreparedLayer {
 public:
  double run(int64_t iterations) override;
  void enqueue() override;
  void synchronize() override;
  std::string description() const override;
  std::map<std::string, double> kernel_record() const override { return record_.counters(); }

  // How forwards are launched: "graph" (CUDA graphs of graph_batch() forwards) or "stream".
  bool uses_graphs() const { return use_graphs_; }
  int64_t graph_batch() const { return batch_size_; }

 protected:
  explicit CudaPreparedLayer(std::shared_ptr<const Context> context);
  ~CudaPreparedLayer() override;

  // One forward, launched on context().stream without waiting. Throws on a library error.
  virtual void forward() = 0;
  // The layer's own facts for description() (library call, algorithm, workspace).
  virtual std::string describe() const = 0;

  void finish_prepare();
  // Waits for the stream, ignoring errors: derived destructors call it before their buffers go.
  void wait_idle() noexcept;

  const Context& context() const { return *context_; }
  const std::shared_ptr<const Context>& shared_context() const { return context_; }

  // `forwards` forwards captured into one graph (thread-local capture mode), and launching it on the stream; also
  // used to time algorithm candidates without host launch overhead.
  GraphExec capture(int64_t forwards);
  void launch(const GraphExec& graph);
  // Device seconds per forward as configured now, for choosing among a library's candidates: one eager forward
  // (lazy initialisation), then a CUDA graph of 10 forwards launched once to warm and 3 times timed. Plain stream
  // launches would measure the library's host overhead (several µs a call) instead of the kernels. 0 when the
  // configuration cannot run or be captured (the error is cleared).
  double time_from_graph();

 private:
  void flush();
  double time_forwards(int count);  // device seconds per forward, over `count` eager or single-graph launches

  std::shared_ptr<const Context> context_;
  GraphExec single_;  // one forward
  GraphExec batch_;   // batch_size_ forwards (empty when batch_size_ == 1)
  bool use_graphs_ = false;
  int64_t batch_size_ = 1;
  int64_t pending_ = 0;   // forwards enqueued but not yet launched
  double forward_s_ = 0;  // device seconds per forward, measured in finish_prepare()
  std::string launch_note_;
  KernelRecord record_;  // from CUPTI, taken in finish_prepare() (never in a timed window)
};

}  // namespace layer_energy::bench::cuda
