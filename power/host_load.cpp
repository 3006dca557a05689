#include "power/host_load.hpp"

#include <dirent.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>

#include "power/sampler.hpp"

namespace layer_energy::power {
namespace {

// The second field of a schedstat file: nanoseconds spent runnable on a run queue, not running.
bool queue_wait_ns(const std::string& path, double* ns) {
  std::ifstream in(path);
  double on_cpu = 0, waiting = 0;
  if (!(in >> on_cpu >> waiting) || waiting < 0) return false;
  *ns = waiting;
  return true;
}

}  // namespace

HostLoadReader::HostLoadReader(std::string proc_self) : root_(std::move(proc_self)) {
  const HostWait probe = read_unchecked();
  if (!std::isfinite(probe.wait_s)) {
    why_not_ = root_ + "/task/*/schedstat does not read (a kernel without CONFIG_SCHED_INFO)";
  }
}

HostWait HostLoadReader::read_unchecked() const {
  HostWait w;
  DIR* dir = opendir((root_ + "/task").c_str());
  if (!dir) return w;
  double total_ns = 0;
  while (const dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    const std::string task = root_ + "/task/" + e->d_name;
    std::string name;
    if (std::getline(std::ifstream(task + "/comm"), name) && name == kSamplerThreadName) continue;
    double ns = 0;
    if (!queue_wait_ns(task + "/schedstat", &ns)) continue;  // a thread that just exited
    total_ns += ns;
    ++w.threads;
  }
  closedir(dir);
  if (w.threads > 0) w.wait_s = total_ns * 1e-9;
  return w;
}

HostWait HostLoadReader::read() const { return available() ? read_unchecked() : HostWait{}; }

std::string HostLoadReader::description() const { return available() ? "schedstat" : "none (" + why_not_ + ")"; }

double wait_cores(const HostWait& begin, const HostWait& end, double window_s) {
  if (!std::isfinite(begin.wait_s) || !std::isfinite(end.wait_s) || !(window_s > 0)) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  // A thread that exited between the readings takes its wait with it: the difference is clamped at zero.
  return std::max(0.0, end.wait_s - begin.wait_s) / window_s;
}

bool contended(double cores, int threads) {
  return std::isfinite(cores) && cores >= std::max(0.1, 0.05 * std::max(1, threads));
}

}  // namespace layer_energy::power
