// --backend=auto|cuda|cpu: auto is cuda when the CUDA backend is built and a GPU is usable, else cpu.
#pragma once

#include <memory>
#include <string>

#include "benchmarks/backends/backend.hpp"
#include "benchmarks/backends/cpu/cpu_backend.hpp"

namespace layer_energy::bench {

// `cpu` configures the CPU backend when it is the one made. Throws std::runtime_error (one line) when the named
// backend cannot be used.
std::unique_ptr<Backend> make_backend(const std::string& which, int device, const CpuBackendOptions& cpu,
                                      std::string* note);

}  // namespace layer_energy::bench
