// The one result-file module: the 1.7/1.8 entry shim and finished_cases (what --resume keeps) on real Google
// Benchmark files of both versions, a file cut short, and files that are not results.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "reporters/result_format/entry_status.hpp"
#include "reporters/result_format/reader.hpp"

namespace layer_energy::result_format {
namespace {

using nlohmann::json;

std::string fixture(const std::string& name) { return std::string(LAYER_ENERGY_FIXTURES) + "/results/" + name; }

TEST(EntryStatus, BothVersionsOfSkippedAreSkipped) {
  EXPECT_TRUE(entry_skipped(json{{"name", "a"}, {"error_occurred", true}, {"error_message", "why"}}));  // 1.7
  EXPECT_TRUE(entry_skipped(json{{"name", "a"}, {"skipped", true}}));                                   // 1.8
  EXPECT_TRUE(entry_skipped(json{{"name", "a"}, {"skipped", "error"}}));  // a kind string
  EXPECT_TRUE(entry_skipped(json{{"name", "a"}, {"skipped", 1}}));
  EXPECT_FALSE(entry_skipped(json{{"name", "a"}, {"skipped", false}, {"error_occurred", false}}));
  EXPECT_FALSE(entry_skipped(json{{"name", "a"}, {"skipped", ""}}));
  EXPECT_FALSE(entry_skipped(json{{"name", "a"}}));
  EXPECT_EQ(skip_message(json{{"error_message", "out of memory"}}), "out of memory");
  EXPECT_EQ(skip_message(json{{"error_message", ""}, {"skip_message", "unsupported"}}), "unsupported");
}

TEST(EntryStatus, FinishedIsANamedMeasuredRunNotAnAggregate) {
  EXPECT_TRUE(entry_finished(json{{"name", "FC/N:1/in:2/out:3"}, {"run_type", "iteration"}}));
  EXPECT_TRUE(entry_finished(json{{"name", "FC/N:1/in:2/out:3"}}));  // 1.7 files may omit run_type
  EXPECT_TRUE(entry_finished(json{{"name", "FC/N:1/in:2/out:3_mean"}, {"run_name", "FC/N:1/in:2/out:3"},
                                  {"run_type", "aggregate"}, {"aggregate_name", "mean"}}));  // aggregates only
  EXPECT_FALSE(entry_finished(json{{"name", "FC/N:1/in:2/out:3_cv"}, {"run_type", "aggregate"},
                                   {"aggregate_name", "cv"}}));
  EXPECT_FALSE(entry_finished(json{{"name", 3}}));
  EXPECT_FALSE(entry_finished(json{{"name", "FC/N:1/in:2/out:3"}, {"skipped", true}}));
  EXPECT_FALSE(entry_finished(json::array()));
  EXPECT_EQ(case_name_of(json{{"name", "X/repeats:3"}, {"run_name", "X"}}), "X");
}

TEST(FinishedCases, GoogleBenchmark17And18FilesKeepOnlyMeasuredCases) {
  // gb18_skipped.json: the conv case written as aggregates only (mean, median, stddev), the FC case as runs.
  const std::set<std::string> names = finished_cases(fixture("gb18_skipped.json"));
  EXPECT_TRUE(names.count("Conv/N:1/C:64/H:56/W:56/K:64/R:3/S:3/stride:1/pad:1/groups:1"));
  EXPECT_TRUE(names.count("FC/N:16/in:256/out:256"));
  EXPECT_FALSE(names.count("Conv/N:1/C:64/H:56/W:56/K:64/R:3/S:3/stride:1/pad:1/groups:1/fp16"));  // skipped
  EXPECT_FALSE(names.count("FC/N:1/in:9/out:9"));                                                  // error
  for (const auto& name : names) EXPECT_EQ(name.find("_mean"), std::string::npos) << name;
  EXPECT_FALSE(finished_cases(fixture("gb17_mixed.json")).empty());
}

TEST(FinishedCases, CutShortFileKeepsTheEntriesBeforeTheCutAsAnalysisDoes) {
  const ResultFile file = read_result_file(fixture("truncated.json"));
  ASSERT_TRUE(file.salvaged);
  std::set<std::string> expected;
  for (const auto& entry : file.entries) {
    if (entry_finished(entry)) expected.insert(case_name_of(entry));
  }
  EXPECT_FALSE(expected.empty());
  EXPECT_EQ(finished_cases(fixture("truncated.json")), expected);
}

// A result file as layer_bench writes it, with `runs` iteration entries per case name.
std::string write_result(const std::string& power_source, const std::vector<std::pair<std::string, int>>& runs,
                         int repetitions, bool energy) {
  json doc = {{"context", {{"power_source", power_source}}}, {"benchmarks", json::array()}};
  for (const auto& run : runs) {
    for (int i = 0; i < run.second; ++i) {
      json entry = {{"name", run.first}, {"run_name", run.first}, {"run_type", "iteration"},
                    {"repetitions", repetitions}, {"repetition_index", i}, {"iterations", 10},
                    {"real_time", 1.0}, {"time_unit", "ms"}};
      if (energy) entry["energy_J"] = 0.01;
      doc["benchmarks"].push_back(entry);
    }
  }
  const std::string path = ::testing::TempDir() + "result_format_" + std::to_string(::getpid()) + ".json";
  std::ofstream(path) << doc.dump(2);
  return path;
}

TEST(FinishedCases, CaseWithSomeOfItsRepetitionsIsMeasuredAgain) {
  const std::string path = write_result("replay", {{"FC/N:1/in:2/out:3", 2}, {"FC/N:1/in:4/out:5", 3}}, 3, true);
  EXPECT_EQ(finished_cases(path), std::set<std::string>{"FC/N:1/in:4/out:5"});
  std::remove(path.c_str());
}

TEST(FinishedCases, CaseWithoutEnergyIsFinishedOnlyInATimeOnlyRun) {
  const std::string sensor_out = write_result("nvml", {{"FC/N:1/in:2/out:3", 1}}, 1, false);
  EXPECT_TRUE(finished_cases(sensor_out).empty());  // the sensor was out: measure it again
  const std::string time_only = write_result("none", {{"FC/N:1/in:2/out:3", 1}}, 1, false);
  EXPECT_EQ(finished_cases(time_only).size(), 1u);
  std::remove(time_only.c_str());
}

TEST(FinishedCases, NotAResultFileIsAnErrorNamingIt) {
  for (const char* name : {"not_results.json", "empty.json", "no_such_file.json"}) {
    try {
      finished_cases(fixture(name));
      ADD_FAILURE() << name << " was read";
    } catch (const ReadError& e) {
      EXPECT_EQ(std::string(e.what()).rfind(fixture(name), 0), 0u) << e.what();
    }
  }
}

}  // namespace
}  // namespace layer_energy::result_format
