// The CPU backend's oneDNN conv and FC (internal; see benchmarks/backends/cpu/cpu_backend.hpp). Compiled only where the build
// found oneDNN (LAYER_ENERGY_HAVE_ONEDNN).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "benchmarks/backends/cpu/cpu_layer.hpp"
#include "benchmarks/backends/cpu/cpu_thread_pool.hpp"
#include "layers/layer.hpp"

namespace layer_energy::bench::cpu {

// What prepare_onednn_* does when the best implementation oneDNN has for a shape is its reference one.
enum class ReferencePolicy { accept, decline };

// Expect a shape that layers::validate accepted. Create the primitive, check memory (UnsupportedLayer above half of
// physical memory), allocate every buffer (std::bad_alloc), fill input (stream 0) and weights (stream 1) from `seed`
// exactly as the Eigen layers do, and reorder them into the primitive's layouts. Under ReferencePolicy::decline,
// return nullptr before allocating anything when oneDNN offers only a reference implementation, and set *impl to its
// name. Throw UnsupportedLayer("onednn: ...") for a shape oneDNN refuses.
std::unique_ptr<CpuLayer> prepare_onednn_conv(const layers::ConvShape& shape, uint64_t seed,
                                              std::shared_ptr<ThreadPool> pool, ReferencePolicy policy,
                                              std::string* impl);
std::unique_ptr<CpuLayer> prepare_onednn_fc(const layers::FcShape& shape, uint64_t seed,
                                            std::shared_ptr<ThreadPool> pool, ReferencePolicy policy,
                                            std::string* impl);

// onednn_version ("2.6.3") and onednn_runtime (the threading runtime it was built with: OpenMP, TBB, ...).
std::map<std::string, std::string> onednn_context();

}  // namespace layer_energy::bench::cpu
