// A sweep holds one case's buffers at a time: the previous case's prepared layers are released when the next case
// starts (a time-only run of the 1,028-case model grid grew past 23 GiB and was OOM-killed before this).
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "run_command.hpp"

namespace {

// Runs `command` through /bin/sh and returns the child's peak resident memory in MiB (-1 when it failed).
double peak_rss_mib(const std::string& command) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  struct rusage usage {};
  if (pid < 0 || ::wait4(pid, &status, 0, &usage) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

}  // namespace

TEST(LayerBenchMemory, OneCaseResidentAtATime) {
  // Eight FC layers of 256 MiB of weights each (2 GiB if all were kept), distinct shapes.
  const std::string grid = ::testing::TempDir() + "memory_grid_" + std::to_string(::getpid()) + ".csv";
  {
    std::ofstream csv(grid);
    csv << "type,N,in,out\n";
    for (int i = 0; i < 8; ++i) csv << "fc,1,8192," << 8192 - 16 * i << "\n";
  }
  const std::string out = ::testing::TempDir() + "memory_" + std::to_string(::getpid()) + ".json";
  const double peak = peak_rss_mib(layer_energy::test::layer_bench_path() + " --backend=cpu --power=none --grid=" +
                                   grid + " --benchmark_min_time=0.01 --benchmark_out=" + out + " >/dev/null 2>&1");
  ASSERT_GT(peak, 0) << "layer_bench failed";
  EXPECT_GT(peak, 256);   // one case's weights were resident (the measurement sees the process)
  EXPECT_LT(peak, 1200);  // not eight
}
