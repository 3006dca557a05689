// The console reporter's rows and the energy-spread verdict over repetitions.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "reporters/energy_console_reporter.hpp"
#include "reporters/flushing_json_reporter.hpp"

using layer_energy::reporters::EnergyConsoleReporter;
using BenchRun = benchmark::BenchmarkReporter::Run;

namespace {

BenchRun case_run(double energy_j, double macs) {
  BenchRun run;
  run.run_name.function_name = "Conv/N:1/C:64/H:56/W:56/K:64/R:3/S:3/stride:1/pad:1/groups:1";
  run.run_type = BenchRun::RT_Iteration;
  run.iterations = 1000;
  run.real_accumulated_time = 1000 * 2e-3;  // 2 ms per iteration
  run.time_unit = benchmark::kMillisecond;
  run.counters["energy_J"] = benchmark::Counter(energy_j);
  run.counters["energy_err_J"] = benchmark::Counter(energy_j * 0.01);
  run.counters["power_W"] = benchmark::Counter(energy_j / 2e-3);
  run.counters["macs"] = benchmark::Counter(macs);
  return run;
}

}  // namespace

TEST(EnergyConsoleReporter, RowShowsTimeEnergyPowerAndPicojoulesPerMac) {
  const std::string row = EnergyConsoleReporter::format_row(case_run(0.02, 115605504), 60);
  EXPECT_NE(row.find("2.000 ms"), std::string::npos) << row;
  EXPECT_NE(row.find("20 mJ +- 200 uJ"), std::string::npos) << row;
  EXPECT_NE(row.find("10.00 W"), std::string::npos) << row;
  EXPECT_NE(row.find("173.00"), std::string::npos) << row;  // 0.02 J / 115.6 M MACs = 173 pJ/MAC
  EXPECT_NE(row.find("1000"), std::string::npos) << row;
}

TEST(EnergyConsoleReporter, RowWithoutEnergyShowsDashes) {
  BenchRun run = case_run(0.02, 1);
  run.counters.clear();
  run.report_label = "no energy: --power=none: time only";
  const std::string row = EnergyConsoleReporter::format_row(run, 60);
  EXPECT_NE(row.find("no energy"), std::string::npos) << row;
  EXPECT_EQ(row.find(" W "), std::string::npos) << row;
}

TEST(EnergyConsoleReporter, SpreadVerdictSaysWhichConditionFailed) {
  BenchRun cv = case_run(0.003, 1);
  cv.run_type = BenchRun::RT_Aggregate;
  cv.aggregate_name = "cv";
  cv.repetitions = 5;
  EXPECT_NE(EnergyConsoleReporter::spread_verdict(cv, 0.005).find("stable: spread 0.30%"), std::string::npos);
  cv.counters["energy_J"] = benchmark::Counter(0.02);
  const std::string verdict = EnergyConsoleReporter::spread_verdict(cv, 0.005);
  EXPECT_NE(verdict.find("NOT stable: spread 2.00% >= 0.50% after 5 repetitions"), std::string::npos) << verdict;
  cv.counters.clear();
  EXPECT_EQ(EnergyConsoleReporter::spread_verdict(cv, 0.005), "");
}

// The result file is strict JSON: a counter with no finite value is left out of its entry instead of written as a
// bare NaN, and the rest of the entry and file stay.
TEST(FlushingJsonReporter, NonFiniteCountersAreLeftOutSoTheFileIsStrictJson) {
  std::ostringstream out, err;
  layer_energy::reporters::FlushingJsonReporter reporter;
  reporter.SetOutputStream(&out);
  reporter.SetErrorStream(&err);
  benchmark::BenchmarkReporter::Context context;
  reporter.ReportContext(context);
  BenchRun cv = case_run(0.02, 1e6);
  cv.run_type = BenchRun::RT_Aggregate;
  cv.aggregate_name = "cv";
  cv.counters["throttled"] = benchmark::Counter(std::nan(""));
  cv.counters["ratio"] = benchmark::Counter(HUGE_VAL);
  reporter.ReportRuns({case_run(0.02, 1e6), cv});
  reporter.Finalize();
  const nlohmann::json doc = nlohmann::json::parse(out.str(), nullptr, false);  // strict: no NaN tokens
  ASSERT_FALSE(doc.is_discarded()) << out.str();
  ASSERT_EQ(doc["benchmarks"].size(), 2u);
  const nlohmann::json& agg = doc["benchmarks"][1];
  EXPECT_FALSE(agg.contains("throttled"));
  EXPECT_FALSE(agg.contains("ratio"));
  EXPECT_DOUBLE_EQ(agg["energy_J"].get<double>(), 0.02);
}
