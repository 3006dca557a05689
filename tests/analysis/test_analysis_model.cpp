// The v2 model on the project's own simulator (effects the fitter does not share: per-tile pipeline, L2 feed,
// direct depthwise kernels, GEMV, power cap) and on the real H200 results: held-out figures pinned so that a change
// making them worse fails.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "analysis/fit_pipeline.hpp"
#include "analysis/kernel_features.hpp"
#include "analysis/simulator/device_specs.hpp"
#include "analysis/simulator/sim_grids.hpp"
#include "analysis/simulator/sim_json.hpp"
#include "analysis/simulator/simulate.hpp"
#include "analysis/predict.hpp"
#include "analysis/model_json.hpp"
#include "analysis/power_cap.hpp"
#include "analysis/report.hpp"
#include "layers/grids.hpp"
#include "layers/networks.hpp"
#include "sim_fit_request.hpp"

namespace layer_energy::analysis {
namespace {

// The roofline alone (no polynomial, corrector or leave-one-level-out) on `device`'s model-grid run, written to `file`:
// the tests of one time-model choice need nothing more.
FitRequest roofline_only_on_model_grid(const sim::Device& device, const std::string& file) {
  FitRequest request = model_grid_request(device, file);
  request.options.corrector_rounds = 0;
  return request;
}

TEST(ModelV2, SimulatedGpuHeldOutLayersWithinTargets) {
  sim::RunOptions run;
  const std::string path =
      write_temp("sim_gpu_model.json", sim::result_json(sim::gpu_device(sim::gpu_preset("h200")), layers::model_grid(), run));
  FitRequest request;
  request.files = {path};
  request.options.poly = false;
  const FitOutcome out = run_fit(request);
  ASSERT_TRUE(out.conv.fitted && out.fc.fitted);
  // Nested CV (the choice of form inside the folds; held-out layers without their recorded launches). Measured
  // 2026-12-03 on the v2 model grid (1,156 cases): conv 4.3% energy, 5.6% time; FC 5.7%, 4.9% since the smallest
  // tile is chosen by held-out time; 2026-12-07 with the depth-4 correctors on the 1,212-case grid: conv 3.65%,
  // time 3.8%, FC 4.6%.
  EXPECT_LT(out.conv.fit.nested.metrics.mape, 4.3);
  EXPECT_LT(out.conv.fit.time_nested.metrics.mape, 4.2);  // 3.5% with the power limit (2026-12-08)
  EXPECT_LT(out.fc.fit.nested.metrics.mape, 5.2);
  // Intervals that cover: cross-conformal coverage of the 90% intervals.
  EXPECT_GT(out.conv.fit.nested.metrics.coverage, 0.85);
  EXPECT_LT(out.conv.fit.nested.metrics.coverage, 0.95);
  // Physical parameters: static power while busy near the simulator's (150 W busy floor, 125 W idle).
  const PhysicalEnergy& p = out.conv.fit.models.at("physical").physical;
  EXPECT_GT(p.p_static, 120);
  EXPECT_LT(p.p_static, 200);
}

bool any_has(const std::vector<std::string>& lines, const std::string& text) {
  for (const std::string& l : lines)
    if (l.find(text) != std::string::npos) return true;
  return false;
}

// The documented split: a time-only sweep (--power=none) first, then the calibration run with a power source. The
// model takes the energy run's context (power source, idle power), mixing them is not a warning, and a time-only row
// ("time only; <implementation>") names the same implementation as its energy row, so it is not "two kernels".
TEST(ModelV2, TimeOnlySweepPlusCalibrationRunIsOneModelWithTheCalibrationsPower) {
  const sim::Device h200 = sim::gpu_device(sim::gpu_preset("h200"));
  sim::RunOptions time_only;
  time_only.time_only = true;
  nlohmann::json sweep = nlohmann::json::parse(sim::result_json(h200, layers::calibrate_grid(), time_only));
  nlohmann::json calibration = nlohmann::json::parse(sim::result_json(h200, layers::calibrate_grid(), sim::RunOptions()));
  for (auto& e : sweep["benchmarks"]) e["label"] = "time only; cudnn IMPLICIT_GEMM, math fma";
  for (auto& e : calibration["benchmarks"]) e["label"] = "cudnn IMPLICIT_GEMM, math fma; launch: stream";
  FitRequest request;
  request.files = {write_temp("sim_time_only.json", sweep.dump()), write_temp("sim_calibration.json", calibration.dump())};
  request.options.poly = false;
  request.options.level_out = false;
  FitOutcome out = run_fit(request);
  ASSERT_TRUE(out.conv.fitted);
  EXPECT_EQ(out.model.power_source, "simulated");
  EXPECT_GT(out.hardware.idle_W, 0);
  EXPECT_TRUE(out.model.has_energy);
  EXPECT_FALSE(any_has(out.warnings, "fitted together anyway")) << out.warnings.front();
  EXPECT_FALSE(any_has(out.warnings, "different kernels"));
  EXPECT_FALSE(any_has(out.warnings, "'energy_J' missing"));  // time only by design, not a problem per row

  // A row that really ran another implementation is still reported.
  calibration["benchmarks"][0]["label"] = "cudnn FFT, math fma";
  request.files.back() = write_temp("sim_calibration_other.json", calibration.dump());
  out = run_fit(request);
  EXPECT_TRUE(any_has(out.warnings, "1 configuration(s) were measured with different kernels"));
}

// The smallest tile of the candidate list is chosen by held-out time error (fit_pipeline.cpp): on the simulated H200
// the FC part drops the 32x32 and 16x64 candidates (which made skinny GEMMs predicted 25-40% fast), the conv part
// keeps every tile; too few configurations (the real quick grid) keep every tile. The choice travels in the model
// file; a model written before it reads as "every tile".
TEST(ModelV2, SmallestTileChosenByHeldOutTime) {
  FitRequest request = roofline_only_on_model_grid(sim::gpu_device(sim::gpu_preset("h200")), "sim_tiles.json");
  const FitOutcome out = run_fit(request);
  ASSERT_TRUE(out.conv.fitted && out.fc.fitted);
  EXPECT_EQ(out.fc.fit.time.tiles.min_tile_area, 2048);
  EXPECT_EQ(out.conv.fit.time.tiles.min_tile_area, 0);
  const EnergyModel back = model_from_json(model_to_json(out.model));
  EXPECT_EQ(back.fc.time.tiles.min_tile_area, 2048);
  nlohmann::json old = model_to_json(out.model);
  old["time_models"]["fc"].erase("min_tile_area");
  EXPECT_EQ(model_from_json(old).fc.time.tiles.min_tile_area, 0);
  request.files = {std::string(LAYER_ENERGY_SOURCE_DIR) + "/results/h200-nvml/quick-run2.json"};
  const FitOutcome real = run_fit(request);
  EXPECT_EQ(real.fc.fit.time.tiles.min_tile_area, 0);
  EXPECT_EQ(real.conv.fit.time.tiles.min_tile_area, 0);
  EXPECT_EQ(real.conv.fit.time.tiles.cpu_micro_rows, 0);  // a GPU's tiles keep their size
}

// A CPU GEMM block shrinks to the rows there are (BLAS and oneDNN shrink theirs), padded to the micro-kernel's 8:
// the largest block of a 7x7 output (49 rows) runs 56 rows, not 64, and an FC of batch 16 pads nothing. A GPU tile
// keeps its size. Models
// written before the rows (no `cpu_micro_rows`) keep the old blocks; a negative count is named.
TEST(ModelV2, CpuBlocksShrinkToTheRowsThereAre) {
  Hardware cpu;
  cpu.backend = "cpu";
  cpu.simd_lanes = 16;
  const layers::Layer deep = layers::conv_layer(1, 512, 7, 512, 3, 1, 1);
  const layers::Layer fc = layers::fc_layer(16, 1024, 1024);
  const auto largest_block_rows = [](const KernelFeatures& f, double ng, double kr) {
    return f.configs[0].macs_exec / (ng * kr);  // the first candidate: the largest block, without split-K
  };
  for (const TileSet& tiles : {TileSet{}, TileSet{0, 8}}) {
    const KernelFeatures conv_f = kernel_features(deep, layers::macs(deep), layers::bytes(deep, layers::Precision::fp32),
                                                  cpu, 16, 0, tiles);
    const KernelFeatures fc_f = kernel_features(fc, layers::macs(fc), layers::bytes(fc, layers::Precision::fp32), cpu,
                                                16, 0, tiles);
    if (tiles.cpu_micro_rows > 0) {
      EXPECT_EQ(largest_block_rows(conv_f, 512, 512 * 9), 56);
      EXPECT_EQ(largest_block_rows(fc_f, 1024, 1024), 16);
    } else {
      EXPECT_EQ(largest_block_rows(conv_f, 512, 512 * 9), 64);
      EXPECT_EQ(largest_block_rows(fc_f, 1024, 1024), 64);
    }
  }
  Hardware gpu;
  gpu.backend = "cuda";
  const KernelFeatures gpu_f = kernel_features(fc, layers::macs(fc), layers::bytes(fc, layers::Precision::fp32), gpu,
                                               132, 0, TileSet{0, 8});
  EXPECT_EQ(largest_block_rows(gpu_f, 1024, 1024), 256);  // cpu_micro_rows means nothing to a GPU

  FitRequest request = roofline_only_on_model_grid(sim::cpu_device(sim::cpu_preset("laptop2")), "sim_cpu_rows.json");
  const FitOutcome out = run_fit(request);
  ASSERT_TRUE(out.conv.fitted);
  EXPECT_EQ(out.conv.fit.time.tiles.cpu_micro_rows, 8);
  nlohmann::json j = model_to_json(out.model);
  EXPECT_EQ(model_from_json(j).conv.time.tiles.cpu_micro_rows, 8);
  j["time_models"]["conv"].erase("cpu_micro_rows");
  EXPECT_EQ(model_from_json(j).conv.time.tiles.cpu_micro_rows, 0);
  j["time_models"]["conv"]["cpu_micro_rows"] = -1;
  try {
    model_from_json(j);
    ADD_FAILURE() << "a negative cpu_micro_rows was read";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cpu_micro_rows"), std::string::npos) << e.what();
  }
}

// DRAM bytes of a layer called in a loop: a working set within the cache stays there, one beyond it thrashes (nearly
// all of it misses, not only the excess). Models written before the smooth step keep their hinge.
TEST(ModelV2, DramBytesThrashBeyondTheCacheAndOldModelsKeepTheHinge) {
  const DramKnee smooth{1e6, false}, hinge{1e6, true}, none{0, false};
  EXPECT_LT(smooth.dram_bytes(0.5e6), 0.06 * 0.5e6);
  EXPECT_DOUBLE_EQ(smooth.dram_bytes(1e6), 0.5e6);
  EXPECT_GT(smooth.dram_bytes(2e6), 0.94 * 2e6);  // the hinge says half
  EXPECT_DOUBLE_EQ(hinge.dram_bytes(2e6), 1e6);
  EXPECT_DOUBLE_EQ(hinge.dram_bytes(0.5e6), 0);
  EXPECT_DOUBLE_EQ(none.dram_bytes(5e9), 0);

  const FitOutcome out =
      run_fit(roofline_only_on_model_grid(sim::cpu_device(sim::cpu_preset("xeon16")), "sim_dram.json"));
  ASSERT_TRUE(out.fc.fitted);
  nlohmann::json j = model_to_json(out.model);
  EXPECT_EQ(j["time_models"]["fc"]["dram_form"], "smooth");
  EXPECT_FALSE(model_from_json(j).fc.time.dram.hinge);
  // A model file from before the field: hinge, in the time model and the physical energy model alike.
  j["time_models"]["fc"].erase("dram_form");
  for (auto& form : j["models"]["fc"]["forms"].items())
    if (form.value().is_object()) form.value().erase("dram_form");
  const EnergyModel old = model_from_json(j);
  EXPECT_TRUE(old.fc.time.dram.hinge);
  ASSERT_TRUE(old.fc.models.count("physical"));
  EXPECT_TRUE(old.fc.models.at("physical").physical.dram.hinge);
  EXPECT_FALSE(out.model.fc.models.at("physical").physical.dram.hinge);
  // A 24 MiB GEMV against the xeon's 32 MiB cache knee: the hinge counts no DRAM bytes, the smooth step a quarter
  // of them, so the two readings of one set of parameters differ.
  const layers::Layer gemv = layers::fc_layer(1, 4096, 1536);
  PredictOptions model_only;
  model_only.use_measured = false;
  const double t_smooth = predict_layer(out.model, gemv, "gemv", model_only).time_s;
  const double t_hinge = predict_layer(old, gemv, "gemv", model_only).time_s;
  ASSERT_GT(out.model.fc.time.dram.cache_bytes, 0);
  EXPECT_NE(t_smooth, t_hinge);
  j["time_models"]["fc"]["dram_form"] = "cubic";
  try {
    model_from_json(j);
    ADD_FAILURE() << "an unknown dram_form was accepted";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("'dram_form' must be \"smooth\" or \"hinge\""), std::string::npos) << e.what();
  }
}

// A layer inside a network pass finds none of its data in the cache when the pass touches more than the cache holds
// (each layer's own buffers, as layer_bench's Net/ runs them). On this project's 2-core CPU (oneDNN, 32 MiB L3) Net/
// ran 19% (resnet18) and 78% (mobilenet_v2) over the sum of its layers measured alone; predicted in the pass the
// network time error went from -17% / -44% to -4% / -8%.
TEST(ModelV2, LayersInsideANetworkPassPayForTheEvictedCache) {
  const DramKnee smooth{1e6, false}, hinge{1e6, true};
  EXPECT_DOUBLE_EQ(smooth.dram_bytes(0.5e6, 0), smooth.dram_bytes(0.5e6));
  EXPECT_DOUBLE_EQ(smooth.dram_bytes(0.5e6, 0.2e6), smooth.dram_bytes(0.5e6));  // a pass smaller than the layer
  EXPECT_GT(smooth.dram_bytes(0.5e6, 8e6), 0.99 * 0.5e6);                       // alone: 6% of it
  EXPECT_DOUBLE_EQ(hinge.dram_bytes(0.5e6, 8e6), 0.5e6);
  EXPECT_DOUBLE_EQ(hinge.dram_bytes(0.5e6, 0.8e6), 0);

  // The simulator: Net/ is its layers in one pass, dearer than the same layers alone on a device whose cache the
  // network overflows (Orin, 4 MiB L2), while each layer case is still the layer alone.
  sim::RunOptions run;
  run.noise = 0;
  run.network = "mobilenet_v2";
  const sim::Device orin = sim::gpu_device(sim::gpu_preset("jetson_orin"));
  const std::vector<layers::Layer> net = layers::network_layers("mobilenet_v2");
  const nlohmann::json doc = nlohmann::json::parse(sim::result_json(orin, net, run));
  double net_s = 0, alone_s = 0;
  for (const nlohmann::json& b : doc["benchmarks"]) {
    if (b.value("run_type", "") == "aggregate" || b.value("repetition_index", 0) != 0) continue;
    if (b["name"] == "Net/mobilenet_v2") net_s = b["real_time"].get<double>();
  }
  for (const layers::Layer& l : net) alone_s += sim::simulate(orin, l).time_s * 1e9;
  EXPECT_GT(net_s, 1.05 * alone_s);

  // The model: a layer predicted inside the pass takes longer than alone; a measured one is scaled by that ratio.
  FitRequest request = model_grid_request(orin, "sim_pass_grid.json");
  request.files.push_back(write_temp("sim_pass_net.json", sim::result_json(orin, net, run)));
  const FitOutcome out = run_fit(request);
  ASSERT_EQ(out.net_checks.size(), 1u);
  const NetCheck& check = out.net_checks.front();
  EXPECT_GT(check.measured_s, 1.05 * check.layers_measured_s);
  EXPECT_LT(std::fabs(check.predicted_s / check.measured_s - 1), 0.05);  // -2.0% on 2026-12-07
  const layers::Layer& wide = net[net.size() - 2];  // the 1x1 to 1280 channels: measured by the network run
  PredictOptions alone, in_pass;
  in_pass.working_set_bytes = 0;
  for (const layers::Layer& l : net) in_pass.working_set_bytes += layers::bytes(l, layers::Precision::fp32);
  const Prediction a = predict_layer(out.model, wide, "wide", alone), n = predict_layer(out.model, wide, "wide", in_pass);
  EXPECT_EQ(a.source, "measured");
  EXPECT_EQ(n.source, "measured");
  EXPECT_GT(n.time_s, 1.02 * a.time_s);
  alone.use_measured = in_pass.use_measured = false;
  const Prediction am = predict_layer(out.model, wide, "wide", alone), nm = predict_layer(out.model, wide, "wide", in_pass);
  EXPECT_NEAR(n.time_s / a.time_s, nm.time_s / am.time_s, 1e-9);
  EXPECT_GT(nm.energy_J, am.energy_J);
}

// The price of a cold byte in a pass is calibrated on Net/ cases: each network's check on the other networks' only
// (held out), the model on all of them; the price travels in the model file and energy_predict's pass uses it.
TEST(ModelV2, APassIsPricedOnTheOtherNetworksNetCases) {
  const sim::Device orin = sim::gpu_device(sim::gpu_preset("jetson_orin"));
  FitRequest request = model_grid_request(orin, "sim_price_grid.json");
  for (const std::string name : {"mobilenet_v2", "resnet18"}) {
    sim::RunOptions run;
    run.noise = 0;
    run.network = name;
    request.files.push_back(write_temp("sim_price_" + name + ".json",
                                       sim::result_json(orin, layers::network_layers(name), run)));
  }
  const FitOutcome out = run_fit(request);
  ASSERT_EQ(out.net_checks.size(), 2u);
  for (const NetCheck& check : out.net_checks) {
    EXPECT_EQ(check.pass_networks, 1) << check.name;
    EXPECT_LT(std::fabs(check.predicted_s / check.measured_s - 1), 0.05) << check.name;  // +2.5%, -1.4% on 2026-12-07
  }
  EXPECT_EQ(out.pass.networks, 2);
  EXPECT_GT(out.pass.s_per_cold_byte, 0);
  EXPECT_EQ(out.model.conv.time.pass.s_per_cold_byte, out.pass.s_per_cold_byte);
  EXPECT_NE(markdown_report(out, request).find("calibrated on 2 network(s)' `Net/` cases"), std::string::npos);

  // Through the model file: the same price, the same in-pass prediction; a free pass predicts the layer alone.
  const EnergyModel back = model_from_json(model_to_json(out.model));
  EXPECT_EQ(back.conv.time.pass.s_per_cold_byte, out.pass.s_per_cold_byte);
  EXPECT_EQ(back.conv.time.pass.networks, 2);
  const std::vector<layers::Layer> net = layers::network_layers("mobilenet_v2");
  PredictOptions alone, in_pass;
  alone.use_measured = in_pass.use_measured = false;
  for (const layers::Layer& l : net) in_pass.working_set_bytes += layers::bytes(l, layers::Precision::fp32);
  const layers::Layer& wide = net[net.size() - 2];
  EXPECT_DOUBLE_EQ(predict_layer(back, wide, "wide", in_pass).time_s, predict_layer(out.model, wide, "wide", in_pass).time_s);
  EnergyModel free_pass = out.model;
  free_pass.conv.time.pass.s_per_cold_byte = 0;
  EXPECT_DOUBLE_EQ(predict_layer(free_pass, wide, "wide", in_pass).time_s,
                   predict_layer(free_pass, wide, "wide", alone).time_s);
  EXPECT_GT(predict_layer(out.model, wide, "wide", in_pass).time_s, predict_layer(out.model, wide, "wide", alone).time_s);

  // A model file written before the price (no "pass") reads as uncalibrated; a negative price is named.
  nlohmann::json doc = model_to_json(out.model);
  doc["time_models"]["conv"].erase("pass");
  EXPECT_LT(model_from_json(doc).conv.time.pass.s_per_cold_byte, 0);
  doc["time_models"]["conv"]["pass"] = {{"s_per_cold_byte", -1}};
  try {
    model_from_json(doc);
    ADD_FAILURE() << "a negative price was read";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("s_per_cold_byte"), std::string::npos) << e.what();
  }
}

// The simulated 16-core CPU streams a GEMM's compulsory DRAM bytes behind its compute (a soft maximum) while its
// packing traffic adds to it: the fit finds both, p 1 for compute and cached bytes, q 4 for the DRAM stream, and the
// model file keeps q (a file without it reads as DRAM inside the memory side; q in (0, 1) is named).
TEST(ModelV2, ADramStreamThatOverlapsComputeGetsItsOwnJoin) {
  const sim::Device xeon = sim::cpu_device(sim::cpu_preset("xeon16"));
  const FitOutcome out = run_fit(model_grid_request(xeon, "sim_q_grid.json"));
  ASSERT_TRUE(out.model.conv.has_time);
  EXPECT_EQ(out.model.conv.time.p, 1);
  EXPECT_EQ(out.model.conv.time.q, 4);
  nlohmann::json doc = model_to_json(out.model);
  EXPECT_EQ(model_from_json(doc).conv.time.q, 4);
  doc["time_models"]["conv"].erase("q");
  EXPECT_EQ(model_from_json(doc).conv.time.q, 0);
  doc["time_models"]["conv"]["q"] = 0.5;
  try {
    model_from_json(doc);
    ADD_FAILURE() << "q 0.5 was read";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("'q'"), std::string::npos) << e.what();
  }
  // The two forms differ where DRAM bytes meet compute: vgg16's 14x14 3x3 conv (9.4 MB of weights) in a pass.
  EnergyModel inside = out.model;
  inside.conv.time.q = 0;
  layers::Layer big = layers::network_layers("vgg16")[12];
  PredictOptions in_pass;
  in_pass.use_measured = false;
  in_pass.working_set_bytes = 600e6;
  EXPECT_LT(predict_layer(out.model, big, "big", in_pass).time_s, predict_layer(inside, big, "big", in_pass).time_s);
}

// A network check says how precise its own measurement is: the Net/ case's standard error over its repetitions,
// noise/sqrt(reps) for the simulator's lognormal noise, in the check, the report and nowhere for one repetition.
TEST(ModelV2, NetworkCheckCarriesItsMeasurementsStandardError) {
  const sim::Device h200 = sim::gpu_device(sim::gpu_preset("h200"));
  FitRequest request = roofline_only_on_model_grid(h200, "sim_se_grid.json");
  sim::RunOptions net_run;
  net_run.network = "alexnet";
  net_run.noise = 0.03;
  net_run.repetitions = 8;
  request.files.push_back(write_temp("sim_se_net.json", sim::result_json(h200, layers::network_layers("alexnet"), net_run)));
  const FitOutcome out = run_fit(request);
  ASSERT_EQ(out.net_checks.size(), 1u);
  const double se = out.net_checks.front().measured_rel_se;
  EXPECT_GT(se, 0.3 * 0.03 / std::sqrt(8.0));
  EXPECT_LT(se, 2.0 * 0.03 / std::sqrt(8.0));
  const std::string report = markdown_report(out, request);
  EXPECT_NE(report.find("measured ± % (s.e.)"), std::string::npos);
  EXPECT_NE(report.find(fmt::format("| {:.1f} |", 100 * se)), std::string::npos);

  net_run.repetitions = 1;
  request.files.back() = write_temp("sim_se_net1.json", sim::result_json(h200, layers::network_layers("alexnet"), net_run));
  const FitOutcome one = run_fit(request);
  ASSERT_EQ(one.net_checks.size(), 1u);
  EXPECT_TRUE(std::isnan(one.net_checks.front().measured_rel_se));
}

// The simulated library splits K only for reductions of 1024 or more; runs record their launches (the kernels
// counter), so the fit learns where splitting starts and predicts an unmeasured wide 1x1 conv below it (a MobileNet
// projection) without crediting it with a split's speed. Without the rule such layers came out 40-60% fast.
TEST(ModelV2, SplitKRuleLearnedFromRecordedLaunches) {
  const sim::Device h200 = sim::gpu_device(sim::gpu_preset("h200"));
  const FitOutcome out = run_fit(model_grid_request(h200, "sim_gpu_split.json"));
  ASSERT_TRUE(out.conv.fitted);
  const double rule = out.conv.fit.time.split_min_reduction;
  EXPECT_GE(rule, 1024);
  EXPECT_LE(rule, 4096);
  // The rule travels in the model file; a model written without it reads as "no rule".
  const EnergyModel back = model_from_json(model_to_json(out.model));
  EXPECT_DOUBLE_EQ(back.conv.time.split_min_reduction, rule);
  nlohmann::json old = model_to_json(out.model);
  old["time_models"]["conv"].erase("split_min_reduction");
  EXPECT_EQ(model_from_json(old).conv.time.split_min_reduction, 0);
  // MobileNetV2's last projections (not in the grid), predicted as unmeasured layers.
  PredictOptions model_only;
  model_only.use_measured = false;
  for (const layers::Layer& l : {layers::conv_layer(1, 960, 7, 320, 1, 1, 0), layers::conv_layer(1, 576, 14, 96, 1, 1, 0)}) {
    const double truth = sim::simulate(h200, l).time_s;
    const Prediction p = predict_layer(out.model, l, layers::case_name(l), model_only);
    EXPECT_NEAR(p.time_s / truth, 1.0, 0.15) << layers::case_name(l);
  }
}

// The simulated H200 lowers its clock above 700 W, as a real one does: the fit finds the limit where the cases whose
// clock fell sit, fits time on the others, and predicts a layer that would draw more than the limit at the limit.
TEST(ModelV2, APowerLimitLearnedWhereTheClockFellStretchesTheTime) {
  const sim::Device h200 = sim::gpu_device(sim::gpu_preset("h200"));
  FitRequest request = model_grid_request(h200, "sim_gpu_cap.json");
  sim::RunOptions run;
  run.network = "vgg16";
  request.files.push_back(write_temp("sim_gpu_cap_vgg16.json", sim::result_json(h200, layers::network_layers("vgg16"), run)));
  const FitOutcome out = run_fit(request);
  ASSERT_TRUE(out.conv.fitted);
  // Its big convs run capped: without the limit Net/vgg16 was predicted 7.8% short (model-accuracy.sh, 2026-12-08).
  ASSERT_EQ(out.net_checks.size(), 1u);
  EXPECT_LT(std::fabs(out.net_checks[0].predicted_s / out.net_checks[0].measured_s - 1), 0.04)
      << out.net_checks[0].predicted_s / out.net_checks[0].measured_s;
  EXPECT_NEAR(out.model.hardware.power_cap_W, sim::gpu_preset("h200").power_cap_W, 10);  // 700.2 W on 2026-12-08
  EXPECT_GT(out.model.hardware.power_cap_cases, 50);
  const std::string report = markdown_report(out, request);
  EXPECT_NE(report.find(fmt::format("- power limit {:.4g} W", out.model.hardware.power_cap_W)), std::string::npos) << report.substr(0, 800);
  // vgg16's 56x56 256-channel conv (not in the grid) runs capped; the nominal-clock model alone is far short of it.
  PredictOptions model_only;
  model_only.use_measured = false;
  const layers::Layer big = layers::conv_layer(1, 256, 56, 256, 3, 1, 1);
  const sim::SimResult truth = sim::simulate(h200, big);
  ASSERT_TRUE(truth.power_capped);
  const Prediction capped = predict_layer(out.model, big, "big", model_only);
  EXPECT_NEAR(capped.time_s / truth.time_s, 1, 0.1) << capped.time_s;  // -6.2% on 2026-12-08
  EXPECT_GE(capped.time_s * out.model.hardware.power_cap_W, capped.energy_J * (1 - 1e-12));
  EnergyModel no_cap = out.model;
  no_cap.hardware.power_cap_W = 0;
  const Prediction nominal = predict_layer(no_cap, big, "big", model_only);
  EXPECT_LT(nominal.time_s / truth.time_s, 0.85) << nominal.time_s;
  EXPECT_DOUBLE_EQ(nominal.energy_J, capped.energy_J);  // the limit moves the time, not the energy
  // A small layer far under the limit is not touched.
  const layers::Layer small = layers::conv_layer(1, 64, 14, 64, 1, 1, 0);
  EXPECT_DOUBLE_EQ(predict_layer(out.model, small, "small", model_only).time_s,
                   predict_layer(no_cap, small, "small", model_only).time_s);

  // The limit travels in the model file; a file without it has none; a negative one is named.
  EXPECT_DOUBLE_EQ(model_from_json(model_to_json(out.model)).hardware.power_cap_W, out.model.hardware.power_cap_W);
  nlohmann::json doc = model_to_json(out.model);
  doc["hardware"].erase("power_cap_W");
  EXPECT_EQ(model_from_json(doc).hardware.power_cap_W, 0);
  doc["hardware"]["power_cap_W"] = -5;
  try {
    model_from_json(doc);
    ADD_FAILURE() << "a negative power limit was read";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("power_cap_W"), std::string::npos) << e.what();
  }
}

// Clocks that fall at modest power are heat or a governor, not a limit; too few fallen clocks teach nothing.
TEST(ModelV2, APowerLimitNeedsFallenClocksAtTheTopOfThePowerRange) {
  const auto case_at = [](double watts, double clock) {
    Case c;
    c.kind = CaseKind::conv;
    c.time_s = {1e-4};
    c.energy_J = {watts * 1e-4};
    c.clock_MHz = {clock};
    return c;
  };
  std::vector<Case> run;
  for (int i = 0; i < 20; ++i) run.push_back(case_at(100 + 10 * i, 1980));
  std::vector<Case> capped = run, warm = run, few = run;
  for (int i = 0; i < 4; ++i) capped.push_back(case_at(400 + i, 1900));
  for (int i = 0; i < 4; ++i) warm.push_back(case_at(150 + i, 1900));
  few.push_back(case_at(400, 1900));
  few.push_back(case_at(1000, 1975));  // one step of 5 MHz is within a clock step of nominal: not fallen
  const PowerCap found = learn_power_cap(capped, 1980);
  EXPECT_NEAR(found.watts, 401.5, 1);
  EXPECT_EQ(found.cases, 4);
  EXPECT_TRUE(found.note.empty());
  const PowerCap hot = learn_power_cap(warm, 1980);
  EXPECT_EQ(hot.watts, 0);
  EXPECT_NE(hot.note.find("heat or a governor"), std::string::npos) << hot.note;
  const PowerCap one = learn_power_cap(few, 1980);
  EXPECT_EQ(one.watts, 0);
  EXPECT_EQ(one.cases, 1);
  EXPECT_NE(one.note.find("too few"), std::string::npos) << one.note;
  EXPECT_EQ(learn_power_cap(capped, 0).watts, 0);  // no nominal clock: nothing is known to have fallen
  // Dynamic energy's headroom is the limit less idle power.
  Hardware hw;
  hw.power_cap_W = 700, hw.idle_W = 120;
  EXPECT_DOUBLE_EQ(power_headroom_W(hw, "total"), 700);
  EXPECT_DOUBLE_EQ(power_headroom_W(hw, "dynamic"), 580);
  EXPECT_DOUBLE_EQ(time_under_cap(1e-4, 0.1, 700), 0.1 / 700);
  EXPECT_DOUBLE_EQ(time_under_cap(1e-3, 0.1, 700), 1e-3);
  EXPECT_DOUBLE_EQ(time_under_cap(1e-4, 0.1, 0), 1e-4);
}

TEST(ModelV2, RealH200QuickGridFiguresDoNotRegress) {
  FitRequest request;
  request.files = {std::string(LAYER_ENERGY_SOURCE_DIR) + "/results/h200-nvml/quick-run2.json"};
  const FitOutcome out = run_fit(request);
  ASSERT_TRUE(out.conv.fitted && out.fc.fitted);
  // 24 convs and 8 FCs with six cuDNN algorithms among them: measured 2026-12-02, nested conv ~24%, FC ~11%.
  EXPECT_LT(out.conv.fit.nested.metrics.mape, 27.0);
  EXPECT_LT(out.fc.fit.nested.metrics.mape, 15.0);
  EXPECT_EQ(out.model.measured.size(), 32u);  // every configuration kept for the lookup
}

// Real kernels: the zoo's 1,200 layers timed by the CPU backend (oneDNN, 2 threads, --power=none) on this project's
// 2-core VM, three of them while another process held the CPUs (flagged contended by the run itself).
TEST(ModelV2, RealCpuZooTimeFiguresDoNotRegress) {
  FitRequest request;
  request.files = {std::string(LAYER_ENERGY_SOURCE_DIR) + "/results/cpu-epyc-2core/zoo-time-2026-12-07.json"};
  const FitOutcome out = run_fit(request);
  ASSERT_TRUE(out.conv.fitted && out.fc.fitted);
  EXPECT_EQ(out.conv.fit.cases, 1184u);  // 1,187 convs less the three contended ones
  EXPECT_TRUE(std::any_of(out.warnings.begin(), out.warnings.end(), [](const std::string& w) {
    return w.find("3 repetition(s) were timed while their threads waited for a CPU") != std::string::npos;
  }));
  // Measured 2026-12-07: nested conv time 6.3% (wMAPE 3.5%); gradient boosting on the geometry 6.4% (wMAPE 5.6%),
  // a random forest 9.7% (scripts/zoo_accuracy.py forest).
  EXPECT_LT(out.conv.fit.time_nested.metrics.mape, 7.0);
  EXPECT_LT(out.conv.fit.time_nested.metrics.wmape, 4.5);
}

// Real kernels, real networks: this VM's CPU backend timed on the model grid and on the four built-in networks (each
// Net/ case three times, each with its layers alone), results/cpu-epyc-2core/networks-2026-12-07/. Every network is
// predicted from the grid with the pass price calibrated on the other three; the model keeps the price of all four.
TEST(ModelV2, RealCpuNetworksFromTheGridDoNotRegress) {
  const std::string dir = std::string(LAYER_ENERGY_SOURCE_DIR) + "/results/cpu-epyc-2core/networks-2026-12-07/";
  FitRequest request;
  request.files = {dir + "model-grid-time.json"};
  for (const char* net : {"resnet18", "mobilenet_v2", "vgg16", "alexnet"}) request.files.push_back(dir + net + ".json");
  const FitOutcome out = run_fit(request);
  ASSERT_EQ(out.net_checks.size(), 4u);
  // Measured 2026-12-07 (signed time error of Net/, held out): resnet18 +4.6%, mobilenet_v2 +2.8%, vgg16 +6.3%,
  // alexnet +15.3% (its two large FCs ran another oneDNN implementation in the grid run than in the network run).
  // Before CPU blocks shrank to the rows there are: +6.4/+2.2/+6.2/+18.1%.
  const std::map<std::string, double> bound = {
      {"Net/resnet18", 5.5}, {"Net/mobilenet_v2", 5}, {"Net/vgg16", 8}, {"Net/alexnet", 18}};
  EXPECT_EQ(out.conv.fit.time.tiles.cpu_micro_rows, 8);
  EXPECT_EQ(out.fc.fit.time.tiles.cpu_micro_rows, 8);
  for (const NetCheck& check : out.net_checks) {
    EXPECT_EQ(check.pass_networks, 3) << check.name;
    EXPECT_LT(std::fabs(100 * (check.predicted_s / check.measured_s - 1)), bound.at(check.name)) << check.name;
    EXPECT_GT(check.measured_s, 1.04 * check.layers_measured_s) << check.name;  // a pass costs more than its layers
  }
  EXPECT_EQ(out.pass.networks, 4);
  EXPECT_GT(out.pass.s_per_cold_byte, 1e-11);  // 16.8 ps: a cold byte at about 60 GB/s on two cores
  EXPECT_LT(out.pass.s_per_cold_byte, 3e-11);
}

}  // namespace
}  // namespace layer_energy::analysis
