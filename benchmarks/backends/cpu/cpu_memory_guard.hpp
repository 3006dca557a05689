// The CPU backend's memory guard: refuses a case whose buffers would take more than half of the memory this process
// may use: physical memory, or a container's (cgroup) limit when lower, where the kernel would kill the sweep
// instead (internal; see benchmarks/backends/cpu/cpu_backend.hpp).
#pragma once

#include <string>

namespace layer_energy::bench::cpu {

// Physical memory in bytes (sysconf), 0 when unknown.
double physical_memory_bytes();
// The memory limit of this process's cgroup and its ancestors (v2 memory.max, v1 memory.limit_in_bytes), in bytes;
// 0 when there is none or it cannot be read. `root` prefixes /proc and /sys (tests use a fixture tree).
double cgroup_memory_limit_bytes(const std::string& root = "");
// Throws UnsupportedLayer("cpu backend: needs X GiB, more than half of this machine's memory (Y GiB)", or "... of the
// cgroup memory limit (Y GiB)") when `bytes` exceed half of what the process may use, so a sweep never swaps or is
// killed.
void check_memory(double bytes, const std::string& root = "");

}  // namespace layer_energy::bench::cpu
