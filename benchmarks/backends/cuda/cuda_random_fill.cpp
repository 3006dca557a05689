#include "benchmarks/backends/cuda/cuda_random_fill.hpp"

#include <cuda_runtime_api.h>
#include <curand.h>

#include <cstddef>
#include <vector>

#include "benchmarks/backends/cuda/cuda_check.hpp"
#include "benchmarks/backends/cuda/cuda_half.hpp"

namespace layer_energy::bench::cuda {

namespace {

// SplitMix64: decorrelates (seed, stream) pairs into generator seeds.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

class Generator {
 public:
  explicit Generator(bool host) {
    if (host) {
      LAYER_ENERGY_CUDA_CHECK(curandCreateGeneratorHost(&generator_, CURAND_RNG_PSEUDO_PHILOX4_32_10));
    } else {
      LAYER_ENERGY_CUDA_CHECK(curandCreateGenerator(&generator_, CURAND_RNG_PSEUDO_PHILOX4_32_10));
    }
  }
  ~Generator() {
    if (generator_ != nullptr) curandDestroyGenerator(generator_);
  }
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;
  curandGenerator_t get() const { return generator_; }

 private:
  curandGenerator_t generator_ = nullptr;
};

constexpr float kStddev = 0.5f;

}  // namespace

void fill_normal(const Context& context, Tensor* tensor, uint64_t seed, uint32_t stream_id) {
  const auto generated = static_cast<std::size_t>((tensor->count + 1) / 2 * 2);  // even: normals come in pairs
  if (generated == 0) return;
  const unsigned long long generator_seed = mix(seed ^ mix(0x6c61796572ull + stream_id));
  if (tensor->element == Element::f32) {
    Generator generator(false);
    LAYER_ENERGY_CUDA_CHECK(curandSetStream(generator.get(), context.stream));
    LAYER_ENERGY_CUDA_CHECK(curandSetPseudoRandomGeneratorSeed(generator.get(), generator_seed));
    LAYER_ENERGY_CUDA_CHECK(
        curandGenerateNormal(generator.get(), static_cast<float*>(tensor->data()), generated, 0.0f, kStddev));
    // The generator is destroyed on return: let its work finish first.
    LAYER_ENERGY_CUDA_CHECK(cudaStreamSynchronize(context.stream));
    return;
  }
  Generator generator(true);
  LAYER_ENERGY_CUDA_CHECK(curandSetPseudoRandomGeneratorSeed(generator.get(), generator_seed));
  std::vector<float> values(generated);
  LAYER_ENERGY_CUDA_CHECK(curandGenerateNormal(generator.get(), values.data(), generated, 0.0f, kStddev));
  std::vector<uint16_t> halves(generated);
  for (std::size_t i = 0; i < generated; ++i) {
    uint16_t h = float_to_half_bits(values[i]);
    if ((h & 0x7fffu) == 0) h = static_cast<uint16_t>(h | 0x0001u);  // never zero: the smallest subnormal instead
    halves[i] = h;
  }
  LAYER_ENERGY_CUDA_CHECK(cudaMemcpyAsync(tensor->data(), halves.data(), generated * sizeof(uint16_t),
                                          cudaMemcpyHostToDevice, context.stream));
  LAYER_ENERGY_CUDA_CHECK(cudaStreamSynchronize(context.stream));  // `halves` goes out of scope
}

}  // namespace layer_energy::bench::cuda
