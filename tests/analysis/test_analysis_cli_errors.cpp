// The analysis tools' bad-input paths: an input that cannot be opened is a bad argument (exit 2, the file named),
// a model that could not be written is never reported as written, and a zero-energy prediction is never "covered".
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "analysis/predict.hpp"
#include "analysis/synthetic.hpp"
#include "layers/grids.hpp"
#include "run_command.hpp"

namespace layer_energy::analysis {
namespace {

using test::run_command;

std::string bin(const char* name) { return test::tool_command(std::string(LAYER_ENERGY_BINARY_DIR) + "/" + name); }

std::string temp(const std::string& name) {
  return ::testing::TempDir() + "cli_errors_" + std::to_string(::getpid()) + "_" + name;
}

std::string good_results() {
  SyntheticTruth t;
  t.conv_law.law = Law::power, t.conv_law.a = 4e-10, t.conv_law.b = 0.45;
  t.noise = 0.01;
  const std::string path = temp("good.json");
  std::ofstream(path) << synthetic_result_json(t, random_layers(40, 10, 3), 2, 1);
  return path;
}

TEST(EnergyFitInputs, AMissingFileIsABadArgumentNotLessData) {
  const std::string good = good_results(), missing = temp("does_not_exist.json");
  const auto r = run_command(bin("energy_fit") + " " + good + " " + missing + " --out " + temp("m.json"));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(missing + ": cannot open"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("model written"), std::string::npos) << r.err;
}

TEST(EnergyFitInputs, AnUnwritableModelIsNotReportedWritten) {
  const std::string dir = temp("no_such_dir");
  const auto r = run_command(bin("energy_fit") + " " + good_results() + " --out " + dir + "/model.json");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("cannot write"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("model written"), std::string::npos) << r.err;
}

TEST(EnergyFitInputs, SubnormalEnergiesAreRejectedNotFittedIntoAnUnreadableModel) {
  SyntheticTruth t;
  t.conv_law.law = Law::power, t.conv_law.a = 4e-10, t.conv_law.b = 0.45;
  auto doc = nlohmann::json::parse(synthetic_result_json(t, random_layers(40, 10, 3), 2, 1));
  for (auto& entry : doc["benchmarks"]) {
    for (const char* key : {"energy_J", "energy_dynamic_J"}) {
      if (entry.contains(key)) entry[key] = entry[key].get<double>() * 1e-310;
    }
  }
  const std::string input = temp("subnormal.json"), model = temp("subnormal_model.json");
  std::ofstream(input) << doc.dump();
  std::remove(model.c_str());
  const auto r = run_command(bin("energy_fit") + " " + input + " --out " + model);
  EXPECT_NE(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("must be a finite, normal number > 0"), std::string::npos) << r.err;
  EXPECT_FALSE(std::ifstream(model).good());
}

TEST(EnergyPredictInputs, ABatchOfZeroIsOneShortLineNamingTheFlag) {
  const auto r = run_command(bin("energy_predict") + " --model " + temp("m.json") + " --network resnet18 --batch 0");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  const std::string first_line = r.err.substr(0, r.err.find('\n'));
  EXPECT_EQ(first_line.rfind("energy_predict: --batch: ", 0), 0u) << r.err;
  EXPECT_LT(first_line.size(), 100u) << first_line;  // not the whole range of a double
}

TEST(EnergySimulateInputs, ALayerFileIsSimulatedAndABadLineIsNamed) {
  // A user's own layers (a model zoo's, say) through the same CSV reader as layer_bench --grid=FILE.
  const std::string csv = temp("zoo.csv"), out = temp("zoo.json");
  std::ofstream(csv) << "name,type,N,C,H,W,K,R,S,stride,pad,groups,in,out\n"
                        "stem,conv,1,3,224,224,32,3,3,2,1,1,,\n"
                        "dw,conv,1,96,56,56,96,3,3,1,1,96,,\n"
                        "head,fc,1,,,,,,,,,,1280,1000\n";
  const auto r = run_command(bin("energy_simulate") + " --grid " + csv + " --repetitions 1 --no-aggregates --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(out);
  const nlohmann::json doc = nlohmann::json::parse(in);
  std::vector<std::string> names;
  for (const nlohmann::json& b : doc.at("benchmarks")) names.push_back(b.at("name").get<std::string>());
  const std::vector<std::string> expected = {"Conv/N:1/C:3/H:224/W:224/K:32/R:3/S:3/stride:2/pad:1/groups:1",
                                             "Conv/N:1/C:96/H:56/W:56/K:96/R:3/S:3/stride:1/pad:1/groups:96",
                                             "FC/N:1/in:1280/out:1000"};
  EXPECT_EQ(names, expected);

  std::ofstream(csv) << "type,N,C,H,W,K,R,S\nconv,1,3,224,224,32,3,3\nconv,1,3,x,224,32,3,3\n";
  const auto bad = run_command(bin("energy_simulate") + " --grid " + csv + " --out " + out);
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_EQ(bad.err.rfind("energy_simulate: --grid: " + csv + ":3:", 0), 0u) << bad.err;
}

TEST(PredictCoverage, ZeroEnergyIsNotCovered) {
  // A model whose chosen form gives 0 J for every layer (the paper's law with a = 0).
  EnergyModel model;
  model.has_conv = true;
  FittedModel zero;
  zero.kind = ModelKind::paper;
  zero.law.law = Law::power, zero.law.a = 0, zero.law.b = 0.5;
  model.conv.models["paper"] = zero;
  model.conv.chosen = "paper";
  const Prediction p = predict_layer(model, layers::conv_layer(1, 64, 28, 64, 3, 1, 1), "zero");
  EXPECT_FALSE(p.covered);
  EXPECT_NE(p.reason.find("no finite positive energy"), std::string::npos) << p.reason;
}

}  // namespace
}  // namespace layer_energy::analysis
