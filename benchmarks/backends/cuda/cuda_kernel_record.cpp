#include "benchmarks/backends/cuda/cuda_kernel_record.hpp"

#if LAYER_ENERGY_HAVE_CUPTI
#include <cupti.h>

#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <vector>
#endif

namespace layer_energy::bench::cuda {

std::map<std::string, double> KernelRecord::counters() const {
  if (!ok) return {};
  return {{"kernels", kernels},
          {"blocks", blocks},
          {"threads_per_block", threads_per_block},
          {"registers_per_thread", registers_per_thread},
          {"shared_memory_bytes", shared_memory_bytes}};
}

#if LAYER_ENERGY_HAVE_CUPTI
namespace {

struct Launch {
  double duration_ns, blocks, threads, registers, shared;
  std::string name;
};

// CUPTI hands completed buffers to its own thread: what they hold is collected here under a lock.
std::mutex launches_mutex;
std::vector<Launch> launches;

constexpr std::size_t kBufferBytes = 1 << 20;
constexpr std::size_t kAlignment = 8;  // ACTIVITY_RECORD_ALIGNMENT

void CUPTIAPI buffer_requested(uint8_t** buffer, size_t* size, size_t* max_records) {
  *buffer = static_cast<uint8_t*>(std::aligned_alloc(kAlignment, kBufferBytes));
  *size = *buffer ? kBufferBytes : 0;
  *max_records = 0;  // as many as fit
}

void CUPTIAPI buffer_completed(CUcontext, uint32_t, uint8_t* buffer, size_t, size_t valid) {
  CUpti_Activity* record = nullptr;
  std::vector<Launch> found;
  while (buffer && cuptiActivityGetNextRecord(buffer, valid, &record) == CUPTI_SUCCESS) {
    if (record->kind != CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL && record->kind != CUPTI_ACTIVITY_KIND_KERNEL) continue;
    // Every kernel record version since CUpti_ActivityKernel4 (CUDA 10) starts with these fields in this order;
    // later versions only append, so the oldest layout the supported toolkits share reads them from any of them.
    const auto* k = reinterpret_cast<const CUpti_ActivityKernel4*>(record);
    found.push_back({static_cast<double>(k->end - k->start), static_cast<double>(k->gridX) * k->gridY * k->gridZ,
                     static_cast<double>(k->blockX) * k->blockY * k->blockZ,
                     static_cast<double>(k->registersPerThread),
                     static_cast<double>(k->staticSharedMemory) + static_cast<double>(k->dynamicSharedMemory),
                     k->name ? k->name : ""});
  }
  std::free(buffer);
  const std::lock_guard<std::mutex> lock(launches_mutex);
  launches.insert(launches.end(), found.begin(), found.end());
}

std::string cupti_error(const char* call, CUptiResult result) {
  const char* text = nullptr;
  cuptiGetResultString(result, &text);
  return std::string("CUPTI ") + call + ": " + (text ? text : "unknown error");
}

}  // namespace

KernelRecord record_kernels(const std::function<void()>& forward_and_wait) {
  KernelRecord out;
  // One recording at a time: the activity buffers are process-wide.
  static std::mutex recording;
  const std::lock_guard<std::mutex> one(recording);
  static const CUptiResult registered = cuptiActivityRegisterCallbacks(buffer_requested, buffer_completed);
  if (registered != CUPTI_SUCCESS) {
    out.why = cupti_error("cuptiActivityRegisterCallbacks", registered);
    return out;
  }
  {
    const std::lock_guard<std::mutex> lock(launches_mutex);
    launches.clear();
  }
  const CUptiResult enabled = cuptiActivityEnable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
  if (enabled != CUPTI_SUCCESS) {
    out.why = cupti_error("cuptiActivityEnable", enabled);
    return out;
  }
  try {
    forward_and_wait();
  } catch (...) {
    cuptiActivityDisable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
    throw;
  }
  cuptiActivityDisable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
  const CUptiResult flushed = cuptiActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
  if (flushed != CUPTI_SUCCESS) {
    out.why = cupti_error("cuptiActivityFlushAll", flushed);
    return out;
  }
  const std::lock_guard<std::mutex> lock(launches_mutex);
  if (launches.empty()) {
    out.why = "CUPTI recorded no kernel for the forward";
    return out;
  }
  const Launch* longest = &launches.front();
  for (const Launch& l : launches)
    if (l.duration_ns > longest->duration_ns) longest = &l;
  out.ok = true;
  out.kernels = static_cast<double>(launches.size());
  out.blocks = longest->blocks;
  out.threads_per_block = longest->threads;
  out.registers_per_thread = longest->registers;
  out.shared_memory_bytes = longest->shared;
  out.name = longest->name;
  return out;
}

#else

KernelRecord record_kernels(const std::function<void()>&) {
  KernelRecord out;
  out.why = LAYER_ENERGY_CUPTI_MISSING;
  return out;
}

#endif

}  // namespace layer_energy::bench::cuda
