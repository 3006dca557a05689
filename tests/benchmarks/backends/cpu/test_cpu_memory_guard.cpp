// The CPU backend's memory guard under a container's memory limit: cgroup v2 (memory.max, the smallest of the
// process's cgroup and its ancestors) and v1 (memory.limit_in_bytes), on fixture trees written per test.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "benchmarks/backends/backend.hpp"
#include "benchmarks/backends/cpu/cpu_memory_guard.hpp"
#include "temp_tree.hpp"

namespace layer_energy::bench::cpu {
namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

// An empty tree to write /proc and /sys files into.
struct Root {
  test::TempTree tree{std::string(LAYER_ENERGY_FIXTURES) + "/traces"};  // any fixture folder: only its path is used
  void write(const std::string& path, const std::string& text) {
    ASSERT_EQ(std::system(("mkdir -p '" + tree.path() + path.substr(0, path.rfind('/')) + "'").c_str()), 0);
    std::ofstream(tree.path() + path) << text;
  }
};

TEST(CpuMemoryGuard, CgroupV2LimitIsTheSmallestOnThePathToTheRoot) {
  Root root;
  root.write("/proc/self/cgroup", "0::/user.slice/job.scope\n");
  root.write("/sys/fs/cgroup/user.slice/memory.max", "4294967296\n");  // 4 GiB on the parent
  root.write("/sys/fs/cgroup/user.slice/job.scope/memory.max", "max\n");
  EXPECT_DOUBLE_EQ(cgroup_memory_limit_bytes(root.tree.path()), 4 * kGiB);
  try {
    check_memory(3 * kGiB, root.tree.path());
    ADD_FAILURE() << "3 GiB accepted under a 4 GiB limit";
  } catch (const UnsupportedLayer& e) {
    EXPECT_NE(std::string(e.what()).find("cgroup memory limit (4 GiB)"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(check_memory(1 * kGiB, root.tree.path()));
}

TEST(CpuMemoryGuard, CgroupV1LimitAndItsNoLimitValue) {
  Root root;
  root.write("/proc/self/cgroup", "4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n0::/\n");
  root.write("/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes", "2147483648\n");
  EXPECT_DOUBLE_EQ(cgroup_memory_limit_bytes(root.tree.path()), 2 * kGiB);
  root.write("/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes", "9223372036854771712\n");  // v1: no limit
  EXPECT_DOUBLE_EQ(cgroup_memory_limit_bytes(root.tree.path()), 0);
}

TEST(CpuMemoryGuard, NoCgroupFilesMeansPhysicalMemoryDecides) {
  Root root;
  EXPECT_DOUBLE_EQ(cgroup_memory_limit_bytes(root.tree.path()), 0);
  try {
    check_memory(1e30, root.tree.path());
    ADD_FAILURE() << "1e30 bytes accepted";
  } catch (const UnsupportedLayer& e) {
    EXPECT_NE(std::string(e.what()).find("this machine's memory"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace layer_energy::bench::cpu
