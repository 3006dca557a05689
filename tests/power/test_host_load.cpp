// power/host_load: this process's run-queue wait from schedstat files (a fixture tree of the kernel's format, and the
// real /proc/self), the cores' worth of waiting over a window, and the contention rule.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "power/host_load.hpp"
#include "power/sampler.hpp"
#include "cpu_hogs.hpp"

namespace layer_energy::power {
namespace {

// A /proc/self look-alike: task/<tid>/schedstat holding "on-cpu-ns run-queue-ns timeslices", and task/<tid>/comm
// (the thread's name) where `names` gives one.
std::string proc_tree(const std::vector<std::string>& schedstats, const std::vector<std::string>& names = {}) {
  std::string root = ::testing::TempDir() + "host_load_XXXXXX";
  if (!mkdtemp(&root[0])) throw std::runtime_error("mkdtemp failed");
  mkdir((root + "/task").c_str(), 0755);
  int tid = 100;
  for (const auto& line : schedstats) {
    const std::string dir = root + "/task/" + std::to_string(tid++);
    mkdir(dir.c_str(), 0755);
    std::ofstream(dir + "/schedstat") << line << "\n";
    const std::size_t i = static_cast<std::size_t>(tid - 101);
    if (i < names.size() && !names[i].empty()) std::ofstream(dir + "/comm") << names[i] << "\n";
  }
  return root;
}

TEST(HostLoad, SumsTheRunQueueWaitOfEveryThreadButThePowerSamplers) {
  // The sampler's waits are the measurement's own: a third thread, named as the sampler names its thread, is skipped.
  const HostLoadReader reader(proc_tree({"900000000 2000000000 40", "100 500000000 3", "5 7000000000 9"},
                                        {"layer_bench", "omp worker", kSamplerThreadName}));
  ASSERT_TRUE(reader.available()) << reader.description();
  EXPECT_EQ(reader.description(), "schedstat");
  const HostWait w = reader.read();
  EXPECT_EQ(w.threads, 2);
  EXPECT_DOUBLE_EQ(w.wait_s, 2.5);
}

TEST(HostLoad, WithoutSchedstatTheReaderSaysWhyAndReadsNothing) {
  const HostLoadReader reader(::testing::TempDir() + "no_such_proc_self");
  EXPECT_FALSE(reader.available());
  EXPECT_NE(reader.description().find("none ("), std::string::npos) << reader.description();
  EXPECT_NE(reader.description().find("schedstat"), std::string::npos) << reader.description();
  EXPECT_TRUE(std::isnan(reader.read().wait_s));
  const HostLoadReader garbage(proc_tree({"not numbers"}));
  EXPECT_FALSE(garbage.available());
}

TEST(HostLoad, WaitIsCoresWorthOverTheWindowAndContentionScalesWithThreads) {
  HostWait a, b;
  a.wait_s = 1.0, b.wait_s = 1.3;
  EXPECT_DOUBLE_EQ(wait_cores(a, b, 0.6), 0.5);
  EXPECT_DOUBLE_EQ(wait_cores(b, a, 0.6), 0.0);  // a thread that exited took its wait along: never negative
  EXPECT_TRUE(std::isnan(wait_cores(a, HostWait{}, 0.6)));
  EXPECT_TRUE(std::isnan(wait_cores(a, b, 0)));
  EXPECT_FALSE(contended(0.09, 1));  // a quiet machine's kernel threads
  EXPECT_TRUE(contended(0.1, 1));
  EXPECT_TRUE(contended(0.1, 2));
  EXPECT_FALSE(contended(0.7, 16));  // 16 threads: 5% each is 0.8 cores
  EXPECT_TRUE(contended(0.8, 16));
  EXPECT_FALSE(contended(std::nan(""), 2));
}

TEST(HostLoad, AThreadBesideOtherProcessesOnEveryCpuWaitsOnTheRealKernel) {
  const HostLoadReader reader;
  if (!reader.available()) GTEST_SKIP() << "this kernel keeps no per-thread scheduler times: " << reader.description();
  const HostWait before = reader.read();
  ASSERT_GE(before.threads, 1);
  const double window_s = 0.3;
  HostWait after;
  std::size_t others = 0;
  {
    // Other processes on every CPU, twice over; this thread spins too, so it is runnable while they run.
    const test::CpuHogs hogs;
    others = hogs.size();
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(window_s);
    while (std::chrono::steady_clock::now() < until) {
    }
    after = reader.read();
  }
  const double cores = wait_cores(before, after, window_s);
  EXPECT_TRUE(contended(cores, 1)) << cores << " cores' worth of waiting beside " << others << " other processes";
}

}  // namespace
}  // namespace layer_energy::power
