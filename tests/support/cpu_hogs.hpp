// Other processes that keep every CPU busy while a test runs (what a compile beside a sweep does): forked children
// that spin until the object goes out of scope, so only their competition, not their own waiting, reaches the
// process under test.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>
#include <vector>

namespace layer_energy::test {

class CpuHogs {
 public:
  // `per_cpu` spinning processes per CPU.
  explicit CpuHogs(unsigned per_cpu = 2) {
    const unsigned n = per_cpu * std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < n; ++i) {
      const pid_t pid = ::fork();
      if (pid == 0) {
        for (volatile unsigned long spin = 0;; spin = spin + 1) {
        }
      }
      if (pid > 0) pids_.push_back(pid);
    }
  }
  ~CpuHogs() {
    for (const pid_t pid : pids_) ::kill(pid, SIGKILL);
    for (const pid_t pid : pids_) ::waitpid(pid, nullptr, 0);
  }
  CpuHogs(const CpuHogs&) = delete;
  CpuHogs& operator=(const CpuHogs&) = delete;
  std::size_t size() const { return pids_.size(); }

 private:
  std::vector<pid_t> pids_;
};

}  // namespace layer_energy::test
