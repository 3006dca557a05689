// The CPU backend's tensors: 64-byte aligned float buffers and their seeded random fill (internal; see
// benchmarks/backends/cpu/cpu_backend.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "benchmarks/backends/cpu/cpu_thread_pool.hpp"

namespace layer_energy::bench::cpu {

// Floats on 64-byte boundaries (full cache lines, any SIMD width). Throws std::bad_alloc when out of memory.
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(std::size_t count);
  ~AlignedBuffer();
  AlignedBuffer(AlignedBuffer&& other) noexcept;
  AlignedBuffer& operator=(AlignedBuffer&& other) noexcept;
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;

  float* data() { return data_; }
  const float* data() const { return data_; }
  std::size_t size() const { return size_; }
  std::vector<float> copy() const { return std::vector<float>(data_, data_ + size_); }

 private:
  float* data_ = nullptr;
  std::size_t size_ = 0;
};

// Fills `buffer` with values uniform in (-1, 1), never exactly zero. Blocks of 65,536 values each use their own
// std::mt19937 seeded from (seed, stream, block), so the values depend only on (seed, stream), not on the thread
// count. Use a different `stream` for each tensor of a layer.
void fill_uniform(AlignedBuffer* buffer, uint64_t seed, uint32_t stream, ThreadPool* pool);

}  // namespace layer_energy::bench::cpu
