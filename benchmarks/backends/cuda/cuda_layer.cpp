#include "benchmarks/backends/cuda/cuda_layer.hpp"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <utility>

#include "benchmarks/backends/cuda/cuda_check.hpp"
#include "benchmarks/backends/cuda/cuda_event.hpp"

namespace layer_energy::bench::cuda {

namespace {

// One graph holds about this much device work, so that launching it costs the host a small fraction of its time.
constexpr double kGraphTargetSeconds = 100e-6;
constexpr int64_t kMaxGraphBatch = 64;

}  // namespace

CudaPreparedLayer::CudaPreparedLayer(std::shared_ptr<const Context> context) : context_(std::move(context)) {}

CudaPreparedLayer::~CudaPreparedLayer() {
  wait_idle();
}

void CudaPreparedLayer::wait_idle() noexcept {
  if (context_ && context_->stream != nullptr) cudaStreamSynchronize(context_->stream);
}

GraphExec CudaPreparedLayer::capture(int64_t forwards) {
  const cudaStream_t stream = context_->stream;
  // Thread-local mode: a call on this thread that cannot be captured fails (and the layer falls back to stream
  // launches) instead of silently running outside the graph; other threads (the power sampler) are not affected.
  LAYER_ENERGY_CUDA_CHECK(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal));
  cudaGraph_t graph = nullptr;
  try {
    for (int64_t i = 0; i < forwards; ++i) forward();
  } catch (...) {
    cudaStreamEndCapture(stream, &graph);
    if (graph != nullptr) cudaGraphDestroy(graph);
    cudaGetLastError();
    throw;
  }
  const cudaError_t ended = cudaStreamEndCapture(stream, &graph);
  if (ended != cudaSuccess) {
    if (graph != nullptr) cudaGraphDestroy(graph);
    cudaGetLastError();
    LAYER_ENERGY_CUDA_CHECK(ended);
  }
  cudaGraphExec_t exec = nullptr;
#if CUDART_VERSION >= 11040
  const cudaError_t instantiated = cudaGraphInstantiateWithFlags(&exec, graph, 0);
#else
  const cudaError_t instantiated = cudaGraphInstantiate(&exec, graph, nullptr, nullptr, 0);
#endif
  cudaGraphDestroy(graph);  // the executable graph keeps what it needs
  LAYER_ENERGY_CUDA_CHECK(instantiated);
  return GraphExec(exec);
}

void CudaPreparedLayer::launch(const GraphExec& graph) {
  LAYER_ENERGY_CUDA_CHECK(cudaGraphLaunch(graph.get(), context_->stream));
}

double CudaPreparedLayer::time_forwards(int count) {
  Event start, stop;
  start.record(context_->stream);
  for (int i = 0; i < count; ++i) {
    if (single_) {
      launch(single_);
    } else {
      forward();
    }
  }
  stop.record(context_->stream);
  return elapsed_s(start, stop) / count;
}

void CudaPreparedLayer::finish_prepare() {
  // One eager forward: a library error surfaces here (the case is skipped with it), and lazy initialisation
  // (module loading, cuBLAS's workspace) happens before any capture.
  forward();
  LAYER_ENERGY_CUDA_CHECK(cudaStreamSynchronize(context_->stream));
  LAYER_ENERGY_CUDA_CHECK(cudaGetLastError());
  // What one forward launches, with the modules loaded (so no one-off setup kernel counts).
  record_ = record_kernels([this] {
    forward();
    LAYER_ENERGY_CUDA_CHECK(cudaStreamSynchronize(context_->stream));
  });
  forward_s_ = time_forwards(3);
  use_graphs_ = false;
  batch_size_ = 1;
  if (!context_->graphs) {
    launch_note_ = "launch: stream (graphs turned off)";
    return;
  }
  try {
    single_ = capture(1);
    launch(single_);
    LAYER_ENERGY_CUDA_CHECK(cudaStreamSynchronize(context_->stream));
    forward_s_ = time_forwards(3);
    const double ratio = std::ceil(kGraphTargetSeconds / std::max(forward_s_, 1e-9));
    batch_size_ = std::min<int64_t>(kMaxGraphBatch, std::max<int64_t>(1, static_cast<int64_t>(ratio)));
    if (batch_size_ > 1) {
      batch_ = capture(batch_size_);
      launch(batch_);
      LAYER_ENERGY_CUDA_CHECK(cudaStreamSynchronize(context_->stream));
    }
    use_graphs_ = true;
    launch_note_ = "launch: CUDA graph of " + std::to_string(batch_size_) + " forward" + (batch_size_ > 1 ? "s" : "");
  } catch (const std::exception& e) {
    // Graphs are an optimisation: fall back to launching every forward on the stream, and say why.
    cudaStreamSynchronize(context_->stream);
    cudaGetLastError();
    single_ = GraphExec();
    batch_ = GraphExec();
    use_graphs_ = false;
    batch_size_ = 1;
    launch_note_ = std::string("launch: stream (graph capture failed: ") + e.what() + ")";
  }
}

void CudaPreparedLayer::enqueue() {
  if (!use_graphs_) {
    forward();
    return;
  }
  if (++pending_ < batch_size_) return;
  pending_ = 0;
  launch(batch_size_ > 1 ? batch_ : single_);
}

void CudaPreparedLayer::flush() {
  for (; pending_ > 0; --pending_) launch(single_);
}

void CudaPreparedLayer::synchronize() {
  flush();
  LAYER_ENERGY_CUDA_CHECK(cudaStreamSynchronize(context_->stream));
}

double CudaPreparedLayer::run(int64_t iterations) {
  if (iterations <= 0) return 0.0;
  flush();
  Event start, stop;
  start.record(context_->stream);
  for (int64_t i = 0; i < iterations; ++i) enqueue();
  flush();
  stop.record(context_->stream);
  return elapsed_s(start, stop);
}

double CudaPreparedLayer::time_from_graph() {
  const cudaStream_t stream = context_->stream;
  try {
    forward();
    LAYER_ENERGY_CUDA_CHECK(cudaStreamSynchronize(stream));
    constexpr int kForwards = 10;
    constexpr int kLaunches = 3;
    const GraphExec graph = capture(kForwards);
    launch(graph);
    Event start;
    Event stop;
    start.record(stream);
    for (int i = 0; i < kLaunches; ++i) launch(graph);
    stop.record(stream);
    return elapsed_s(start, stop) / (kForwards * kLaunches);
  } catch (const std::runtime_error&) {
    cudaGetLastError();  // a sticky capture error must not reach the next candidate
    return 0.0;
  }
}

std::string CudaPreparedLayer::description() const {
  char timing[64];
  std::snprintf(timing, sizeof timing, "; %.3g us per forward at prepare", forward_s_ * 1e6);
  return describe() + "; " + launch_note_ + timing;
}

}  // namespace layer_energy::bench::cuda
