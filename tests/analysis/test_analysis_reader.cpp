// The result reader and record validation: Google Benchmark 1.7 and 1.8 forms, aggregates, repetitions, salvage of
// a truncated file, malformed and empty files, NaN/negative energy, missing counters.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "analysis/compare.hpp"
#include "analysis/diagnostics.hpp"
#include "analysis/records.hpp"
#include "reporters/result_format/json_text.hpp"
#include "reporters/result_format/reader.hpp"

namespace layer_energy::analysis {
namespace {

using result_format::quote_nonfinite_tokens;
using result_format::salvage_benchmarks;
using result_format::SalvagedText;

std::string fixture(const std::string& name) {
  return std::string(LAYER_ENERGY_FIXTURES) + "/results/" + name;
}

const Case* find(const std::vector<Case>& cases, const std::string& name) {
  for (const Case& c : cases)
    if (c.name == name) return &c;
  return nullptr;
}

bool any_contains(const std::vector<std::string>& lines, const std::string& a, const std::string& b = "",
                  const std::string& c = "") {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) {
    return l.find(a) != std::string::npos && l.find(b) != std::string::npos && l.find(c) != std::string::npos;
  });
}

const char* const kConv = "Conv/N:1/C:64/H:56/W:56/K:64/R:3/S:3/stride:1/pad:1/groups:1";

TEST(ResultReader, ReadsVersion17FileWithRepetitionsAndErrors) {
  const ResultFile file = read_result_file(fixture("gb17_mixed.json"));
  EXPECT_FALSE(file.salvaged);
  EXPECT_EQ(file.context.at("power_source"), "rapl");
  EXPECT_EQ(file.context.at("num_cpus"), "2");
  std::vector<std::string> warnings;
  const std::vector<Case> cases = cases_of(file, &warnings);
  const Case* conv = find(cases, kConv);
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->kind, CaseKind::conv);
  EXPECT_TRUE(conv->has_geometry);
  EXPECT_EQ(conv->energy_J.size(), 5u);  // iterations used, aggregates ignored
  EXPECT_FALSE(conv->from_aggregate);
  EXPECT_EQ(conv->time_s.size(), 5u);
  EXPECT_NEAR(conv->time_s[0], 123.4e-6, 1e-12);
  EXPECT_NEAR(relative_sd(conv->energy_J), 0.0158, 0.001);
  EXPECT_EQ(conv->layer.conv.K, 64);
  EXPECT_DOUBLE_EQ(conv->macs, 1.0 * 64 * 64 * 9 * 56 * 56);
  const Case* fc = find(cases, "FC/N:8/in:512/out:1000");
  ASSERT_NE(fc, nullptr);
  EXPECT_EQ(fc->layer.type, layers::LayerType::fc);
  EXPECT_EQ(fc->layer.fc.out, 1000);
  const Case* net = find(cases, "Net/resnet18");
  ASSERT_NE(net, nullptr);
  EXPECT_EQ(net->kind, CaseKind::net);
  // 1.7's error_occurred, and a record without energy_J: rejected, named with file, case and reason/field.
  EXPECT_TRUE(any_contains(warnings, "gb17_mixed.json", "K:2048", "out of memory"));
  EXPECT_TRUE(any_contains(warnings, "gb17_mixed.json", "Conv/N:1/C:16/H:8", "'energy_J' missing"));
  const Case* failed = find(cases, "Conv/N:1/C:64/H:7/W:7/K:2048/R:3/S:3/stride:1/pad:1/groups:1");
  ASSERT_NE(failed, nullptr);
  EXPECT_TRUE(failed->energy_J.empty());
}

TEST(ResultReader, ReadsVersion18SkippedFormsAndAggregatesOnly) {
  const ResultFile file = read_result_file(fixture("gb18_skipped.json"));
  std::vector<std::string> warnings;
  const std::vector<Case> cases = cases_of(file, &warnings);
  EXPECT_TRUE(any_contains(warnings, "gb18_skipped.json", "/fp16", "fp16 not supported"));
  EXPECT_TRUE(any_contains(warnings, "gb18_skipped.json", "FC/N:1/in:9/out:9", "cuBLAS failed"));
  const Case* agg = find(cases, kConv);
  ASSERT_NE(agg, nullptr);
  EXPECT_TRUE(agg->from_aggregate);
  ASSERT_EQ(agg->energy_J.size(), 1u);
  EXPECT_NEAR(agg->aggregate_energy_sd / agg->energy_J[0], 0.01, 1e-9);
  const Case* fp16 = find(cases, std::string(kConv) + "/fp16");
  ASSERT_NE(fp16, nullptr);
  EXPECT_EQ(fp16->precision, layers::Precision::fp16);
  EXPECT_EQ(fp16->group, kConv);
}

TEST(ResultReader, MergesRepetitionsAcrossFiles) {
  std::vector<std::string> warnings;
  const std::vector<Case> a = cases_of(read_result_file(fixture("gb17_mixed.json")), &warnings);
  const std::vector<Case> b = cases_of(read_result_file(fixture("gb18_skipped.json")), &warnings);
  const std::vector<Case> merged = merge_cases({a, b}, &warnings);
  const Case* conv = find(merged, kConv);
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->energy_J.size(), 5u);  // the second file had only an aggregate: iterations win
  EXPECT_EQ(conv->file, fixture("gb17_mixed.json"));
}

TEST(ResultReader, SalvagesTruncatedFileWithWarningNamingIt) {
  const ResultFile file = read_result_file(fixture("truncated.json"));
  EXPECT_TRUE(file.salvaged);
  EXPECT_EQ(file.entries.size(), 48u);  // 6 conv cases × (5 iterations + 3 aggregates) before the cut
  ASSERT_FALSE(file.warnings.empty());
  EXPECT_TRUE(any_contains(file.warnings, "truncated.json", "salvaged 48"));
  EXPECT_EQ(file.context.at("board"), "Test CPU @ 2.40GHz");
  std::vector<std::string> warnings;
  EXPECT_EQ(cases_of(file, &warnings).size(), 6u);
}

TEST(ResultReader, EmptyMalformedAndForeignFilesAreErrorsNamingTheFile) {
  for (const char* name : {"empty.json", "not_results.json"}) {
    try {
      read_result_file(fixture(name));
      ADD_FAILURE() << name << " accepted";
    } catch (const ReadError& e) {
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(read_result_file(fixture("no_such_file.json")), ReadError);
  // Malformed inside the only entry: salvage finds no complete entry.
  const ResultFile malformed = read_result_file(fixture("malformed.json"));
  EXPECT_TRUE(malformed.salvaged);
  EXPECT_TRUE(malformed.entries.empty());
  EXPECT_TRUE(any_contains(malformed.warnings, "malformed.json"));
}

TEST(ResultReader, NanNegativeEnergyAndMissingCounters) {
  const ResultFile file = read_result_file(fixture("bad_values.json"));
  EXPECT_FALSE(file.salvaged);  // bare NaN is Google Benchmark's, not damage
  std::vector<std::string> warnings;
  const std::vector<Case> cases = cases_of(file, &warnings);
  const Case* conv = find(cases, kConv);
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->energy_J.size(), 1u);  // the NaN repetition dropped, the other kept
  EXPECT_TRUE(any_contains(warnings, "bad_values.json", kConv, "'energy_J' = nan"));
  EXPECT_TRUE(any_contains(warnings, "bad_values.json", "C:32", "'energy_J' = -0.5"));
  const Case* by_name = find(cases, "Conv/N:1/C:16/H:16/W:16/K:16/R:1/S:1/stride:1/pad:0/groups:1");
  ASSERT_NE(by_name, nullptr);
  EXPECT_TRUE(by_name->has_geometry);  // from the case name
  EXPECT_EQ(by_name->layer.conv.C, 16);
  EXPECT_DOUBLE_EQ(by_name->macs, 16.0 * 16 * 16 * 16);
  EXPECT_TRUE(any_contains(warnings, "bad_values.json", "Conv/odd-name", "counter 'N' missing"));
}

// A time-only run of `cases` × `reps` repetitions in which the listed (case, repetition) pairs were contended.
std::string contended_run(const std::string& name, int cases, int reps, const std::vector<std::pair<int, int>>& flagged) {
  nlohmann::json doc = {{"context", {{"power_source", "none"}}}, {"benchmarks", nlohmann::json::array()}};
  for (int c = 0; c < cases; ++c) {
    for (int r = 0; r < reps; ++r) {
      const bool busy = std::find(flagged.begin(), flagged.end(), std::make_pair(c, r)) != flagged.end();
      const std::string n = "Conv/N:1/C:" + std::to_string(8 + c) + "/H:8/W:8/K:8/R:3/S:3/stride:1/pad:1/groups:1";
      doc["benchmarks"].push_back({{"name", n}, {"run_name", n}, {"run_type", "iteration"}, {"repetitions", reps},
                                   {"repetition_index", r}, {"iterations", 10}, {"time_unit", "us"},
                                   {"real_time", busy ? 8000.0 : 10.0 + r}, {"contended", busy ? 1 : 0},
                                   {"host_wait_cores", busy ? 1.0 : 0.0}});
    }
  }
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << doc.dump();
  return path;
}

TEST(ResultReader, ContendedRepetitionsAreLeftOutWhenTheyAreTheRunsMinority) {
  // 4 cases × 3 repetitions; case 0 lost one repetition to contention, case 2 all of its three.
  const std::string path = contended_run("contended_minority.json", 4, 3, {{0, 1}, {2, 0}, {2, 1}, {2, 2}});
  std::vector<std::string> warnings;
  const std::vector<Case> cases = cases_of(read_result_file(path), &warnings);
  ASSERT_EQ(cases.size(), 4u);
  EXPECT_EQ(cases[0].contended, 1);
  ASSERT_EQ(cases[0].time_s.size(), 2u);  // the 8 ms repetition is gone
  for (const double t : cases[0].time_s) EXPECT_LT(t, 1e-4);
  EXPECT_EQ(cases[1].contended, 0);
  EXPECT_EQ(cases[1].time_s.size(), 3u);
  EXPECT_EQ(cases[2].contended, 3);
  EXPECT_TRUE(cases[2].time_s.empty());
  contention_warnings(cases, &warnings);
  EXPECT_TRUE(any_contains(warnings, "4 repetition(s)", "waited for a CPU", "1 case(s) had no other repetition"));
  std::remove(path.c_str());
}

TEST(ResultReader, AContendedRunIsKeptWholeAndWarnedOf) {
  // Most of the run contended: dropping it would leave nothing; kept, and said so naming the file.
  const std::string path = contended_run("contended_most.json", 2, 2, {{0, 0}, {0, 1}, {1, 0}});
  std::vector<std::string> warnings;
  const std::vector<Case> cases = cases_of(read_result_file(path), &warnings);
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].time_s.size(), 2u);
  EXPECT_EQ(cases[1].time_s.size(), 2u);
  EXPECT_EQ(cases[0].contended, 0);  // not left out, so not counted as left out
  EXPECT_TRUE(any_contains(warnings, "contended_most.json", "3 of 4 repetitions", "busy machine"));
  std::remove(path.c_str());
}

TEST(ResultReader, AComparisonLeavesContendedRepetitionsOutAndSaysSo) {
  // Six repetitions a side; one of the new side's took 8 ms beside another process. Kept, it would be a regression.
  const std::string base = contended_run("contended_base.json", 1, 6, {});
  const std::string next = contended_run("contended_next.json", 1, 6, {{0, 5}});
  CompareOptions options;
  options.metrics = {"time"};
  std::vector<std::string> warnings;
  const Comparison c = compare_results(read_result_file(base), read_result_file(next), options, &warnings);
  ASSERT_EQ(c.rows.size(), 1u);
  EXPECT_EQ(c.rows[0].base_n, 6u);
  EXPECT_EQ(c.rows[0].new_n, 5u);
  EXPECT_FALSE(c.regression);
  EXPECT_TRUE(any_contains(warnings, "1 repetition(s)", "waited for a CPU", "left out"));
  std::remove(base.c_str());
  std::remove(next.c_str());
}

TEST(JsonText, QuotesNonFiniteTokensOnlyOutsideStrings) {
  EXPECT_EQ(quote_nonfinite_tokens(R"({"a": NaN, "b": [-Infinity, 1], "c": "NaN x", "Nan": null})"),
            R"({"a": "NaN", "b": ["-Infinity", 1], "c": "NaN x", "Nan": null})");
}

TEST(JsonText, SalvageStopsAtTheFirstIncompleteEntry) {
  const SalvagedText s = salvage_benchmarks(R"({"context": {"x": "}"}, "benchmarks": [{"a": "]}"}, {"b": 2}, {"c": )");
  EXPECT_TRUE(s.found_benchmarks);
  ASSERT_EQ(s.entries.size(), 2u);
  EXPECT_EQ(s.entries[0], R"({"a": "]}"})");
  EXPECT_EQ(s.context, R"({"x": "}"})");
}

}  // namespace
}  // namespace layer_energy::analysis
