#include "benchmarks/backends/cpu/cpu_onednn_layer.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <thread>
#include <utility>

#include "benchmarks/backends/backend.hpp"
#include "benchmarks/backends/cpu/cpu_buffer.hpp"
#include "benchmarks/backends/cpu/cpu_memory_guard.hpp"
#include "benchmarks/backends/cpu/cpu_onednn.hpp"

namespace layer_energy::bench::cpu {

const dnnl::engine& onednn_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

int set_onednn_threads(int threads) {
#if DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_OMP
  // Looked up rather than linked: the OpenMP runtime to talk to is the one libdnnl loaded (libgomp on Debian), and
  // linking our own (-fopenmp; clang's is libomp) could put a second runtime into the process.
  using SetThreads = void (*)(int);
  static const auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
  if (set != nullptr) {
    set(threads);
    return threads;
  }
  return static_cast<int>(std::thread::hardware_concurrency());
#elif DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_SEQ
  static_cast<void>(threads);
  return 1;
#else
  static_cast<void>(threads);
  return static_cast<int>(std::thread::hardware_concurrency());
#endif
}

std::map<std::string, std::string> onednn_context() {
  const dnnl_version_t* v = dnnl::version();
#if DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_OMP
  const char* runtime = "OpenMP";
#elif DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_TBB
  const char* runtime = "TBB";
#elif DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_SEQ
  const char* runtime = "sequential";
#else
  const char* runtime = "other";
#endif
  return {
      {"onednn_version", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch)},
      {"onednn_runtime", runtime}};
}

bool is_reference_impl(const std::string& impl) {
  return impl.find("ref") != std::string::npos;
}

void throw_unsupported(const std::exception& error) {
  throw UnsupportedLayer(std::string("onednn: ") + error.what());
}

namespace {

std::string kind_name(dnnl::primitive::kind kind) {
  switch (kind) {
    case dnnl::primitive::kind::convolution:
      return "convolution";
    case dnnl::primitive::kind::inner_product:
      return "inner_product";
    case dnnl::primitive::kind::matmul:
      return "matmul";
    default:
      return "primitive";
  }
}

}  // namespace

OneDnnLayer::OneDnnLayer(std::shared_ptr<ThreadPool> pool) : CpuLayer(std::move(pool)), stream_(onednn_engine()) {}

void OneDnnLayer::allocate(int64_t src_floats, int64_t weight_floats, int64_t dst_floats, uint64_t seed) {
  input_ = AlignedBuffer(static_cast<std::size_t>(src_floats));
  weights_ = AlignedBuffer(static_cast<std::size_t>(weight_floats));
  output_ = AlignedBuffer(static_cast<std::size_t>(dst_floats));
  fill(seed);
}

void OneDnnLayer::bind(const OneDnnCandidate& c) {
  const dnnl::memory::desc src = c.pd.src_desc(), weights = c.pd.weights_desc(), dst = c.pd.dst_desc();
  const dnnl::memory::desc scratchpad = c.pd.scratchpad_desc();
  args_.clear();  // the previous candidate's copies go before this one's are allocated
  double bytes = static_cast<double>(input_.size() + weights_.size() + output_.size()) * sizeof(float) +
                 static_cast<double>(scratchpad.get_size());
  if (src != c.src) bytes += static_cast<double>(src.get_size());
  if (weights != c.weights) bytes += static_cast<double>(weights.get_size());
  if (dst != c.dst) bytes += static_cast<double>(dst.get_size());
  check_memory(bytes);

  threads_ = set_onednn_threads(pool_->size());
  const dnnl::engine& engine = onednn_engine();
  // The primitive's tensor: the plain one itself when the layouts agree, else a copy reordered into.
  const auto placed = [&](const dnnl::memory::desc& plain_desc, float* data, const dnnl::memory::desc& wanted) {
    dnnl::memory plain(plain_desc, engine, data);
    if (wanted == plain_desc) return plain;
    dnnl::memory copy(wanted, engine);
    dnnl::reorder(plain, copy).execute(stream_, plain, copy);
    return copy;
  };
  args_[DNNL_ARG_SRC] = placed(c.src, input_.data(), src);
  args_[DNNL_ARG_WEIGHTS] = placed(c.weights, weights_.data(), weights);
  plain_dst_ = dnnl::memory(c.dst, engine, output_.data());
  primitive_dst_ = dst == c.dst ? plain_dst_ : dnnl::memory(dst, engine);
  args_[DNNL_ARG_DST] = primitive_dst_;
  // A scratchpad of our own (attr scratchpad_mode::user), so that an execution allocates none.
  if (scratchpad.get_size() > 0) args_[DNNL_ARG_SCRATCHPAD] = dnnl::memory(scratchpad, engine);
  stream_.wait();
  primitive_ = c.primitive;
  impl_ = kind_name(c.pd.get_kind()) + " " + c.pd.impl_info_str();
}

void OneDnnLayer::bind_fastest(const std::vector<OneDnnCandidate>& candidates) {
  std::size_t best = 0;
  if (candidates.size() > 1) {
    double best_s = 0;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      bind(candidates[i]);
      // Best of 3 batches of ~2 ms each (at least one iteration) after a warm-up: enough to tell layouts apart
      // that differ by tens of percent, cheap next to the measurement that follows.
      const double once = run(1);
      const auto n = static_cast<int64_t>(std::max(1.0, 2e-3 / std::max(once, 1e-7)));
      double seconds = run(n) / static_cast<double>(n);
      for (int repeat = 0; repeat < 2; ++repeat) seconds = std::min(seconds, run(n) / static_cast<double>(n));
      if (i == 0 || seconds < best_s) {
        best = i;
        best_s = seconds;
      }
    }
  }
  bind(candidates[best]);
  run_once();  // the output belongs to the bound primitive even if output() is asked for before any run()
}

void OneDnnLayer::before_run() {
  set_onednn_threads(pool_->size());
}

void OneDnnLayer::run_once() {
  primitive_.execute(stream_, args_);
  stream_.wait();
}

void OneDnnLayer::sync_output() {
  if (primitive_dst_ == plain_dst_) return;
  set_onednn_threads(pool_->size());
  dnnl::reorder(primitive_dst_, plain_dst_).execute(stream_, primitive_dst_, plain_dst_);
  stream_.wait();
}

std::map<std::string, double> OneDnnLayer::kernel_record() const {
  // One primitive per iteration; its blocking is internal to oneDNN, so no tile count is claimed.
  return {{"kernels", 1}, {"cpu_threads", static_cast<double>(threads_)}};
}

std::string OneDnnLayer::describe() const {
  return "onednn " + impl_ + ", " + std::to_string(threads_) + " threads";
}

}  // namespace layer_energy::bench::cpu
