#include "benchmarks/backends/backend_factory.hpp"

#include <stdexcept>

#include "benchmarks/backends/cpu/cpu_backend.hpp"
#if LAYER_ENERGY_HAVE_CUDA
#include "benchmarks/backends/cuda/cuda_backend.hpp"
#endif

namespace layer_energy::bench {

std::unique_ptr<Backend> make_backend(const std::string& which, int device, const CpuBackendOptions& cpu,
                                      std::string* note) {
  if (which == "cuda" || which == "auto") {
#if LAYER_ENERGY_HAVE_CUDA
    std::string why;
    auto cuda = make_cuda_backend(device, &why);
    if (cuda) return cuda;
    if (which == "cuda") throw std::runtime_error("--backend=cuda: " + why);
    if (note) *note = "no usable GPU (" + why + "): cpu backend";
#else
    static_cast<void>(device);
    if (which == "cuda") {
      throw std::runtime_error("--backend=cuda: this build has no CUDA backend (configure with LAYER_ENERGY_CUDA=ON "
                               "where the CUDA toolkit, cuBLAS, cuRAND and cuDNN are installed)");
    }
    if (note) *note = "CUDA backend not built: cpu backend";
#endif
  }
  return make_cpu_backend(cpu);
}

}  // namespace layer_energy::bench
