// layer_bench --list_power, end to end on fixture trees: stdout lines, stderr reasons, exit codes.
#include <gtest/gtest.h>

#include "run_command.hpp"

using layer_energy::test::fixture;
using layer_energy::test::layer_bench_command;
using layer_energy::test::run_command;

TEST(ListPower, OrinNanoListsItsThreeRailsWithVddInAsTotal) {
  const auto r = run_command(layer_bench_command() + " --list_power --power=jetson --power_sysfs_root=" +
                             fixture("sysfs/orin-nano-r36"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "jetson VDD_IN W power 0.026 yes\n"
            "jetson VDD_CPU_GPU_CV W power 0.026 no\n"
            "jetson VDD_SOC W power 0.026 no\n");
}

TEST(ListPower, AutoListsUsableSourcesAndGivesReasonsForTheOthers) {
  const auto r = run_command("LAYER_ENERGY_NVML_LIBRARY=/nonexistent/libnvidia-ml.so.1 " + layer_bench_command() +
                             " --list_power --power_sysfs_root=" + fixture("sysfs/agx-orin-r36"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("jetson VDD_GPU_SOC W power"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("NC"), std::string::npos) << r.out;  // NC channels are not rails
  EXPECT_NE(r.err.find("nvml: not usable"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("rapl: not usable"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("not usable"), std::string::npos);  // reasons go to stderr only
}

TEST(ListPower, NamedSourceThatCannotBeUsedExitsNonZero) {
  const auto r = run_command(layer_bench_command() + " --list_power --power=jetson --power_sysfs_root=/nonexistent");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("INA3221"), std::string::npos) << r.err;
}

TEST(ListPower, UnknownSourceIsAnError) {
  const auto r = run_command(layer_bench_command() + " --list_power --power=wattmeter");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("unknown source"), std::string::npos) << r.err;
}

TEST(ListPower, ReplayTraceListsItsRails) {
  const auto r =
      run_command(layer_bench_command() + " --list_power --power=replay:" + fixture("traces/constant_5w.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "replay VDD_IN W power 0.1 yes\n");
}

TEST(LayerBench, BadFlagValueIsOneLineAndExitTwo) {
  const auto r = run_command(layer_bench_command() + " --backend=tpu");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--backend: expected auto|cuda|cpu"), std::string::npos) << r.err;
}
