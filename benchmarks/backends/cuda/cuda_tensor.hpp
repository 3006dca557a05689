// The CUDA backend's device memory: owning buffers, element types and tensors, with their size check, zero fill and
// download (internal; see benchmarks/backends/cuda/cuda_backend.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "benchmarks/backends/cuda/cuda_context.hpp"
#include "layers/layer.hpp"

namespace layer_energy::bench::cuda {

// cudaMalloc'd memory (never managed memory), freed on destruction. Throws DeviceOutOfMemory when allocation fails.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t bytes);
  ~DeviceBuffer();
  DeviceBuffer(DeviceBuffer&& other) noexcept;
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  void* get() const { return data_; }
  std::size_t bytes() const { return bytes_; }

 private:
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
};

enum class Element { f32, f16 };

// Element type of a precision's tensors: fp16 -> f16, fp32 and tf32 -> f32 (TF32 is a math mode, not a format).
Element element_of(layers::Precision precision);
std::size_t element_bytes(Element element);

// A device tensor of `count` elements. The buffer is rounded up to an even number of elements because cuRAND's
// normal generators produce values in pairs.
struct Tensor {
  Tensor() = default;
  Tensor(int64_t count, Element element);

  DeviceBuffer buffer;
  int64_t count = 0;
  Element element = Element::f32;

  void* data() const { return buffer.get(); }
  std::size_t bytes() const { return static_cast<std::size_t>(count) * element_bytes(element); }
};

// Bytes of `count` elements, or DeviceOutOfMemory naming `what` when that overflows any reasonable size.
std::size_t checked_bytes(double count, Element element, const std::string& what);

// Sets every byte of the tensor to zero (on the stream).
void fill_zero(const Context& context, Tensor* tensor);
// Waits for the stream, copies the tensor to the host and converts to float.
std::vector<float> download(const Context& context, const Tensor& tensor);

}  // namespace layer_energy::bench::cuda
