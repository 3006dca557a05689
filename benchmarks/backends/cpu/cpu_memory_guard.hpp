// The CPU backend's memory guard: refuses a case whose buffers would take more than half of physical memory
// (internal; see benchmarks/backends/cpu/cpu_backend.hpp).
#pragma once

namespace layer_energy::bench::cpu {

// Physical memory in bytes (sysconf), 0 when unknown.
double physical_memory_bytes();
// Throws UnsupportedLayer("cpu backend: needs X GiB, more than half of this machine's memory (Y GiB)") when `bytes`
// exceed half of physical memory, so that a sweep never swaps.
void check_memory(double bytes);

}  // namespace layer_energy::bench::cpu
