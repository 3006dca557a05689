#include "benchmarks/backends/cpu/cpu_pool.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "benchmarks/backends/cpu/cpu_buffer.hpp"
#include "benchmarks/backends/cpu/cpu_memory_guard.hpp"
#include "benchmarks/backends/cpu/cpu_plane_layer.hpp"

namespace layer_energy::bench::cpu {
namespace {

const char* mode_label(layers::PoolMode mode) {
  switch (mode) {
    case layers::PoolMode::max:
      return "pool max";
    case layers::PoolMode::avg:
      return "pool avg";
    case layers::PoolMode::global:
      break;
  }
  return "pool global avg";
}

class CpuPool final : public CpuPlaneLayer {
 public:
  CpuPool(const layers::TensorOpShape& shape, uint64_t seed, std::shared_ptr<ThreadPool> pool)
      : CpuPlaneLayer(shape, mode_label(shape.mode), std::move(pool)) {
    const double P = static_cast<double>(layers::pool_output_height(s_));
    const double Q = static_cast<double>(layers::pool_output_width(s_));
    const double planes = static_cast<double>(s_.N) * static_cast<double>(s_.C);
    const double padded = static_cast<double>(s_.W) + 2.0 * static_cast<double>(s_.pad) + 16.0;
    const int threads = pool_->size();
    check_memory((plane_elements(s_) + planes * P * Q + Q + threads * padded) * sizeof(float));
    set_planes();
    P_ = layers::pool_output_height(s_);
    Q_ = layers::pool_output_width(s_);
    if (s_.mode != layers::PoolMode::global) {
      // Average: in-bounds columns of each output column's window (the divisor is rows(p) * columns(q)).
      columns_.resize(static_cast<std::size_t>(Q_));
      for (int64_t q = 0; q < Q_; ++q) {
        const int64_t first = q * s_.stride - s_.pad;
        const int64_t in_bounds = std::min(first + s_.R, s_.W) - std::max<int64_t>(first, 0);
        columns_[static_cast<std::size_t>(q)] = static_cast<float>(in_bounds);
      }
      front_ = (s_.pad + 15) / 16 * 16;  // whole cache lines before the row's interior, holding the left padding
      rows_.reserve(static_cast<std::size_t>(threads));
      for (int i = 0; i < threads; ++i) rows_.emplace_back(static_cast<std::size_t>(front_ + s_.W + s_.pad));
    }
    input_ = AlignedBuffer(static_cast<std::size_t>(planes_ * HW_));
    output_ = AlignedBuffer(static_cast<std::size_t>(planes_ * P_ * Q_));
    fill(seed);
  }

 private:
  void run_plane(int64_t plane, int thread) override {
    const float* in = input_.data() + plane * HW_;
    float* out = output_.data() + plane * P_ * Q_;
    if (s_.mode == layers::PoolMode::global) {
      out[0] = global_mean(in);
    } else if (s_.mode == layers::PoolMode::max) {
      window_plane<true>(in, out, rows_[static_cast<std::size_t>(thread)].data());
    } else {
      window_plane<false>(in, out, rows_[static_cast<std::size_t>(thread)].data());
    }
  }

  template <bool kMax>
  void window_plane(const float* in, float* out, float* scratch) const {
    // A stride the compiler knows loads with shuffles instead of gathers: 2x faster column loops for stride 2.
    if (s_.stride == 1) {
      window_plane<kMax, 1>(in, out, scratch);
    } else if (s_.stride == 2) {
      window_plane<kMax, 2>(in, out, scratch);
    } else {
      window_plane<kMax, 0>(in, out, scratch);
    }
  }

  // Separable, the window being a rectangle: for output row p, first the in-bounds input rows of its window are
  // combined element-wise into `row` (contiguous loops over W), then each output column combines its R entries of
  // `row` (R loops over Q, strided by `stride`). `row` holds W + 2 pad, the padding at both ends the identity (-inf
  // for max, 0 for the sum), so that padding never counts and the column loops need no bounds. Measured on
  // 64x112x112 3x3 stride 2 max, two threads: 308 us with R x R strided passes over each output row, 108 us so.
  // kStride: the stride where it is 1 or 2, 0 for another (read at run time).
  template <bool kMax, int64_t kStride>
  void window_plane(const float* in, float* out, float* scratch) const {
    const int64_t H = s_.H, W = s_.W, R = s_.R, pad = s_.pad, Q = Q_;
    const int64_t stride = kStride > 0 ? kStride : s_.stride;
    const float identity = kMax ? -std::numeric_limits<float>::infinity() : 0.0f;
    float* interior = scratch + front_;  // 64-byte aligned: misaligned, each AVX-512 access splits a line (2x slower)
    float* row = interior - pad;
    std::fill(row, interior, identity);
    std::fill(interior + W, interior + W + pad, identity);
    for (int64_t p = 0; p < P_; ++p) {
      const int64_t r_lo = std::max<int64_t>(0, pad - p * stride), r_hi = std::min(R, H + pad - p * stride);
      const float* first = in + (p * stride - pad + r_lo) * W;
      if (r_hi - r_lo == 1) {
        std::copy(first, first + W, interior);
      } else {  // the first two rows in one pass (20% faster than a copy and a pass)
        const float* second = first + W;
        if (kMax) {
          for (int64_t w = 0; w < W; ++w) interior[w] = first[w] > second[w] ? first[w] : second[w];
        } else {
          for (int64_t w = 0; w < W; ++w) interior[w] = first[w] + second[w];
        }
      }
      for (int64_t r = r_lo + 2; r < r_hi; ++r) {
        const float* src = in + (p * stride - pad + r) * W;
        if (kMax) {
          for (int64_t w = 0; w < W; ++w) interior[w] = interior[w] > src[w] ? interior[w] : src[w];
        } else {
          for (int64_t w = 0; w < W; ++w) interior[w] += src[w];
        }
      }
      float* o = out + p * Q;
      for (int64_t q = 0; q < Q; ++q) o[q] = row[q * stride];
      for (int64_t s = 1; s < R; ++s) {
        const float* v = row + s;
        if (kMax) {
          for (int64_t q = 0; q < Q; ++q) o[q] = o[q] > v[q * stride] ? o[q] : v[q * stride];
        } else {
          for (int64_t q = 0; q < Q; ++q) o[q] += v[q * stride];
        }
      }
      if (!kMax) {
        // count_include_pad=0: divide by the in-bounds elements only, rows(p) x columns(q).
        const float rows = static_cast<float>(r_hi - r_lo);
        const float* columns = columns_.data();
        for (int64_t q = 0; q < Q; ++q) o[q] = o[q] / (rows * columns[q]);
      }
    }
  }

  // The plane's mean: 16 double partial sums over contiguous elements (a loop the compiler vectorises, where a
  // single float accumulator is a serial chain it may not reorder), then the tail.
  float global_mean(const float* in) const {
    constexpr int kLanes = 16;
    double lanes[kLanes] = {};
    int64_t i = 0;
    for (; i + kLanes <= HW_; i += kLanes) {
      for (int j = 0; j < kLanes; ++j) lanes[j] += static_cast<double>(in[i + j]);
    }
    double sum = 0.0;
    for (; i < HW_; ++i) sum += static_cast<double>(in[i]);
    for (int j = 0; j < kLanes; ++j) sum += lanes[j];
    return static_cast<float>(sum / static_cast<double>(HW_));
  }

  int64_t P_ = 1, Q_ = 1, front_ = 0;
  std::vector<float> columns_;      // average: in-bounds window columns per output column
  std::vector<AlignedBuffer> rows_;  // per thread: one combined input row: front_ + W + pad, interior at front_
};

}  // namespace

std::unique_ptr<CpuLayer> prepare_pool(const layers::TensorOpShape& shape, uint64_t seed,
                                       std::shared_ptr<ThreadPool> pool) {
  return std::make_unique<CpuPool>(shape, seed, std::move(pool));
}

}  // namespace layer_energy::bench::cpu
