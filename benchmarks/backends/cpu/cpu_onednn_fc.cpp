// oneDNN fully connected layer (see benchmarks/backends/cpu/cpu_onednn.hpp): the fastest of oneDNN's inner product (its FC
// primitive) on the layouts it picks, the inner product on our plain weights, and a matmul on the layouts it picks.
#include <string>
#include <utility>
#include <vector>

#include "benchmarks/backends/cpu/cpu_memory_guard.hpp"
#include "benchmarks/backends/cpu/cpu_onednn.hpp"
#include "benchmarks/backends/cpu/cpu_onednn_layer.hpp"

namespace layer_energy::bench::cpu {
namespace {

using dnnl::memory;

class OneDnnFc final : public OneDnnLayer {
 public:
  OneDnnFc(std::shared_ptr<ThreadPool> pool, const layers::FcShape& s, const std::vector<OneDnnCandidate>& candidates,
           uint64_t seed)
      : OneDnnLayer(std::move(pool)) {
    allocate(s.N * s.in, s.in * s.out, s.N * s.out, seed);
    bind_fastest(candidates);
  }
};

}  // namespace

std::unique_ptr<CpuLayer> prepare_onednn_fc(const layers::FcShape& s, uint64_t seed, std::shared_ptr<ThreadPool> pool,
                                            ReferencePolicy policy, std::string* impl) {
  const double floats =
      static_cast<double>(s.N) * s.in + static_cast<double>(s.in) * s.out + static_cast<double>(s.N) * s.out;
  check_memory(floats * sizeof(float));

  using tag = memory::format_tag;
  const auto f32 = memory::data_type::f32;
  const memory::dims src_dims = {s.N, s.in}, dst_dims = {s.N, s.out};
  // Our weights are in x out row-major: a matmul's "ab", an inner product's out x in tensor with swapped strides.
  const memory::dims ip_weight_dims = {s.out, s.in}, mm_weight_dims = {s.in, s.out};
  const memory::desc src(src_dims, f32, tag::nc), dst(dst_dims, f32, tag::nc);
  const memory::desc ip_weights(ip_weight_dims, f32, tag::io), mm_weights(mm_weight_dims, f32, tag::ab);
  const memory::desc any_src(src_dims, f32, tag::any), any_dst(dst_dims, f32, tag::any);
  std::vector<OneDnnCandidate> candidates;
  try {
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    const auto& engine = onednn_engine();
    for (const memory::desc& weights : {memory::desc(ip_weight_dims, f32, tag::any), ip_weights}) {
      const dnnl::inner_product_forward::primitive_desc pd(
          {dnnl::prop_kind::forward_inference, any_src, weights, any_dst}, attr, engine);
      candidates.push_back({pd, dnnl::inner_product_forward(pd), src, ip_weights, dst});
    }
    const dnnl::matmul::primitive_desc pd({any_src, memory::desc(mm_weight_dims, f32, tag::any), any_dst}, attr,
                                          engine);
    candidates.push_back({pd, dnnl::matmul(pd), src, mm_weights, dst});
  } catch (const dnnl::error& error) {
    throw_unsupported(error);
  }
  // Reference implementations are dropped where a real one exists; under `decline`, all of them.
  std::vector<OneDnnCandidate> kept;
  for (const auto& c : candidates) {
    if (!is_reference_impl(c.pd.impl_info_str())) kept.push_back(c);
  }
  if (kept.empty()) {
    *impl = candidates.front().pd.impl_info_str();
    if (policy == ReferencePolicy::decline) return nullptr;
    kept = candidates;
  }
  try {
    return std::make_unique<OneDnnFc>(std::move(pool), s, kept, seed);
  } catch (const dnnl::error& error) {
    throw_unsupported(error);
  }
}

}  // namespace layer_energy::bench::cpu
