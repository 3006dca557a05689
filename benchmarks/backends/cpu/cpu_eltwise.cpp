#include "benchmarks/backends/cpu/cpu_eltwise.hpp"

#include <string>
#include <utility>

#include "benchmarks/backends/cpu/cpu_buffer.hpp"
#include "benchmarks/backends/cpu/cpu_memory_guard.hpp"
#include "benchmarks/backends/cpu/cpu_plane_layer.hpp"
#include "benchmarks/backends/cpu/cpu_vector_math.hpp"

namespace layer_energy::bench::cpu {
namespace {

// Activation input: the (-1, 1) fill times 8 (a power of two: exact, still never zero).
constexpr float kActInputScale = 8.0f;

class CpuAdd final : public CpuPlaneLayer {
 public:
  CpuAdd(const layers::TensorOpShape& shape, uint64_t seed, std::shared_ptr<ThreadPool> pool)
      : CpuPlaneLayer(shape, "add", std::move(pool)) {
    check_memory(3.0 * plane_elements(s_) * sizeof(float));
    set_planes();
    const auto size = static_cast<std::size_t>(planes_ * HW_);
    input_ = AlignedBuffer(size);
    weights_ = AlignedBuffer(size);  // the second operand
    output_ = AlignedBuffer(size);
    fill(seed);
  }

 private:
  void run_plane(int64_t plane, int) override {
    const float* a = input_.data() + plane * HW_;
    const float* b = weights_.data() + plane * HW_;
    float* out = output_.data() + plane * HW_;
    for (int64_t i = 0; i < HW_; ++i) out[i] = a[i] + b[i];
  }
};

// out[i] = f(in[i]) over n contiguous elements; f inlined, so the loop vectorises.
template <float (*f)(float)>
void map(const float* in, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = f(in[i]);
}

class CpuAct final : public CpuPlaneLayer {
 public:
  CpuAct(const layers::TensorOpShape& shape, uint64_t seed, std::shared_ptr<ThreadPool> pool)
      : CpuPlaneLayer(shape, std::string("act ") + layers::to_string(shape.op), std::move(pool)) {
    check_memory(2.0 * plane_elements(s_) * sizeof(float));
    set_planes();
    const auto size = static_cast<std::size_t>(planes_ * HW_);
    input_ = AlignedBuffer(size);
    output_ = AlignedBuffer(size);
    fill(seed);
    pool_->parallel_for(planes_, [this](int64_t plane, int) {
      float* in = input_.data() + plane * HW_;
      for (int64_t i = 0; i < HW_; ++i) in[i] *= kActInputScale;
    });
  }

 private:
  void run_plane(int64_t plane, int) override {
    const float* in = input_.data() + plane * HW_;
    float* out = output_.data() + plane * HW_;
    switch (s_.op) {
      case layers::Activation::relu:
        map<relu>(in, out, HW_);
        break;
      case layers::Activation::relu6:
        map<relu6>(in, out, HW_);
        break;
      case layers::Activation::sigmoid:
        map<sigmoid>(in, out, HW_);
        break;
      case layers::Activation::silu:
        map<silu>(in, out, HW_);
        break;
      case layers::Activation::hardswish:
        map<hardswish>(in, out, HW_);
        break;
    }
  }
};

}  // namespace

std::unique_ptr<CpuLayer> prepare_add(const layers::TensorOpShape& shape, uint64_t seed,
                                      std::shared_ptr<ThreadPool> pool) {
  return std::make_unique<CpuAdd>(shape, seed, std::move(pool));
}

std::unique_ptr<CpuLayer> prepare_act(const layers::TensorOpShape& shape, uint64_t seed,
                                      std::shared_ptr<ThreadPool> pool) {
  return std::make_unique<CpuAct>(shape, seed, std::move(pool));
}

}  // namespace layer_energy::bench::cpu
