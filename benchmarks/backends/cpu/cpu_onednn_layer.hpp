// What the oneDNN conv and FC share: the CPU engine, the thread count, and a prepared layer that runs one primitive on
// tensors in the layouts the primitive picked (internal; see benchmarks/backends/cpu/cpu_onednn.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "benchmarks/backends/cpu/cpu_layer.hpp"
#include "benchmarks/backends/cpu/cpu_thread_pool.hpp"

namespace layer_energy::bench::cpu {

// The process's CPU engine (one is enough; every primitive and memory of the backend lives on it).
const dnnl::engine& onednn_engine();

// Makes the primitives that the calling thread executes next run on `threads` threads, and returns the count they
// will use. OpenMP builds (Debian's, Ubuntu's): omp_set_num_threads. Sequential builds: 1. Other runtimes (TBB,
// threadpool) keep their own default, which is every core.
int set_onednn_threads(int threads);

// True for oneDNN's reference implementations ("ref:any", "gemm:ref", ...): plain loops for checking, not for use.
bool is_reference_impl(const std::string& impl);

// Turns a dnnl::error out of primitive creation into the UnsupportedLayer that skips the case, naming oneDNN's reason.
[[noreturn]] void throw_unsupported(const std::exception& error);

// A primitive to run a layer with, and the descriptors of the layer's plain tensors as that primitive names them
// (an inner product's weights are out x in, a matmul's in x out: the same bytes either way).
struct OneDnnCandidate {
  dnnl::primitive_desc_base pd;
  dnnl::primitive primitive;
  dnnl::memory::desc src, weights, dst;
};

// One primitive with its tensors. input_, weights_ and output_ (the base's) hold the plain layouts the harness and
// the tests see; where the primitive picked another layout, a copy in that layout is what it runs on: input and
// weights are reordered into it once, when bound, and the output is reordered back only when asked for.
class OneDnnLayer : public CpuLayer {
 protected:
  explicit OneDnnLayer(std::shared_ptr<ThreadPool> pool);

  // Allocates the plain tensors (this many floats each) and fills them from `seed`.
  void allocate(int64_t src_floats, int64_t weight_floats, int64_t dst_floats, uint64_t seed);
  // Runs on `candidate` from now on: checks memory for its copies and scratchpad, allocates them, reorders into them.
  void bind(const OneDnnCandidate& candidate);
  // Binds each candidate in turn, times a few iterations of it, and keeps the fastest: oneDNN's own choice of
  // layout is not always its fastest (for FC at batch 1, the plain weights run faster than its blocked ones).
  void bind_fastest(const std::vector<OneDnnCandidate>& candidates);

 private:
  void before_run() override;
  void run_once() override;
  void sync_output() override;
  std::string describe() const override;
  std::map<std::string, double> kernel_record() const override;

  dnnl::stream stream_;
  dnnl::primitive primitive_;
  std::unordered_map<int, dnnl::memory> args_;
  dnnl::memory plain_dst_, primitive_dst_;  // the same memory when the primitive writes the plain layout
  std::string impl_;  // primitive kind and oneDNN's implementation, e.g. "convolution brgconv:avx512_core"
  int threads_ = 1;
};

}  // namespace layer_energy::bench::cpu
