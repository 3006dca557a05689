// energy_compare: flags an injected 10% regression with 9 repetitions, not identical inputs; exit 2 on a bad file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "analysis/compare.hpp"
#include "analysis/mann_whitney.hpp"
#include "analysis/synthetic.hpp"
#include "run_command.hpp"

namespace layer_energy::analysis {
namespace {

using test::run_command;

std::string tool() {
  return test::tool_command(std::string(LAYER_ENERGY_BINARY_DIR) + "/energy_compare");
}

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "compare_" + std::to_string(::getpid()) + "_" + name;
  std::ofstream(path) << text;
  return path;
}

SyntheticTruth truth(double scale) {
  SyntheticTruth t;
  t.conv_law.law = Law::power, t.conv_law.a = 4e-10 * scale, t.conv_law.b = 0.4;
  t.fc_alpha = 3e-11 * scale;
  t.noise = 0.01;
  return t;
}

TEST(MannWhitney, ExactTailsMatchCombinatorics) {
  const MannWhitney all_larger = mann_whitney_greater({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10});
  EXPECT_TRUE(all_larger.exact);
  EXPECT_DOUBLE_EQ(all_larger.u, 25);
  EXPECT_NEAR(all_larger.p, 1.0 / 252, 1e-12);  // one arrangement of C(10,5)
  const MannWhitney all_smaller = mann_whitney_greater({6, 7, 8, 9, 10}, {1, 2, 3, 4, 5});
  EXPECT_NEAR(all_smaller.p, 1.0, 1e-12);
  // One swap: U = 24 → P(U ≥ 24) = 2/252.
  EXPECT_NEAR(mann_whitney_greater({1, 2, 3, 4, 6}, {5, 7, 8, 9, 10}).p, 2.0 / 252, 1e-12);
  const MannWhitney same = mann_whitney_greater({1, 1, 1, 1, 1}, {1, 1, 1, 1, 1});
  EXPECT_GE(same.p, 0.5);
}

TEST(Compare, ThresholdParsing) {
  double v = 0;
  EXPECT_TRUE(parse_threshold("5%", &v));
  EXPECT_DOUBLE_EQ(v, 0.05);
  EXPECT_TRUE(parse_threshold("0.1", &v));
  EXPECT_DOUBLE_EQ(v, 0.1);
  EXPECT_FALSE(parse_threshold("-5%", &v));
  EXPECT_FALSE(parse_threshold("five", &v));
  EXPECT_FALSE(parse_threshold("5%%", &v));
}

TEST(EnergyCompare, FlagsInjectedTenPercentRegression) {
  const std::vector<layers::Layer> layers = random_layers(6, 2, 5);
  const std::string base = write_temp("base.json", synthetic_result_json(truth(1.0), layers, 9, 1));
  const std::string worse = write_temp("worse.json", synthetic_result_json(truth(1.10), layers, 9, 2));
  const auto r = run_command(tool() + " " + base + " " + worse);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("REGRESSION"), std::string::npos) << r.out;
  // Every case named in the table.
  for (const layers::Layer& l : layers) EXPECT_NE(r.out.find(layers::case_name(l)), std::string::npos);
  // Above the threshold only: 10% is below a 20% threshold.
  EXPECT_EQ(run_command(tool() + " " + base + " " + worse + " --threshold 20%").exit_code, 0);
}

TEST(EnergyCompare, IdenticalAndReRunInputsPass) {
  const std::vector<layers::Layer> layers = random_layers(6, 2, 5);
  const std::string base = write_temp("base2.json", synthetic_result_json(truth(1.0), layers, 9, 1));
  const std::string again = write_temp("again.json", synthetic_result_json(truth(1.0), layers, 9, 3));
  auto r = run_command(tool() + " " + base + " " + base);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("REGRESSION"), std::string::npos);
  r = run_command(tool() + " " + base + " " + again + " --metric both");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST(EnergyCompare, TooFewRepetitionsAndOneSidedCasesDoNotGate) {
  const std::vector<layers::Layer> layers = random_layers(4, 0, 8);
  const std::vector<layers::Layer> fewer(layers.begin(), layers.begin() + 3);
  // Cases with 9 repetitions on both sides are compared; the others are listed and do not gate.
  const std::vector<layers::Layer> first(layers.begin(), layers.begin() + 1);
  std::string base_text = synthetic_result_json(truth(1.0), layers, 3, 1);
  const std::string base = write_temp("few_base.json", base_text);
  const std::string worse = write_temp("few_worse.json", synthetic_result_json(truth(1.5), fewer, 3, 2));
  const std::string base9 = write_temp("nine_base.json", synthetic_result_json(truth(1.0), first, 9, 1));
  const std::string same9 = write_temp("nine_same.json", synthetic_result_json(truth(1.0), first, 9, 4));
  // Only too few repetitions: nothing was compared, and the gate must not pass (exit 2, one line why).
  auto r = run_command(tool() + " " + base + " " + worse);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("nothing compared"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("not enough repetitions"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("only in BASE"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(layers::case_name(layers[3])), std::string::npos);
  // One case compared, the rest one-sided: that is a comparison (exit 0).
  r = run_command(tool() + " " + base9 + " " + same9);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST(EnergyCompare, NothingInCommonOrNoEnergyIsAnError) {
  const std::vector<layers::Layer> a = random_layers(3, 0, 8), b = random_layers(3, 0, 9);
  const std::string left = write_temp("left.json", synthetic_result_json(truth(1.0), a, 9, 1));
  const std::string right = write_temp("right.json", synthetic_result_json(truth(1.0), b, 9, 2));
  auto r = run_command(tool() + " " + left + " " + right);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("no case is in both files"), std::string::npos) << r.err;
  // Time-only NEW against an energy BASE: no energy to compare.
  nlohmann::json doc = nlohmann::json::parse(synthetic_result_json(truth(1.0), a, 9, 3));
  for (auto& entry : doc["benchmarks"]) entry.erase("energy_J");
  const std::string time_only = write_temp("time_only.json", doc.dump());
  r = run_command(tool() + " " + left + " " + time_only);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("nothing compared"), std::string::npos) << r.err;
  // ... while their times compare.
  EXPECT_EQ(run_command(tool() + " " + left + " " + time_only + " --metric time").exit_code, 0);
  // A NaN significance level would disable the gate.
  EXPECT_EQ(run_command(tool() + " " + left + " " + left + " --alpha nan").exit_code, 2);
}

TEST(EnergyCompare, BadFileOrFlagsExitTwo) {
  const std::string fixtures = std::string(LAYER_ENERGY_FIXTURES) + "/results/";
  const std::string good = fixtures + "gb17_mixed.json";
  for (const char* bad : {"empty.json", "not_results.json", "malformed.json", "missing.json"}) {
    const auto r = run_command(tool() + " " + good + " " + fixtures + bad);
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.err;
    EXPECT_NE(r.err.find(bad), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  EXPECT_EQ(run_command(tool() + " " + good + " " + good + " --threshold lots").exit_code, 2);
  EXPECT_EQ(run_command(tool() + " " + good + " " + good + " --metric power").exit_code, 2);
  EXPECT_EQ(run_command(tool() + " " + good).exit_code, 2);
  // A truncated file is salvaged (warning) and compared.
  const auto r = run_command(tool() + " " + good + " " + fixtures + "truncated.json");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("truncated.json"), std::string::npos);
}

}  // namespace
}  // namespace layer_energy::analysis
