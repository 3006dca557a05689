#include "benchmarks/backends/cuda/cuda_backend.hpp"

#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cudnn.h>
#include <curand.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <utility>

#include "benchmarks/backends/cuda/cuda_check.hpp"
#include "benchmarks/backends/cuda/cuda_context.hpp"
#include "benchmarks/backends/cuda/cuda_conv.hpp"
#include "benchmarks/backends/cuda/cuda_fc.hpp"
#include "benchmarks/backends/cuda/cuda_tensor_ops.hpp"

namespace layer_energy::bench {

namespace {

// CUDA runtime and driver versions are 1000 * major + 10 * minor.
std::string cuda_version_text(int version) {
  return std::to_string(version / 1000) + "." + std::to_string(version % 1000 / 10);
}

// cudnnGetVersion(): cuDNN 8 encodes 1000 * major + 100 * minor + patch, cuDNN 9 10000 * major + 100 * minor + patch.
int cudnn_major_of(std::size_t version) {
  return static_cast<int>(version >= 90000 ? version / 10000 : version / 1000);
}

std::string cudnn_version_text(std::size_t version) {
  const std::size_t minor_patch = version >= 90000 ? version % 10000 : version % 1000;
  return std::to_string(cudnn_major_of(version)) + "." + std::to_string(minor_patch / 100) + "." +
         std::to_string(minor_patch % 100);
}

bool graphs_from_environment(bool requested) {
  const char* value = std::getenv("LAYER_ENERGY_CUDA_GRAPHS");
  if (value == nullptr || *value == '\0') return requested;
  const std::string text(value);
  return !(text == "0" || text == "off" || text == "OFF" || text == "false" || text == "no");
}

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(std::shared_ptr<const cuda::Context> context) : context_(std::move(context)) {
    const cuda::Context& c = *context_;
    int runtime = 0, driver = 0;
    cudaRuntimeGetVersion(&runtime);
    cudaDriverGetVersion(&driver);
    int major = 0, minor = 0, patch = 0;
    cublasGetProperty(MAJOR_VERSION, &major);
    cublasGetProperty(MINOR_VERSION, &minor);
    cublasGetProperty(PATCH_LEVEL, &patch);
    int curand = 0;
    curandGetVersion(&curand);  // 1000 * major + 100 * minor + patch
    char memory[32];
    std::snprintf(memory, sizeof memory, "%.1f", static_cast<double>(c.total_memory) / (1024.0 * 1024.0 * 1024.0));
    context_map_ = {
        {"cuda_runtime_version", cuda_version_text(runtime)},
        {"cuda_driver_version", cuda_version_text(driver)},
        {"cudnn_version", cudnn_version_text(cudnnGetVersion())},
        {"cublas_version", std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch)},
        {"curand_version", std::to_string(curand / 1000) + "." + std::to_string(curand % 1000 / 100) + "." +
                               std::to_string(curand % 100)},
        {"gpu_name", c.name},
        {"gpu_pci_bus_id", cuda_pci_bus_id(c.device)},
        {"gpu_sm_count", std::to_string(c.sm_count)},
        {"gpu_compute_capability", std::to_string(c.cc_major) + "." + std::to_string(c.cc_minor)},
        {"gpu_memory_GiB", memory},
        {"cuda_device", std::to_string(c.device)},
        {"cuda_graphs", c.graphs ? "on" : "off"},
        // Where each case's kernels/blocks/threads_per_block counters come from, or why there are none.
        {"kernel_record", LAYER_ENERGY_HAVE_CUPTI ? "cupti" : LAYER_ENERGY_CUPTI_MISSING},
    };
  }

  std::string name() const override { return "cuda"; }
  std::string device_name() const override { return context_->name; }
  std::map<std::string, std::string> context() const override { return context_map_; }

  std::unique_ptr<PreparedLayer> prepare(const layers::Layer& layer, layers::Precision precision, layers::Layout layout,
                                         uint64_t seed) override {
    const std::string problem = layers::validate(layer);
    if (!problem.empty()) throw UnsupportedLayer(problem);
    context_->make_current();
    if (!layers::has_weights(layer.type)) return cuda::prepare_tensor_op(context_, layer, precision, layout, seed);
    if (layer.type == layers::LayerType::fc) return cuda::prepare_fc(context_, layer.fc, precision, seed);
    return cuda::prepare_conv(context_, layer.conv, precision, layout, seed);
  }

 private:
  std::shared_ptr<const cuda::Context> context_;  // shared with the prepared layers, which may outlive the backend
  std::map<std::string, std::string> context_map_;
};

}  // namespace

std::unique_ptr<Backend> make_cuda_backend(int device, std::string* why) {
  return make_cuda_backend(device, why, CudaBackendOptions{});
}

std::unique_ptr<Backend> make_cuda_backend(int device, std::string* why, const CudaBackendOptions& options) {
  std::string reason;
  try {
    int count = 0;
    const cudaError_t error = cudaGetDeviceCount(&count);
    if (error != cudaSuccess) {
      cudaGetLastError();
      reason = std::string("CUDA: ") + cudaGetErrorString(error) + " (" + cudaGetErrorName(error) + ")";
    } else if (count == 0) {
      reason = "CUDA: no CUDA device";
    } else if (device < 0 || device >= count) {
      reason = "no CUDA device " + std::to_string(device) + " (this machine has " + std::to_string(count) +
               (count == 1 ? " device)" : " devices)");
    } else if (cudnn_major_of(cudnnGetVersion()) != CUDNN_MAJOR) {
      reason = "cuDNN " + cudnn_version_text(cudnnGetVersion()) +
               " is loaded but the backend was built against cuDNN " + std::to_string(CUDNN_MAJOR);
    } else {
      std::shared_ptr<const cuda::Context> context =
          std::make_shared<cuda::Context>(device, graphs_from_environment(options.graphs));
      return std::make_unique<CudaBackend>(std::move(context));
    }
  } catch (const std::exception& e) {
    reason = e.what();
  }
  if (why != nullptr) *why = reason;
  return nullptr;
}

std::string cuda_pci_bus_id(int device) {
  char bus_id[64] = {};
  if (cudaDeviceGetPCIBusId(bus_id, static_cast<int>(sizeof bus_id), device) != cudaSuccess) {
    cudaGetLastError();
    return "";
  }
  return bus_id;
}

}  // namespace layer_energy::bench
