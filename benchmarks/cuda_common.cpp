#include "benchmarks/cuda_common.hpp"

#include <curand.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>
#include <utility>

#include "benchmarks/cuda_check.hpp"
#include "benchmarks/cuda_half.hpp"

namespace layer_energy::bench::cuda {

namespace {

// One graph holds about this much device work, so that launching it costs the host a small fraction of its time.
constexpr double kGraphTargetSeconds = 100e-6;
constexpr int64_t kMaxGraphBatch = 64;

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

// ---------------------------------------------------------------------------------------------------------------
// Context

Context::Context(int device_ordinal, bool use_graphs) : device(device_ordinal), graphs(use_graphs) {
  try {
    LAYER_ENERGY_CUDA_CHECK(cudaSetDevice(device));
    cudaDeviceProp prop{};
    LAYER_ENERGY_CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
    name = prop.name;
    sm_count = prop.multiProcessorCount;
    cc_major = prop.major;
    cc_minor = prop.minor;
    total_memory = prop.totalGlobalMem;
    LAYER_ENERGY_CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
    LAYER_ENERGY_CUDA_CHECK(cudnnCreate(&cudnn));
    LAYER_ENERGY_CUDA_CHECK(cudnnSetStream(cudnn, stream));
    LAYER_ENERGY_CUDA_CHECK(cublasCreate(&cublas));
    LAYER_ENERGY_CUDA_CHECK(cublasSetStream(cublas, stream));
    // CUBLAS_DEFAULT_MATH: no TF32 for fp32 (CUDA 11+: TF32 only with CUBLAS_COMPUTE_32F_FAST_TF32 or the TF32
    // math mode); fp16 GEMMs use tensor cores under the default mode from cuBLAS 11 on.
    LAYER_ENERGY_CUDA_CHECK(cublasSetMathMode(cublas, CUBLAS_DEFAULT_MATH));
#if defined(CUBLAS_VER_MAJOR) && CUBLAS_VER_MAJOR >= 12
    // After cublasSetStream, which resets the workspace to cuBLAS's own pool. 32 MiB is cuBLAS's recommendation
    // for Hopper, 4 MiB for earlier GPUs.
    cublas_workspace_bytes = (cc_major >= 9 ? 32u : 4u) << 20;
    LAYER_ENERGY_CUDA_CHECK(cudaMalloc(&cublas_workspace, cublas_workspace_bytes));
    LAYER_ENERGY_CUDA_CHECK(cublasSetWorkspace(cublas, cublas_workspace, cublas_workspace_bytes));
#endif
  } catch (...) {
    release();
    throw;
  }
}

Context::~Context() {
  release();
}

void Context::release() noexcept {
  if (stream != nullptr) cudaStreamSynchronize(stream);
  if (cublas != nullptr) cublasDestroy(cublas);
  if (cudnn != nullptr) cudnnDestroy(cudnn);
  if (cublas_workspace != nullptr) cudaFree(cublas_workspace);
  if (stream != nullptr) cudaStreamDestroy(stream);
  cublas = nullptr;
  cudnn = nullptr;
  cublas_workspace = nullptr;
  stream = nullptr;
}

void Context::make_current() const {
  LAYER_ENERGY_CUDA_CHECK(cudaSetDevice(device));
}

// ---------------------------------------------------------------------------------------------------------------
// Buffers and tensors

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

// ---------------------------------------------------------------------------------------------------------------
// Events and graphs

Event::Event() {
  LAYER_ENERGY_CUDA_CHECK(cudaEventCreate(&event_));
}

Event::~Event() {
  if (event_ != nullptr) cudaEventDestroy(event_);
}

void Event::record(cudaStream_t stream) {
  LAYER_ENERGY_CUDA_CHECK(cudaEventRecord(event_, stream));
}

double elapsed_s(const Event& start, const Event& stop) {
  LAYER_ENERGY_CUDA_CHECK(cudaEventSynchronize(stop.get()));
  float ms = 0;
  LAYER_ENERGY_CUDA_CHECK(cudaEventElapsedTime(&ms, start.get(), stop.get()));
  return static_cast<double>(ms) * 1e-3;
}

GraphExec::~GraphExec() {
  if (exec_ != nullptr) cudaGraphExecDestroy(exec_);
}

GraphExec::GraphExec(GraphExec&& other) noexcept : exec_(other.exec_) {
  other.exec_ = nullptr;
}

GraphExec& GraphExec::operator=(GraphExec&& other) noexcept {
  if (this != &other) {
    if (exec_ != nullptr) cudaGraphExecDestroy(exec_);
    exec_ = other.exec_;
    other.exec_ = nullptr;
  }
  return *this;
}

// ---------------------------------------------------------------------------------------------------------------
// CudaPreparedLayer

CudaPreparedLayer::CudaPreparedLayer(std::shared_ptr<const Context> context) : context_(std::move(context)) {}

CudaPreparedLayer::~CudaPreparedLayer() {
  wait_idle();
}

void CudaPreparedLayer::wait_idle() noexcept {
  if (context_ && context_->stream != nullptr) cudaStreamSynchronize(context_->stream);
}

GraphExec CudaPreparedLayer::capture(int64_t forwards) {
  const cudaStream_t stream = context_->stream;
  // Thread-local mode: a call on this thread that cannot be captured fails (and the layer falls back to stream
  // launches) instead of silently running outside the graph; other threads (the power sampler) are not affected.
  LAYER_ENERGY_CUDA_CHECK(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal));
  cudaGraph_t graph = nullptr;
  try {
    for (int64_t i = 0; i < forwards; ++i) forward();
  } catch (...) {
    cudaStreamEndCapture(stream, &graph);
    if (graph != nullptr) cudaGraphDestroy(graph);
    cudaGetLastError();
    throw;
  }
  const cudaError_t ended = cudaStreamEndCapture(stream, &graph);
  if (ended != cudaSuccess) {
    if (graph != nullptr) cudaGraphDestroy(graph);
    cudaGetLastError();
    LAYER_ENERGY_CUDA_CHECK(ended);
  }
  cudaGraphExec_t exec = nullptr;
#if CUDART_VERSION >= 11040
  const cudaError_t instantiated = cudaGraphInstantiateWithFlags(&exec, graph, 0);
#else
  const cudaError_t instantiated = cudaGraphInstantiate(&exec, graph, nullptr, nullptr, 0);
#endif
  cudaGraphDestroy(graph);  // the executable graph keeps what it needs
  LAYER_ENERGY_CUDA_CHECK(instantiated);
  return GraphExec(exec);
}

void CudaPreparedLayer::launch(const GraphExec& graph) {
  LAYER_ENERGY_CUDA_CHECK(cudaGraphLaunch(graph.get(), context_->stream));
}

double CudaPreparedLayer::time_forwards(int count) {
  Event start, stop;
  start.record(context_->stream);
  for (int i = 0; i < count; ++i) {
    if (single_) {
      launch(single_);
    } else {
      forward();
    }
  }
  stop.record(context_->stream);
  return elapsed_s(start, stop) / count;
}

void CudaPreparedLayer::finish_prepare() {
  // One eager forward: a library error surfaces here (the case is skipped with it), and lazy initialisation
  // (module loading, cuBLAS's workspace) happens before any capture.
  forward();
  LAYER_ENERGY_CUDA_CHECK(cudaStreamSynchronize(context_->stream));
  LAYER_ENERGY_CUDA_CHECK(cudaGetLastError());
  // What one forward launches, with the modules loaded (so no one-off setup kernel counts).
  record_ = record_kernels([this] {
    forward();
    LAYER_ENERGY_CUDA_CHECK(cudaStreamSynchronize(context_->stream));
  });
  forward_s_ = time_forwards(3);
  use_graphs_ = false;
  batch_size_ = 1;
  if (!context_->graphs) {
    launch_note_ = "launch: stream (graphs turned off)";
    return;
  }
  try {
    single_ = capture(1);
    launch(single_);
    LAYER_ENERGY_CUDA_CHECK(cudaStreamSynchronize(context_->stream));
    forward_s_ = time_forwards(3);
    const double ratio = std::ceil(kGraphTargetSeconds / std::max(forward_s_, 1e-9));
    batch_size_ = std::min<int64_t>(kMaxGraphBatch, std::max<int64_t>(1, static_cast<int64_t>(ratio)));
    if (batch_size_ > 1) {
      batch_ = capture(batch_size_);
      launch(batch_);
      LAYER_ENERGY_CUDA_CHECK(cudaStreamSynchronize(context_->stream));
    }
    use_graphs_ = true;
    launch_note_ = "launch: CUDA graph of " + std::to_string(batch_size_) + " forward" + (batch_size_ > 1 ? "s" : "");
  } catch (const std::exception& e) {
    // Graphs are an optimisation: fall back to launching every forward on the stream, and say why.
    cudaStreamSynchronize(context_->stream);
    cudaGetLastError();
    single_ = GraphExec();
    batch_ = GraphExec();
    use_graphs_ = false;
    batch_size_ = 1;
    launch_note_ = std::string("launch: stream (graph capture failed: ") + e.what() + ")";
  }
}

void CudaPreparedLayer::enqueue() {
  if (!use_graphs_) {
    forward();
    return;
  }
  if (++pending_ < batch_size_) return;
  pending_ = 0;
  launch(batch_size_ > 1 ? batch_ : single_);
}

void CudaPreparedLayer::flush() {
  for (; pending_ > 0; --pending_) launch(single_);
}

void CudaPreparedLayer::synchronize() {
  flush();
  LAYER_ENERGY_CUDA_CHECK(cudaStreamSynchronize(context_->stream));
}

double CudaPreparedLayer::run(int64_t iterations) {
  if (iterations <= 0) return 0.0;
  flush();
  Event start, stop;
  start.record(context_->stream);
  for (int64_t i = 0; i < iterations; ++i) enqueue();
  flush();
  stop.record(context_->stream);
  return elapsed_s(start, stop);
}

std::string CudaPreparedLayer::description() const {
  char timing[64];
  std::snprintf(timing, sizeof timing, "; %.3g us per forward at prepare", forward_s_ * 1e6);
  return describe() + "; " + launch_note_ + timing;
}

}  // namespace layer_energy::bench::cuda
