#include "benchmarks/backends/cpu/cpu_conv.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "benchmarks/backends/cpu/cpu_buffer.hpp"
#include "benchmarks/backends/cpu/cpu_ceil_div.hpp"
#include "benchmarks/backends/cpu/cpu_gemm.hpp"
#include "benchmarks/backends/cpu/cpu_memory_guard.hpp"

namespace layer_energy::bench::cpu {
namespace {

// Floats of im2col scratch per tile (256 KiB: the tile's columns stay in a core's L2 while the GEMM reads them).
constexpr int64_t kScratchFloats = 64 * 1024;
constexpr int64_t kMinColumns = 64;  // narrower GEMM tiles repack the weights too often
constexpr int64_t kMinFilters = 16;  // filters per tile when the filters are split

enum class ConvKind { gemm_1x1, im2col_gemm, depthwise };

// First q in [0, Q) with q * stride + offset >= 0, and one past the last with q * stride + offset < limit.
void valid_range(int64_t offset, int64_t limit, int64_t stride, int64_t Q, int64_t* lo, int64_t* hi) {
  *lo = offset >= 0 ? 0 : ceil_div(-offset, stride);
  *hi = limit - 1 - offset < 0 ? 0 : std::min(Q, (limit - 1 - offset) / stride + 1);
  if (*hi < *lo) *hi = *lo;
}

class CpuConv final : public CpuLayer {
 public:
  CpuConv(const layers::ConvShape& shape, uint64_t seed, std::shared_ptr<ThreadPool> pool)
      : CpuLayer(std::move(pool)), s_(shape) {
    // Memory first, in double: each dimension may be up to 2^31, so int64 products are safe only once the buffers
    // are known to fit in memory.
    const int threads = pool_->size();
    const double P = static_cast<double>(layers::output_height(s_)), Q = static_cast<double>(layers::output_width(s_));
    const double crs = static_cast<double>(s_.C / s_.groups) * static_cast<double>(s_.R) * static_cast<double>(s_.S);
    const bool depthwise = s_.groups > 1 && s_.groups == s_.C;
    const bool in_place = s_.R == 1 && s_.S == 1 && s_.stride == 1 && s_.pad == 0;
    const double scratch_bound =  // columns_ below is at most max(kMinColumns, kScratchFloats / CRS)
        depthwise || in_place ? 0.0 : threads * std::max(static_cast<double>(kScratchFloats), crs * kMinColumns);
    const double floats = static_cast<double>(s_.N) * s_.C * s_.H * s_.W + static_cast<double>(s_.K) * crs +
                          static_cast<double>(s_.N) * s_.K * P * Q + scratch_bound;
    check_memory(floats * sizeof(float));

    G_ = s_.groups;
    Cg_ = s_.C / G_;
    Kg_ = s_.K / G_;
    P_ = layers::output_height(s_);
    Q_ = layers::output_width(s_);
    PQ_ = P_ * Q_;
    CRS_ = Cg_ * s_.R * s_.S;
    if (depthwise) {
      kind_ = ConvKind::depthwise;
      tasks_ = s_.N * s_.C;
    } else {
      kind_ = in_place ? ConvKind::gemm_1x1 : ConvKind::im2col_gemm;
      columns_ = std::min(PQ_, std::max(kMinColumns, kScratchFloats / CRS_ / 16 * 16));
      column_tiles_ = ceil_div(PQ_, columns_);
      // Filters are split only when there are fewer pixel tiles than threads: each filter tile repeats the im2col of
      // its pixels (measured on 512x7x7 3x3: one tile per thread beats four by 25%).
      const int64_t base = s_.N * G_ * column_tiles_;
      const int64_t splits =
          base >= threads ? 1 : std::min(ceil_div(threads, base), std::max<int64_t>(1, Kg_ / kMinFilters));
      filters_ = ceil_div(Kg_, splits);
      if (filters_ > 8) filters_ = ceil_div(filters_, 8) * 8;  // whole SIMD register blocks
      filter_tiles_ = ceil_div(Kg_, filters_);
      tasks_ = base * filter_tiles_;
    }
    const int64_t scratch = kind_ == ConvKind::im2col_gemm ? CRS_ * columns_ : 0;
    q_lo_.resize(static_cast<std::size_t>(s_.S));
    q_hi_.resize(static_cast<std::size_t>(s_.S));
    for (int64_t s = 0; s < s_.S; ++s) {
      valid_range(s - s_.pad, s_.W, s_.stride, Q_, &q_lo_[static_cast<std::size_t>(s)],
                  &q_hi_[static_cast<std::size_t>(s)]);
    }

    input_ = AlignedBuffer(static_cast<std::size_t>(s_.N * s_.C * s_.H * s_.W));
    weights_ = AlignedBuffer(static_cast<std::size_t>(s_.K * CRS_));
    output_ = AlignedBuffer(static_cast<std::size_t>(s_.N * s_.K * PQ_));
    scratch_.reserve(static_cast<std::size_t>(threads));
    for (int i = 0; i < threads && scratch > 0; ++i) scratch_.emplace_back(static_cast<std::size_t>(scratch));
    fill(seed);
  }

  // One parallel loop per iteration over tasks_ tiles (depthwise: one task per image and channel).
  std::map<std::string, double> kernel_record() const override {
    return {{"kernels", 1}, {"cpu_threads", static_cast<double>(pool_->size())}, {"tiles", static_cast<double>(tasks_)}};
  }

  std::string describe() const override {
    const std::string threads = std::to_string(pool_->size()) + " threads";
    if (kind_ == ConvKind::depthwise) return "eigen depthwise direct, " + threads;
    return std::string(kind_ == ConvKind::gemm_1x1 ? "eigen 1x1 gemm" : "eigen im2col+gemm") + ", tiles of " +
           std::to_string(filters_) + " filters x " + std::to_string(columns_) + " pixels, " + threads;
  }

 private:
  void run_once() override {
    if (kind_ == ConvKind::depthwise) {
      pool_->parallel_for(tasks_, [this](int64_t task, int) { depthwise_task(task); });
    } else {
      pool_->parallel_for(tasks_, [this](int64_t task, int thread) { gemm_task(task, thread); });
    }
  }

  // One tile: filters [k0, k0 + kn) of group g against output pixels [p0, p0 + len) of image n.
  void gemm_task(int64_t task, int thread) {
    const int64_t filter_tile = task % filter_tiles_;
    task /= filter_tiles_;
    const int64_t column_tile = task % column_tiles_;
    task /= column_tiles_;
    const int64_t g = task % G_;
    const int64_t n = task / G_;
    const int64_t p0 = column_tile * columns_;
    const int64_t len = std::min(columns_, PQ_ - p0);
    const int64_t k0 = filter_tile * filters_;
    const int64_t kn = std::min(filters_, Kg_ - k0);
    const float* image = input_.data() + (n * s_.C + g * Cg_) * s_.H * s_.W;
    const float* columns = image + p0;  // 1x1: the input is already the column matrix (Cg x HW)
    int64_t ld = s_.H * s_.W;
    if (kind_ == ConvKind::im2col_gemm) {
      float* col = scratch_[static_cast<std::size_t>(thread)].data();
      im2col(image, p0, len, col);
      columns = col;
      ld = len;
    }
    const float* w = weights_.data() + (g * Kg_ + k0) * CRS_;
    float* out = output_.data() + (n * s_.K + g * Kg_ + k0) * PQ_ + p0;
    gemm(kn, len, CRS_, w, CRS_, columns, ld, out, PQ_);
  }

  // col (CRS x len, row-major): row (c, r, s), column j holds input[c][oh*stride - pad + r][ow*stride - pad + s] for
  // output pixel p0 + j = oh * Q + ow, zero outside the image.
  void im2col(const float* image, int64_t p0, int64_t len, float* col) const {
    const int64_t H = s_.H, W = s_.W, R = s_.R, S = s_.S, stride = s_.stride, pad = s_.pad;
    const int64_t oh0 = p0 / Q_, ow0 = p0 % Q_;
    for (int64_t c = 0; c < Cg_; ++c) {
      const float* plane = image + c * H * W;
      for (int64_t r = 0; r < R; ++r) {
        for (int64_t s = 0; s < S; ++s) {
          float* dst = col + ((c * R + r) * S + s) * len;
          const int64_t q_lo = q_lo_[static_cast<std::size_t>(s)], q_hi = q_hi_[static_cast<std::size_t>(s)];
          const int64_t offset = s - pad;  // input column of output column q is q * stride + offset
          int64_t oh = oh0, ow = ow0;
          for (int64_t j = 0; j < len; ++oh, ow = 0) {
            const int64_t seg = std::min(Q_ - ow, len - j);  // output columns ow .. ow + seg - 1 of row oh
            float* d = dst + j;                              // d[q - ow] holds output column q
            const int64_t ih = oh * stride - pad + r;
            if (ih < 0 || ih >= H) {
              std::fill(d, d + seg, 0.0f);
            } else {
              const float* row = plane + ih * W;
              const int64_t lo = std::min(std::max(q_lo, ow), ow + seg);
              const int64_t hi = std::min(std::max(q_hi, lo), ow + seg);
              std::fill(d, d + (lo - ow), 0.0f);
              if (stride == 1) {
                for (int64_t q = lo; q < hi; ++q) d[q - ow] = row[q + offset];
              } else {
                for (int64_t q = lo; q < hi; ++q) d[q - ow] = row[q * stride + offset];
              }
              std::fill(d + (hi - ow), d + seg, 0.0f);
            }
            j += seg;
          }
        }
      }
    }
  }

  // Image n, input channel c: output channels c*m .. c*m + m - 1 (m = K / C filters per channel).
  void depthwise_task(int64_t task) {
    const int64_t n = task / s_.C, c = task % s_.C;
    const int64_t H = s_.H, R = s_.R, S = s_.S, stride = s_.stride, pad = s_.pad, W = s_.W;
    const float* plane = input_.data() + (n * s_.C + c) * H * W;
    for (int64_t k = c * Kg_; k < (c + 1) * Kg_; ++k) {
      const float* w = weights_.data() + k * R * S;
      float* out = output_.data() + (n * s_.K + k) * PQ_;
      std::fill(out, out + PQ_, 0.0f);
      for (int64_t p = 0; p < P_; ++p) {
        float* row = out + p * Q_;
        for (int64_t r = 0; r < R; ++r) {
          const int64_t ih = p * stride - pad + r;
          if (ih < 0 || ih >= H) continue;
          for (int64_t s = 0; s < S; ++s) {
            const float wv = w[r * S + s];
            const float* in_row = plane + ih * W;
            const int64_t offset = s - pad;
            const int64_t lo = q_lo_[static_cast<std::size_t>(s)], hi = q_hi_[static_cast<std::size_t>(s)];
            if (stride == 1) {
              for (int64_t q = lo; q < hi; ++q) row[q] += wv * in_row[q + offset];
            } else {
              for (int64_t q = lo; q < hi; ++q) row[q] += wv * in_row[q * stride + offset];
            }
          }
        }
      }
    }
  }

  const layers::ConvShape s_;
  ConvKind kind_ = ConvKind::im2col_gemm;
  int64_t G_ = 1, Cg_ = 1, Kg_ = 1, P_ = 1, Q_ = 1, PQ_ = 1, CRS_ = 1;
  int64_t columns_ = 1, column_tiles_ = 1, filters_ = 1, filter_tiles_ = 1, tasks_ = 0;
  // Per filter column s: the output columns [q_lo_, q_hi_) that read inside the input row (divisions are slow enough
  // to matter in the per-row loops, so they are done once here).
  std::vector<int64_t> q_lo_, q_hi_;
  std::vector<AlignedBuffer> scratch_;
};

}  // namespace

std::unique_ptr<CpuLayer> prepare_conv(const layers::ConvShape& shape, uint64_t seed,
                                      std::shared_ptr<ThreadPool> pool) {
  return std::make_unique<CpuConv>(shape, seed, std::move(pool));
}

}  // namespace layer_energy::bench::cpu
