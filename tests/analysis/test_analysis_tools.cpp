// energy_fit and energy_predict end to end: exit codes, salvage, messages naming file/case/field, the model file,
// held-out predictions through the model file within 5%, plots.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <map>
#include <sstream>

#include "analysis/synthetic.hpp"
#include "layers/onnx/onnx_import.hpp"
#include "run_command.hpp"

namespace layer_energy::analysis {
namespace {

using nlohmann::json;
using test::run_command;

std::string bin(const char* name) {
  return test::tool_command(std::string(LAYER_ENERGY_BINARY_DIR) + "/" + name);
}
std::string fixture(const std::string& name) {
  return std::string(LAYER_ENERGY_FIXTURES) + "/results/" + name;
}
std::string temp(const std::string& name) {
  return ::testing::TempDir() + "tools_" + std::to_string(::getpid()) + "_" + name;
}
void write(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}
json read_json(const std::string& path) {
  std::ifstream in(path);
  return json::parse(in);
}

SyntheticTruth truth() {
  SyntheticTruth t;
  t.conv_law.law = Law::inverse, t.conv_law.a = 1e-11, t.conv_law.b = 8e-10;
  t.fc_alpha = 3e-11;
  t.noise = 0.02;
  return t;
}

std::string layers_csv(const std::vector<layers::Layer>& ls) {
  std::string csv = "name,type,N,C,H,W,K,R,S,stride,pad,groups,in,out\n";
  int i = 0;
  for (const layers::Layer& l : ls) {
    std::ostringstream row;
    if (l.type == layers::LayerType::conv) {
      const layers::ConvShape& c = l.conv;
      row << "L" << i++ << ",conv," << c.N << "," << c.C << "," << c.H << "," << c.W << "," << c.K << "," << c.R << ","
          << c.S << "," << c.stride << "," << c.pad << "," << c.groups << ",,\n";
    } else {
      row << "L" << i++ << ",fc," << l.fc.N << ",,,,,,,,,," << l.fc.in << "," << l.fc.out << "\n";
    }
    csv += row.str();
  }
  return csv;
}

TEST(EnergyFit, FitsSyntheticDataAndPredictsUnseenLayersWithinFivePercent) {
  const std::string data = temp("train.json"), model = temp("model.json"), report = temp("report.md");
  write(data, synthetic_result_json(truth(), random_layers(300, 80, 1), 3, 2));
  auto r = run_command(bin("energy_fit") + " " + data + " --out " + model + " --report " + report);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;  // results go to files; notes to stderr
  const json m = read_json(model);
  EXPECT_EQ(m["schema"], "layer-energy-model/2");
  EXPECT_EQ(m["board"], "synthetic board");
  EXPECT_EQ(m["power_source"], "replay");
  EXPECT_EQ(m["target"], "total");
  EXPECT_EQ(m["cv"]["conv"]["chosen_law"], "inverse");
  EXPECT_LT(m["cv"]["conv"]["metrics"]["paper"]["mape"].get<double>(), 5.0);
  EXPECT_TRUE(m["ranges"]["conv"].contains("K"));
  EXPECT_TRUE(m["models"]["fc"]["forms"].contains("poly"));
  std::ifstream rep(report);
  const std::string text((std::istreambuf_iterator<char>(rep)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("a + b/K"), std::string::npos);
  EXPECT_NE(text.find("MAPE"), std::string::npos);

  // Unseen layers, predicted through the model file: within 5% of the ground truth.
  std::vector<layers::Layer> unseen = random_layers(40, 10, 99);
  const std::string csv = temp("unseen.csv"), out = temp("pred.json");
  write(csv, layers_csv(unseen));
  r = run_command(bin("energy_predict") + " --model " + model + " --layers " + csv + " --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("| L0 |"), std::string::npos) << r.out;
  const json p = read_json(out);
  ASSERT_EQ(p["layers"].size(), unseen.size());
  EXPECT_EQ(p["context"], "alone");  // a layer file is a list of layers, not a network pass
  double total = 0;
  for (std::size_t i = 0; i < unseen.size(); ++i) {
    const json& l = p["layers"][i];
    EXPECT_EQ(l["name"], "L" + std::to_string(i));  // input order
    const double expected = true_energy(truth(), unseen[i]);
    EXPECT_NEAR(l["energy_J"].get<double>() / expected, 1.0, 0.05) << l.dump();
    total += l["energy_J"].get<double>();
  }
  EXPECT_NEAR(p["total_J"].get<double>(), total, 1e-9 * total);
}

TEST(EnergyFit, TruncatedFileIsSalvagedWithWarning) {
  const auto r = run_command(bin("energy_fit") + " " + fixture("truncated.json") + " --out " + temp("t.json"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("truncated.json"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("salvaged"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no fc data"), std::string::npos) << r.err;  // a type with no data: a warning
}

TEST(EnergyFit, NothingUsableExitsNonZeroNamingFileCaseAndField) {
  json doc = json::parse(synthetic_result_json(truth(), random_layers(3, 0, 4), 1, 1));
  for (json& e : doc["benchmarks"]) e.erase("energy_J");
  const std::string path = temp("no_energy.json");
  write(path, doc.dump());
  auto r = run_command(bin("energy_fit") + " " + path + " --out " + temp("x.json"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("no_energy.json"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Conv/N:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'energy_J'"), std::string::npos) << r.err;
  r = run_command(bin("energy_fit") + " " + fixture("empty.json") + " " + fixture("malformed.json"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("empty.json: empty file"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("malformed.json"), std::string::npos) << r.err;
}

TEST(EnergyFit, DynamicTargetNeedsDynamicEnergy) {
  json doc = json::parse(synthetic_result_json(truth(), random_layers(20, 0, 4), 1, 1));
  for (json& e : doc["benchmarks"]) e.erase("energy_dynamic_J");
  const std::string path = temp("no_dynamic.json");
  write(path, doc.dump());
  auto r = run_command(bin("energy_fit") + " " + path + " --target dynamic --out " + temp("d.json"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("energy_dynamic_J"), std::string::npos) << r.err;
  EXPECT_EQ(run_command(bin("energy_fit") + " " + path + " --out " + temp("d.json")).exit_code, 0);
}

// A model describes one Jetson power mode (run-sweep.sh --modes writes one folder per mode): files of different
// nvpmodel modes are refused with one line naming both; files with no mode (not a Jetson) mix freely.
TEST(EnergyFit, RefusesToMixNvpmodelModes) {
  const json plain = json::parse(synthetic_result_json(truth(), random_layers(24, 8, 11), 1, 12));
  const auto with_mode = [&](const char* status, const char* name) {
    json doc = plain;
    doc["context"]["nvpmodel_status"] = status;
    if (name) doc["context"]["nvpmodel_mode"] = name;
    return doc.dump();
  };
  const std::string maxn = temp("mode0.json"), maxn_again = temp("mode0_again.json"), w15 = temp("mode1.json"),
                    id_only = temp("mode1_id_only.json"), none = temp("no_mode.json"), none_again = temp("no_mode2.json");
  write(maxn, with_mode("pmode:0000", "MAXN"));
  write(maxn_again, with_mode("pmode:0000", "MAXN"));
  write(w15, with_mode("pmode:0001", "MODE_15W"));
  write(id_only, with_mode("pmode:0001", nullptr));  // a board without /etc/nvpmodel.conf
  write(none, plain.dump());
  write(none_again, plain.dump());
  const std::string fit = bin("energy_fit") + " --no-poly --corrector-rounds 0 --out " + temp("modes_model.json") + " ";

  auto r = run_command(fit + maxn + " " + w15);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const std::string first_line = r.err.substr(0, r.err.find('\n'));
  EXPECT_NE(first_line.find("energy_fit: error: " + w15 + " records nvpmodel mode 1 (MODE_15W) but " + maxn +
                            " records nvpmodel mode 0 (MAXN)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(first_line.find("one model per mode"), std::string::npos) << r.err;

  r = run_command(fit + maxn + " " + id_only);  // mode told by the status id alone
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("records nvpmodel mode 1 but"), std::string::npos) << r.err;
  r = run_command(fit + maxn + " " + none);  // the mode of a file without one is unknown
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(none + " records no nvpmodel mode but"), std::string::npos) << r.err;

  r = run_command(fit + maxn + " " + maxn_again);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = run_command(fit + none + " " + none_again);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(EnergyFit, BadArgumentsExitTwo) {
  const std::string good = fixture("gb17_mixed.json");
  EXPECT_EQ(run_command(bin("energy_fit")).exit_code, 2);
  EXPECT_EQ(run_command(bin("energy_fit") + " " + good + " --folds 1").exit_code, 2);
  EXPECT_EQ(run_command(bin("energy_fit") + " " + good + " --target idle").exit_code, 2);
}

TEST(EnergyFit, PlotsDrawnByMatplotlib) {
  if (run_command("/usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1").exit_code != 0)
    GTEST_SKIP() << "/usr/bin/python3 with matplotlib not available";
  const std::string data = temp("plot.json"), dir = temp("plots");
  write(data, synthetic_result_json(truth(), random_layers(120, 30, 5), 2, 6));
  const auto r = run_command(bin("energy_fit") + " " + data + " --out " + temp("pm.json") + " --plots " + dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* png : {"energy_vs_macs.png", "alpha_vs_k.png", "predicted_vs_measured.png"}) {
    struct stat st;
    EXPECT_EQ(::stat((dir + "/" + png).c_str(), &st), 0) << png << "\n" << r.err;
  }
}

TEST(EnergyPredict, NetworkCoverageAndErrors) {
  const std::string data = temp("small.json"), model = temp("small_model.json");
  write(data, synthetic_result_json(truth(), random_layers(60, 20, 7), 1, 8));
  ASSERT_EQ(run_command(bin("energy_fit") + " " + data + " --out " + model).exit_code, 0);
  const std::string out = temp("net.json");
  auto r = run_command(bin("energy_predict") + " --model " + model + " --network vgg16 --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json p = read_json(out);
  EXPECT_EQ(p["layers"].size(), 16u);  // 13 conv + 3 FC
  EXPECT_FALSE(p["layers"][0]["name"].get<std::string>().empty());
  bool uncovered = false;
  for (const json& l : p["layers"]) {
    EXPECT_GT(l["energy_J"].get<double>(), 0) << l.dump();
    if (!l["covered"].get<bool>()) {
      uncovered = true;
      EXPECT_NE(l["reason"].get<std::string>().find("outside fitted"), std::string::npos);
    }
  }
  EXPECT_TRUE(uncovered);  // vgg16's 224x224 layers lie beyond the random layers' H ≤ 112
  // --network predicts each layer inside one pass over the network (the pass's bytes in the JSON); --context alone
  // as benchmarked in a loop, never dearer.
  EXPECT_EQ(p["context"], "network");
  EXPECT_GT(p["working_set_bytes"].get<double>(), 500e6);  // vgg16: 528 MB of weights alone
  const std::string alone = temp("net_alone.json");
  r = run_command(bin("energy_predict") + " --model " + model + " --network vgg16 --context alone --out " + alone);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json a = read_json(alone);
  EXPECT_EQ(a["context"], "alone");
  EXPECT_EQ(a["working_set_bytes"].get<double>(), 0);
  EXPECT_LE(a["total_time_s"].get<double>(), p["total_time_s"].get<double>());
  EXPECT_EQ(run_command(bin("energy_predict") + " --model " + model + " --network vgg16 --context pass").exit_code, 2);
  EXPECT_EQ(run_command(bin("energy_predict") + " --model " + model).exit_code, 2);
  EXPECT_EQ(run_command(bin("energy_predict") + " --model " + model + " --network nonet").exit_code, 2);
  EXPECT_EQ(run_command(bin("energy_predict") + " --model " + fixture("empty.json") + " --network vgg16").exit_code, 2);
  EXPECT_EQ(run_command(bin("energy_predict") + " --model " + model + " --network vgg16 --layers " + data).exit_code,
            2);
}

TEST(EnergyPredict, EveryLayerOfANetworkIncludingTypesTheModelWasNotFittedOn) {
  const std::string data = temp("all_layers.json"), model = temp("all_layers_model.json");
  write(data, synthetic_result_json(truth(), random_layers(60, 20, 7), 1, 8));
  ASSERT_EQ(run_command(bin("energy_fit") + " " + data + " --out " + model).exit_code, 0);
  const std::string out = temp("all_layers_pred.json");
  auto r = run_command(bin("energy_predict") + " --model " + model +
                       " --network resnet18 --network_layers all --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json p = read_json(out);
  ASSERT_EQ(p["layers"].size(), 48u);  // 20 conv, 1 FC, 17 act, 8 add, 2 pool
  std::map<std::string, int> types;
  double sum = 0;
  for (const json& l : p["layers"]) {
    const std::string type = l["type"];
    ++types[type];
    EXPECT_GT(l["energy_J"].get<double>(), 0) << l.dump();
    sum += l["energy_J"].get<double>();
    if (type != "conv" && type != "fc") {
      EXPECT_FALSE(l["covered"].get<bool>()) << l.dump();
      EXPECT_NE(l["reason"].get<std::string>().find("memory-bound depthwise-conv equivalent"), std::string::npos);
    }
  }
  EXPECT_EQ(types, (std::map<std::string, int>{{"conv", 20}, {"fc", 1}, {"act", 17}, {"add", 8}, {"pool", 2}}));
  EXPECT_NEAR(p["total_J"].get<double>(), sum, 1e-9 * sum);
  const std::string weights = temp("weights_pred.json");
  ASSERT_EQ(run_command(bin("energy_predict") + " --model " + model + " --network resnet18 --out " + weights).exit_code,
            0);
  EXPECT_LT(read_json(weights)["total_J"].get<double>(), p["total_J"].get<double>());
}

TEST(EnergyPredict, OnnxNetworkEveryNodeWithACaseAndTheOthersListed) {
  std::string why;
  if (!layers::onnx_built(&why)) GTEST_SKIP() << why;
  const std::string data = temp("onnx_fit.json"), model = temp("onnx_model.json"), out = temp("onnx_pred.json");
  write(data, synthetic_result_json(truth(), random_layers(60, 20, 7), 1, 8));
  ASSERT_EQ(run_command(bin("energy_fit") + " " + data + " --out " + model).exit_code, 0);
  const std::string onnx = std::string(LAYER_ENERGY_FIXTURES) + "/onnx/unsupported_op.onnx";
  auto r = run_command(bin("energy_predict") + " --model " + model + " --onnx " + onnx + " --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("not predicted (no case), not in the total: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Softmax x1"), std::string::npos) << r.err;
  const json p = read_json(out);
  EXPECT_EQ(p["skipped_ops"]["Resize"], 1);
  EXPECT_EQ(p["skipped_ops"]["Softmax"], 1);
  std::vector<std::string> types;
  for (const json& l : p["layers"]) types.push_back(l["type"]);
  EXPECT_EQ(types, (std::vector<std::string>{"conv", "act", "pool", "pool"}));  // Conv, Relu, MaxPool, global
  const std::string folded = std::string(LAYER_ENERGY_FIXTURES) + "/onnx/residual_block.onnx";
  r = run_command(bin("energy_predict") + " --model " + model + " --onnx " + folded + " --onnx_fold none --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_json(out)["layers"].size(), 7u);  // conv, bn, relu, conv, bn, add, relu
  EXPECT_EQ(run_command(bin("energy_predict") + " --model " + model + " --onnx " + onnx + " --network vgg16").exit_code,
            2);
  r = run_command(bin("energy_predict") + " --model " + model + " --onnx " + temp("missing.onnx"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("missing.onnx"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace layer_energy::analysis
