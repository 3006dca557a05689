#include "benchmarks/backends/cpu/cpu_buffer.hpp"

#include <algorithm>
#include <new>
#include <random>

namespace layer_energy::bench::cpu {

namespace {
constexpr std::size_t kAlignment = 64;
}

AlignedBuffer::AlignedBuffer(std::size_t count) : size_(count) {
  if (count == 0) return;
  if (count > static_cast<std::size_t>(-1) / sizeof(float) - kAlignment) throw std::bad_alloc();
  data_ = static_cast<float*>(::operator new(count * sizeof(float), std::align_val_t(kAlignment)));
}

AlignedBuffer::~AlignedBuffer() {
  if (data_ != nullptr) ::operator delete(data_, std::align_val_t(kAlignment));
}

AlignedBuffer::AlignedBuffer(AlignedBuffer&& other) noexcept : data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

AlignedBuffer& AlignedBuffer::operator=(AlignedBuffer&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) ::operator delete(data_, std::align_val_t(kAlignment));
    data_ = other.data_;
    size_ = other.size_;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

void fill_uniform(AlignedBuffer* buffer, uint64_t seed, uint32_t stream, ThreadPool* pool) {
  constexpr std::size_t kBlock = 65536;
  const std::size_t size = buffer->size();
  float* data = buffer->data();
  const auto blocks = static_cast<int64_t>((size + kBlock - 1) / kBlock);
  pool->parallel_for(blocks, [&](int64_t block, int) {
    std::seed_seq seq{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32), stream,
                      static_cast<uint32_t>(block), static_cast<uint32_t>(static_cast<uint64_t>(block) >> 32)};
    std::mt19937 engine(seq);
    const std::size_t begin = static_cast<std::size_t>(block) * kBlock;
    const std::size_t end = std::min(size, begin + kBlock);
    for (std::size_t i = begin; i < end; ++i) {
      // The top 24 bits k give (k + 0.5) / 2^23 - 1: uniform in (-1, 1), symmetric, never zero, and the same on
      // every standard library (std::uniform_real_distribution's algorithm is not fixed by the standard).
      const uint32_t k = static_cast<uint32_t>(engine()) >> 8;
      // Computed in double, the result is an odd multiple of 2^-24 below 1 in magnitude: exact as a float.
      data[i] = static_cast<float>((static_cast<double>(k) + 0.5) / 8388608.0 - 1.0);
    }
  });
}

}  // namespace layer_energy::bench::cpu
