// How long this process's threads waited for a CPU while a window was timed, from the scheduler's per-thread
// run-queue time (/proc/self/task/*/schedstat, nanoseconds), so a case can say whether other processes competed for
// the CPUs (`host_wait_cores`, `contended`). A CPU backend's threads meet at barriers: one preempted thread stalls
// them all for a scheduler slice, so a compile beside a sweep turns microsecond layers into milliseconds (seen on a
// 2-core VM: 179 of 1,187 convs came out at 8.0 ms).
#pragma once

#include <limits>
#include <string>

namespace layer_energy::power {

// One reading: this process's threads' summed run-queue wait (s), the power sampler's own thread left out; NaN where
// not readable.
struct HostWait {
  double wait_s = std::numeric_limits<double>::quiet_NaN();
  int threads = 0;  // threads read
};

class HostLoadReader {
 public:
  // proc_self: the directory holding task/<tid>/schedstat ("/proc/self"; a fixture tree in tests).
  explicit HostLoadReader(std::string proc_self = "/proc/self");
  // One small file read per thread (a few µs each): cheap enough for every window edge. Never throws.
  HostWait read() const;
  // "schedstat", or "none (why)" when the kernel keeps no per-thread scheduler times (CONFIG_SCHED_INFO off).
  std::string description() const;
  bool available() const { return why_not_.empty(); }

 private:
  HostWait read_unchecked() const;

  std::string root_;
  std::string why_not_;
};

// Cores' worth of waiting between two readings over a window of `window_s` (1: one thread ready but not running for
// the whole window); NaN when either reading is incomplete or the window is not positive.
double wait_cores(const HostWait& begin, const HostWait& end, double window_s);

// A window was contended when its threads waited, together, at least 5% of the window per thread the backend runs
// and at least a tenth of a core (a quiet machine's kernel threads and our own sampler cost well under that).
bool contended(double wait_cores, int threads);

}  // namespace layer_energy::power
