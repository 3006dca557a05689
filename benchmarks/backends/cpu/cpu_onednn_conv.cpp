// oneDNN convolution (see benchmarks/backends/cpu/cpu_onednn.hpp): every group count, depthwise included, any stride and padding.
#include <string>
#include <utility>

#include "benchmarks/backends/cpu/cpu_memory_guard.hpp"
#include "benchmarks/backends/cpu/cpu_onednn.hpp"
#include "benchmarks/backends/cpu/cpu_onednn_layer.hpp"

namespace layer_energy::bench::cpu {
namespace {

using dnnl::memory;

class OneDnnConv final : public OneDnnLayer {
 public:
  OneDnnConv(std::shared_ptr<ThreadPool> pool, const OneDnnCandidate& candidate, uint64_t seed)
      : OneDnnLayer(std::move(pool)) {
    allocate(static_cast<int64_t>(candidate.src.get_size() / sizeof(float)),
             static_cast<int64_t>(candidate.weights.get_size() / sizeof(float)),
             static_cast<int64_t>(candidate.dst.get_size() / sizeof(float)), seed);
    bind(candidate);
  }
};

}  // namespace

std::unique_ptr<CpuLayer> prepare_onednn_conv(const layers::ConvShape& s, uint64_t seed,
                                              std::shared_ptr<ThreadPool> pool, ReferencePolicy policy,
                                              std::string* impl) {
  // The plain tensors first, in double, as the Eigen conv does: oneDNN's own size queries come after it has
  // accepted the shape, and a shape far beyond memory should be refused for memory, not for an overflow.
  const int64_t P = layers::output_height(s), Q = layers::output_width(s);
  const double floats = static_cast<double>(s.N) * s.C * s.H * s.W +
                        static_cast<double>(s.K) * (s.C / s.groups) * s.R * s.S +
                        static_cast<double>(s.N) * s.K * P * Q;
  check_memory(floats * sizeof(float));

  using tag = memory::format_tag;
  const auto f32 = memory::data_type::f32;
  const memory::dims src_dims = {s.N, s.C, s.H, s.W}, dst_dims = {s.N, s.K, P, Q};
  // KCRS weights are oihw; with groups, the same bytes read as goihw (group-major filters, C/groups channels each).
  const bool grouped = s.groups > 1;
  const memory::dims weight_dims =
      grouped ? memory::dims{s.groups, s.K / s.groups, s.C / s.groups, s.R, s.S} : memory::dims{s.K, s.C, s.R, s.S};
  const memory::desc src(src_dims, f32, tag::nchw), dst(dst_dims, f32, tag::nchw);
  const memory::desc weights(weight_dims, f32, grouped ? tag::goihw : tag::oihw);
  try {
    // format_tag::any: the primitive picks the layouts it runs fastest on. Right padding = left padding: oneDNN then
    // derives the same output size as layers::output_height/width (floor division).
    const dnnl::convolution_forward::desc desc(
        dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, memory::desc(src_dims, f32, tag::any),
        memory::desc(weight_dims, f32, tag::any), memory::desc(dst_dims, f32, tag::any), {s.stride, s.stride},
        {s.pad, s.pad}, {s.pad, s.pad});
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    const dnnl::convolution_forward::primitive_desc pd(desc, attr, onednn_engine());
    *impl = pd.impl_info_str();
    if (policy == ReferencePolicy::decline && is_reference_impl(*impl)) return nullptr;
    return std::make_unique<OneDnnConv>(std::move(pool),
                                        OneDnnCandidate{pd, dnnl::convolution_forward(pd), src, weights, dst}, seed);
  } catch (const dnnl::error& error) {
    throw_unsupported(error);
  }
}

}  // namespace layer_energy::bench::cpu
