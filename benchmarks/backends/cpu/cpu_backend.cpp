#include "benchmarks/backends/cpu/cpu_backend.hpp"

#include <Eigen/Core>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "benchmarks/backends/cpu/cpu_batchnorm.hpp"
#include "benchmarks/backends/cpu/cpu_conv.hpp"
#include "benchmarks/backends/cpu/cpu_eltwise.hpp"
#include "benchmarks/backends/cpu/cpu_fc.hpp"
#include "benchmarks/backends/cpu/cpu_layer.hpp"
#include "benchmarks/backends/cpu/cpu_pool.hpp"
#include "benchmarks/backends/cpu/cpu_thread_pool.hpp"
#if LAYER_ENERGY_HAVE_ONEDNN
#include "benchmarks/backends/cpu/cpu_onednn.hpp"
#endif

namespace layer_energy::bench {
namespace {

std::string trim(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return {};
  const auto end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

// The first "model name" of /proc/cpuinfo (x86, and most ARM kernels); "cpu" when there is none.
std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos || trim(line.substr(0, colon)) != "model name") continue;
    const std::string model = trim(line.substr(colon + 1));
    if (!model.empty()) return model;
  }
  return "cpu";
}

class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(const CpuBackendOptions& options) {
    int threads = options.threads;
    if (threads <= 0) threads = static_cast<int>(std::thread::hardware_concurrency());
    if (threads <= 0) threads = 1;
    pool_ = std::make_shared<cpu::ThreadPool>(threads);
    device_ = cpu_model();
    impl_ = options.impl;
    std::string why;
    const bool onednn = cpu_onednn_built(&why);
    if (impl_ == CpuImpl::onednn && !onednn) throw std::invalid_argument("cpu backend: " + why);
    if (!onednn) impl_ = CpuImpl::eigen;
  }

  std::string name() const override { return "cpu"; }
  std::string device_name() const override { return device_; }

  std::map<std::string, std::string> context() const override {
    std::map<std::string, std::string> context = {
        {"cpu_threads", std::to_string(pool_->size())},
        {"cpu_impl", impl_ == CpuImpl::eigen ? "eigen" : "onednn"},
        {"eigen_version", std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
                              std::to_string(EIGEN_MINOR_VERSION)},
        {"cpu_simd", Eigen::SimdInstructionSetsInUse()}};
#if LAYER_ENERGY_HAVE_ONEDNN
    for (const auto& kv : cpu::onednn_context()) context.insert(kv);
#endif
    return context;
  }

  std::unique_ptr<PreparedLayer> prepare(const layers::Layer& layer, layers::Precision precision, layers::Layout layout,
                                         uint64_t seed) override {
    if (precision != layers::Precision::fp32) {
      throw UnsupportedLayer(std::string("cpu backend: only fp32 (asked for ") + layers::to_string(precision) + ")");
    }
    const std::string problem = layers::validate(layer);
    if (!problem.empty()) throw UnsupportedLayer(problem);
    const bool fc = layer.type == layers::LayerType::fc;
    if (!fc && layout != layers::Layout::nchw) throw UnsupportedLayer("cpu backend: only the nchw layout");
    // Pooling, add, activation and batch-norm run on the backend's own plane loops whichever implementation was
    // asked for (their labels start with "loops").
    switch (layer.type) {
      case layers::LayerType::pool:
        return cpu::prepare_pool(layer.op, seed, pool_);
      case layers::LayerType::add:
        return cpu::prepare_add(layer.op, seed, pool_);
      case layers::LayerType::act:
        return cpu::prepare_act(layer.op, seed, pool_);
      case layers::LayerType::bn:
        return cpu::prepare_batchnorm(layer.op, seed, pool_);
      case layers::LayerType::conv:
      case layers::LayerType::fc:
        break;
    }
#if LAYER_ENERGY_HAVE_ONEDNN
    if (impl_ != CpuImpl::eigen) {
      const auto policy = impl_ == CpuImpl::onednn ? cpu::ReferencePolicy::accept : cpu::ReferencePolicy::decline;
      std::string impl;
      auto onednn = fc ? cpu::prepare_onednn_fc(layer.fc, seed, pool_, policy, &impl)
                       : cpu::prepare_onednn_conv(layer.conv, seed, pool_, policy, &impl);
      if (onednn) return onednn;
      auto eigen = fc ? cpu::prepare_fc(layer.fc, seed, pool_) : cpu::prepare_conv(layer.conv, seed, pool_);
      eigen->set_note("oneDNN has only " + impl + " for it");
      return eigen;
    }
#endif
    if (fc) return cpu::prepare_fc(layer.fc, seed, pool_);
    return cpu::prepare_conv(layer.conv, seed, pool_);
  }

 private:
  std::shared_ptr<cpu::ThreadPool> pool_;  // shared with the prepared layers, which may outlive the backend
  std::string device_;
  CpuImpl impl_ = CpuImpl::eigen;  // resolved: automatic only where oneDNN is built
};

}  // namespace

bool cpu_onednn_built(std::string* why) {
#if LAYER_ENERGY_HAVE_ONEDNN
  static_cast<void>(why);
  return true;
#else
  if (why != nullptr) *why = LAYER_ENERGY_ONEDNN_MISSING;
  return false;
#endif
}

std::unique_ptr<Backend> make_cpu_backend(const CpuBackendOptions& options) {
  return std::make_unique<CpuBackend>(options);
}

}  // namespace layer_energy::bench
