// --backend=auto|cuda|cpu: auto is cuda when the CUDA backend is built and a GPU is usable, else cpu.
#pragma once

#include <memory>
#include <string>

#include "benchmarks/backend.hpp"

namespace layer_energy::bench {

// Throws std::runtime_error (one line) when the named backend cannot be used.
std::unique_ptr<Backend> make_backend(const std::string& which, int device, std::string* note);

}  // namespace layer_energy::bench
