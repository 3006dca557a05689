// --power_trace_out, then re-integration of each case's [t0_s, t1_s] from the written trace: the same energies.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "power/rail_selection.hpp"
#include "power/trace.hpp"
#include "power/window.hpp"
#include "run_command.hpp"

namespace lp = layer_energy::power;
using layer_energy::test::fixture;
using layer_energy::test::layer_bench_path;
using layer_energy::test::run_command;

TEST(TraceRoundTrip, ReintegratingTheWrittenTraceGivesTheSameWindowEnergies) {
  // A trace whose power changes, so interpolation and trapezoids matter.
  const std::string source_trace = ::testing::TempDir() + "ramp_trace.csv";
  {
    std::ofstream out(source_trace);
    out << "t_s,rail,value,unit\n";
    for (int i = 0; i <= 40; ++i) out << i * 0.01 << ",VDD_IN," << 4.0 + (i % 7) * 0.5 << ",W\n";
  }
  const std::string trace = ::testing::TempDir() + "written_trace.csv";
  const std::string result = ::testing::TempDir() + "roundtrip.json";
  const auto r = run_command(layer_bench_path() + " --backend=cpu --power=replay:" + source_trace +
                             " --grid=" + fixture("layers_small.csv") +
                             " --benchmark_filter=FC --idle_s=0 --energy_rel_err=0 --benchmark_min_time=0.05"
                             " --power_trace_out=" + trace + " --benchmark_out=" + result);
  ASSERT_EQ(r.exit_code, 0) << r.err;

  const lp::Trace written = lp::read_trace_csv(trace);
  ASSERT_EQ(written.rails.size(), 1u);
  std::ifstream in(result);
  std::stringstream text;
  text << in.rdbuf();
  const auto json = nlohmann::json::parse(text.str());
  int checked = 0;
  for (const auto& entry : json["benchmarks"]) {
    const double t0 = entry["t0_s"];
    const double t1 = entry["t1_s"];
    const double iterations = entry["iterations"];
    const auto window = lp::integrate_power(written.series[0], t0, t1, {0.0, 0.01});
    ASSERT_TRUE(window.ok) << window.why;
    EXPECT_NEAR(window.energy_j / iterations, entry["energy_J"].get<double>(), entry["energy_J"].get<double>() * 1e-6)
        << entry["name"];
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}
