#include "benchmarks/backends/cpu/cpu_fc.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "benchmarks/backends/cpu/cpu_buffer.hpp"
#include "benchmarks/backends/cpu/cpu_ceil_div.hpp"
#include "benchmarks/backends/cpu/cpu_gemm.hpp"
#include "benchmarks/backends/cpu/cpu_memory_guard.hpp"

namespace layer_energy::bench::cpu {
namespace {

constexpr int64_t kMinColumns = 64;  // output columns per tile, at least
constexpr int64_t kMinRows = 32;     // rows per tile when the rows are split
constexpr int tiles_per_thread = 4;

// output (N x out) = input (N x in) * weights (in x out), tiled over rows and columns of the output.
class CpuFc final : public CpuLayer {
 public:
  CpuFc(const layers::FcShape& shape, uint64_t seed, std::shared_ptr<ThreadPool> pool)
      : CpuLayer(std::move(pool)), s_(shape) {
    const int64_t wanted = static_cast<int64_t>(tiles_per_thread) * pool_->size();
    column_tiles_ = std::max<int64_t>(1, std::min(wanted, s_.out / kMinColumns));
    columns_ = ceil_div(s_.out, column_tiles_);
    if (columns_ > 16) columns_ = ceil_div(columns_, 16) * 16;
    column_tiles_ = ceil_div(s_.out, columns_);
    const int64_t row_splits =
        column_tiles_ >= wanted ? 1 : std::max<int64_t>(1, std::min(ceil_div(wanted, column_tiles_), s_.N / kMinRows));
    rows_ = ceil_div(s_.N, row_splits);
    row_tiles_ = ceil_div(s_.N, rows_);

    const double floats =
        static_cast<double>(s_.N) * s_.in + static_cast<double>(s_.in) * s_.out + static_cast<double>(s_.N) * s_.out;
    check_memory(floats * sizeof(float));
    input_ = AlignedBuffer(static_cast<std::size_t>(s_.N * s_.in));
    weights_ = AlignedBuffer(static_cast<std::size_t>(s_.in * s_.out));
    output_ = AlignedBuffer(static_cast<std::size_t>(s_.N * s_.out));
    fill(seed);
  }

  std::map<std::string, double> kernel_record() const override {
    return {{"kernels", 1},
            {"cpu_threads", static_cast<double>(pool_->size())},
            {"tiles", static_cast<double>(row_tiles_ * column_tiles_)}};
  }

  std::string describe() const override {
    return "eigen gemm, tiles of " + std::to_string(rows_) + " rows x " + std::to_string(columns_) + " outputs, " +
           std::to_string(pool_->size()) + " threads";
  }

 private:
  void run_once() override {
    pool_->parallel_for(row_tiles_ * column_tiles_, [this](int64_t task, int) { tile(task); });
  }

  void tile(int64_t task) {
    const int64_t r0 = (task / column_tiles_) * rows_, c0 = (task % column_tiles_) * columns_;
    const int64_t rows = std::min(rows_, s_.N - r0), columns = std::min(columns_, s_.out - c0);
    gemm(rows, columns, s_.in, input_.data() + r0 * s_.in, s_.in, weights_.data() + c0, s_.out,
         output_.data() + r0 * s_.out + c0, s_.out);
  }

  const layers::FcShape s_;
  int64_t rows_ = 1, row_tiles_ = 1, columns_ = 1, column_tiles_ = 1;
};

}  // namespace

std::unique_ptr<CpuLayer> prepare_fc(const layers::FcShape& shape, uint64_t seed,
                                    std::shared_ptr<ThreadPool> pool) {
  return std::make_unique<CpuFc>(shape, seed, std::move(pool));
}

}  // namespace layer_energy::bench::cpu
