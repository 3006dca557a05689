#include "benchmarks/backends/cpu/cpu_batchnorm.hpp"

#include <cmath>
#include <utility>

#include "benchmarks/backends/cpu/cpu_buffer.hpp"
#include "benchmarks/backends/cpu/cpu_memory_guard.hpp"
#include "benchmarks/backends/cpu/cpu_plane_layer.hpp"

namespace layer_energy::bench::cpu {
namespace {

class CpuBatchNorm final : public CpuPlaneLayer {
 public:
  CpuBatchNorm(const layers::TensorOpShape& shape, uint64_t seed, std::shared_ptr<ThreadPool> pool)
      : CpuPlaneLayer(shape, "bn", std::move(pool)) {
    check_memory((2.0 * plane_elements(s_) + 4.0 * static_cast<double>(s_.C)) * sizeof(float));
    set_planes();
    const auto size = static_cast<std::size_t>(planes_ * HW_);
    input_ = AlignedBuffer(size);
    weights_ = AlignedBuffer(static_cast<std::size_t>(4 * s_.C));  // scale, bias, mean, var
    output_ = AlignedBuffer(size);
    fill(seed);
    float* var = weights_.data() + 3 * s_.C;
    for (int64_t c = 0; c < s_.C; ++c) var[c] = 0.5f + std::fabs(var[c]);
  }

 private:
  void run_plane(int64_t plane, int) override {
    const int64_t c = plane % s_.C, C = s_.C;
    const float* w = weights_.data();
    const float a = w[c] / std::sqrt(w[3 * C + c] + kBatchNormEpsilon);
    const float b = w[C + c] - w[2 * C + c] * a;
    const float* in = input_.data() + plane * HW_;
    float* out = output_.data() + plane * HW_;
    for (int64_t i = 0; i < HW_; ++i) out[i] = in[i] * a + b;
  }
};

}  // namespace

std::unique_ptr<CpuLayer> prepare_batchnorm(const layers::TensorOpShape& shape, uint64_t seed,
                                            std::shared_ptr<ThreadPool> pool) {
  return std::make_unique<CpuBatchNorm>(shape, seed, std::move(pool));
}

}  // namespace layer_energy::bench::cpu
