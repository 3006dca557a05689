// The base of the CPU backend's pooling, element-wise add, activation and batch-norm layers: fp32 NCHW tensors, one
// parallel loop per iteration over tiles of whole (image, channel) planes (internal; see
// benchmarks/backends/cpu/cpu_backend.hpp).
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "benchmarks/backends/cpu/cpu_ceil_div.hpp"
#include "benchmarks/backends/cpu/cpu_layer.hpp"
#include "benchmarks/backends/cpu/cpu_thread_pool.hpp"
#include "layers/layer.hpp"

namespace layer_energy::bench::cpu {

// Input elements a tile should read at least (32 KiB): one task of the pool costs about 0.1 us (an atomic increment
// shared by the threads, a cache line of output shared with the neighbouring plane), as long as the loops over a
// 7x7 plane. Measured on 512x7x7 relu, two threads: 57 us with a task per plane, 4 us with tiles of this size.
constexpr int64_t kMinTileElements = 8192;

// A derived layer checks memory, allocates its tensors, calls fill(seed) and computes one plane in run_plane(). The
// plane loops are plain contiguous loops over W (or H*W) that the compiler vectorises (-O3 -march=native); the same
// loops run whichever implementation (Eigen or oneDNN) the backend was asked for. A tile is a run of consecutive
// planes of at least kMinTileElements input elements, or fewer planes where that leaves a thread without a tile.
class CpuPlaneLayer : public CpuLayer {
 public:
  // One parallel loop per iteration over tiles_ tiles of whole planes.
  std::map<std::string, double> kernel_record() const override {
    return {{"kernels", 1}, {"cpu_threads", static_cast<double>(pool_->size())}, {"tiles", static_cast<double>(tiles_)}};
  }

 protected:
  // `what` names the loop in the label: "loops <what>, <threads> threads" (e.g. "loops pool max, 2 threads").
  CpuPlaneLayer(const layers::TensorOpShape& shape, std::string what, std::shared_ptr<ThreadPool> pool)
      : CpuLayer(std::move(pool)), s_(shape), what_(std::move(what)) {}

  // Plane p = n * C + c of every tensor, on pool thread `thread` (for per-thread scratch); called once per plane and
  // iteration.
  virtual void run_plane(int64_t plane, int thread) = 0;

  std::string describe() const override {
    return "loops " + what_ + ", " + std::to_string(pool_->size()) + " threads";
  }

  // Call once the shape is known to fit in memory (int64 products are safe only then).
  void set_planes() {
    planes_ = s_.N * s_.C;
    HW_ = s_.H * s_.W;
    const int64_t threads = pool_->size();
    planes_per_tile_ = std::min(ceil_div(kMinTileElements, HW_), std::max<int64_t>(1, planes_ / threads));
    tiles_ = ceil_div(planes_, planes_per_tile_);
  }

  const layers::TensorOpShape s_;
  int64_t planes_ = 0, HW_ = 0, planes_per_tile_ = 1, tiles_ = 0;

 private:
  void run_once() final {
    pool_->parallel_for(tiles_, [this](int64_t tile, int thread) {
      const int64_t begin = tile * planes_per_tile_, end = std::min(planes_, begin + planes_per_tile_);
      for (int64_t plane = begin; plane < end; ++plane) run_plane(plane, thread);
    });
  }

  const std::string what_;
};

// Input elements N*C*H*W in double (each dimension may be up to 2^31: the int64 product may overflow).
inline double plane_elements(const layers::TensorOpShape& s) {
  return static_cast<double>(s.N) * static_cast<double>(s.C) * static_cast<double>(s.H) * static_cast<double>(s.W);
}

}  // namespace layer_energy::bench::cpu
