#include "benchmarks/backends/cuda/cuda_tensor.hpp"

#include <cuda_runtime_api.h>

#include <cstdio>

#include "benchmarks/backends/cuda/cuda_check.hpp"
#include "benchmarks/backends/cuda/cuda_half.hpp"

namespace layer_energy::bench::cuda {

DeviceBuffer::DeviceBuffer(std::size_t bytes) : bytes_(bytes) {
  if (bytes == 0) return;
  LAYER_ENERGY_CUDA_CHECK(cudaMalloc(&data_, bytes));
}

DeviceBuffer::~DeviceBuffer() {
  if (data_ != nullptr) cudaFree(data_);
}

DeviceBuffer::DeviceBuffer(DeviceBuffer&& other) noexcept : data_(other.data_), bytes_(other.bytes_) {
  other.data_ = nullptr;
  other.bytes_ = 0;
}

DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) cudaFree(data_);
    data_ = other.data_;
    bytes_ = other.bytes_;
    other.data_ = nullptr;
    other.bytes_ = 0;
  }
  return *this;
}

Element element_of(layers::Precision precision) {
  return precision == layers::Precision::fp16 ? Element::f16 : Element::f32;
}

std::size_t element_bytes(Element element) {
  return element == Element::f16 ? 2 : 4;
}

std::size_t checked_bytes(double count, Element element, const std::string& what) {
  const double bytes = (count + 1) * static_cast<double>(element_bytes(element));
  if (!(bytes < 0x1p62)) {
    char text[160];
    std::snprintf(text, sizeof text, "%s needs %.3g bytes of device memory", what.c_str(), bytes);
    throw DeviceOutOfMemory(text);
  }
  return static_cast<std::size_t>(bytes);
}

Tensor::Tensor(int64_t n, Element e)
    : buffer(static_cast<std::size_t>((n + 1) / 2 * 2) * element_bytes(e)), count(n), element(e) {}

void fill_zero(const Context& context, Tensor* tensor) {
  if (tensor->buffer.bytes() == 0) return;
  LAYER_ENERGY_CUDA_CHECK(cudaMemsetAsync(tensor->data(), 0, tensor->buffer.bytes(), context.stream));
}

std::vector<float> download(const Context& context, const Tensor& tensor) {
  const auto count = static_cast<std::size_t>(tensor.count);
  std::vector<float> values(count);
  if (count == 0) return values;
  if (tensor.element == Element::f32) {
    LAYER_ENERGY_CUDA_CHECK(
        cudaMemcpyAsync(values.data(), tensor.data(), count * sizeof(float), cudaMemcpyDeviceToHost, context.stream));
    LAYER_ENERGY_CUDA_CHECK(cudaStreamSynchronize(context.stream));
    return values;
  }
  std::vector<uint16_t> halves(count);
  LAYER_ENERGY_CUDA_CHECK(
      cudaMemcpyAsync(halves.data(), tensor.data(), count * sizeof(uint16_t), cudaMemcpyDeviceToHost, context.stream));
  LAYER_ENERGY_CUDA_CHECK(cudaStreamSynchronize(context.stream));
  for (std::size_t i = 0; i < count; ++i) values[i] = half_bits_to_float(halves[i]);
  return values;
}

}  // namespace layer_energy::bench::cuda
