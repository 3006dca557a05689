// The simulator is the ground truth the fitter is judged on: these tests check that the physics it claims is
// visible in what it returns, and that its result files read like layer_bench's.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "analysis/simulator/sim_grids.hpp"
#include "layers/grids.hpp"
#include "analysis/simulator/sim_json.hpp"
#include "analysis/simulator/simulate.hpp"
#include "layers/networks.hpp"
#include "run_command.hpp"

namespace {

using namespace layer_energy;
using layers::Layer;

Layer conv(int64_t n, int64_t c, int64_t hw, int64_t k, int64_t r, int64_t stride, int64_t pad, int64_t groups = 1) {
  Layer l;
  l.type = layers::LayerType::conv;
  l.conv = {n, c, hw, hw, k, r, r, stride, pad, groups};
  return l;
}

Layer fc(int64_t n, int64_t in, int64_t out) {
  Layer l;
  l.type = layers::LayerType::fc;
  l.fc = {n, in, out};
  return l;
}

const sim::GpuSpec kH200 = sim::gpu_preset("h200");
const sim::CpuSpec kXeon = sim::cpu_preset("xeon16");

double gpu_time(const Layer& l) {
  return sim::simulate(kH200, l).time_s;
}

TEST(GpuSim, Batch1TimeIsFlatInKWhileTheTilesFitOneWave) {
  std::vector<double> times;
  for (int64_t k : {8, 16, 32, 64, 128, 256}) {
    const sim::SimResult r = sim::simulate(kH200, conv(1, 64, 28, k, 3, 1, 1));
    EXPECT_EQ(r.waves, 1) << "K=" << k;
    times.push_back(r.time_s);
  }
  const auto mm = std::minmax_element(times.begin(), times.end());
  EXPECT_LT(*mm.second / *mm.first, 1.03);
  // MACs grow 32x over the sweep; the time does not follow them.
  EXPECT_GT(layers::macs(conv(1, 64, 28, 256, 3, 1, 1)) / layers::macs(conv(1, 64, 28, 8, 3, 1, 1)), 30);
}

TEST(GpuSim, ASecondWaveIsAStep) {
  for (const sim::GemmVariant& v : sim::gemm_variants(kH200)) {
    const int64_t rows = 13;
    const int64_t slots = int64_t{kH200.sm_count} * v.blocks_per_sm;
    const int64_t cols_full = slots / rows;  // the most columns whose tiles fit one wave
    const auto time_at = [&](int64_t cols) {
      const sim::GemmShape g{rows * v.tile_m, cols * v.tile_n, 576, 1};
      return sim::gemm_cost(kH200, v, g, 1, 1e6);
    };
    const sim::KernelCost before = time_at(cols_full - 1);
    const sim::KernelCost full = time_at(cols_full);
    const sim::KernelCost after = time_at(cols_full + 1);
    EXPECT_EQ(full.waves, 1);
    EXPECT_EQ(after.waves, 2);
    const double step = after.time_s - full.time_s;
    EXPECT_GT(step / full.time_s, 0.15) << v.tile_m << "x" << v.tile_n;
    EXPECT_GT(step, 3 * std::fabs(full.time_s - before.time_s)) << v.tile_m << "x" << v.tile_n;
  }
}

TEST(GpuSim, SplitKSpeedsUpASmallOutputWithALongReduction) {
  const Layer l = conv(1, 512, 7, 512, 3, 1, 1);  // 49 pixels x 512 outputs, reduction 4608
  const sim::SimResult chosen = sim::simulate(kH200, l);
  EXPECT_NE(chosen.label.find("splitk"), std::string::npos) << chosen.label;
  EXPECT_EQ(chosen.kernels, 2);  // the reduction pass is a kernel of its own
  double best_unsplit = 1e9;
  for (const sim::KernelCost& c : sim::candidate_kernels(kH200, l))
    if (c.label.find("splitk") == std::string::npos) best_unsplit = std::min(best_unsplit, c.time_s);
  EXPECT_LT(chosen.time_s, 0.7 * best_unsplit);
  // A large output fills the GPU by itself: no split.
  EXPECT_EQ(sim::simulate(kH200, conv(16, 256, 56, 256, 3, 1, 1)).label.find("splitk"), std::string::npos);
}

TEST(GpuSim, DepthwiseIsMemoryBoundTimeTracksBytesNotMacs) {
  const Layer r1 = conv(8, 256, 112, 256, 1, 1, 0, 256);
  const Layer r3 = conv(8, 256, 112, 256, 3, 1, 1, 256);
  const Layer twice = conv(16, 256, 112, 256, 3, 1, 1, 256);
  EXPECT_NEAR(layers::macs(r3) / layers::macs(r1), 9, 1e-9);
  EXPECT_LT(gpu_time(r3) / gpu_time(r1), 1.3);
  EXPECT_NEAR(gpu_time(twice) / gpu_time(r3), 2, 0.3);
  EXPECT_NE(sim::simulate(kH200, r3).label.find("depthwise"), std::string::npos);
  // A dense conv of the same kind is compute-bound: R=3 costs many times R=1.
  EXPECT_GT(gpu_time(conv(8, 256, 56, 256, 3, 1, 1)) / gpu_time(conv(8, 256, 56, 256, 1, 1, 0)), 4);
}

TEST(GpuSim, SmallBatchFcTimeTracksWeightBytes) {
  const double n1 = gpu_time(fc(1, 8192, 8192));
  const double n8 = gpu_time(fc(8, 8192, 8192));
  EXPECT_LT(n8 / n1, 1.3);  // 8x the MACs, the same weights
  EXPECT_NEAR(gpu_time(fc(1, 8192, 16384)) / n1, 2, 0.3);
  EXPECT_NE(sim::simulate(kH200, fc(8, 8192, 8192)).label.find("gemv"), std::string::npos);
  EXPECT_NE(sim::simulate(kH200, fc(64, 8192, 8192)).label.find("gemm"), std::string::npos);
}

TEST(GpuSim, WeightsBeyondL2StreamFromDram) {
  // 16 MiB of weights stay in the 50 MiB L2 across calls; 256 MiB do not.
  const sim::SimResult in_l2 = sim::simulate(kH200, fc(1, 2048, 2048));
  const sim::SimResult beyond = sim::simulate(kH200, fc(1, 8192, 8192));
  EXPECT_LT(in_l2.dram_bytes, 0.05 * layers::bytes(fc(1, 2048, 2048), layers::Precision::fp32));
  EXPECT_GT(beyond.dram_bytes, 0.9 * layers::bytes(fc(1, 8192, 8192), layers::Precision::fp32));
}

TEST(GpuSim, EnergyIsStaticPowerTimesTimePlusDynamicTerms) {
  double previous_per_mac = 1e9;
  for (int64_t k : {8, 64, 256}) {
    const Layer l = conv(1, 64, 28, k, 3, 1, 1);
    const sim::SimResult r = sim::simulate(kH200, l);
    EXPECT_GT(r.energy_J, kH200.static_W * r.time_s);
    EXPECT_GE(r.executed_macs, layers::macs(l));  // tile padding is executed too
    const double per_mac = r.energy_J / layers::macs(l);
    EXPECT_LT(per_mac, previous_per_mac) << "K=" << k;
    previous_per_mac = per_mac;
  }
  // Dynamic energy follows the executed MACs: at one time, K=256 costs more than K=8.
  const sim::SimResult k8 = sim::simulate(kH200, conv(1, 64, 28, 8, 3, 1, 1));
  const sim::SimResult k256 = sim::simulate(kH200, conv(1, 64, 28, 256, 3, 1, 1));
  EXPECT_GT(k256.energy_J / k256.time_s, 1.5 * (k8.energy_J / k8.time_s));
  // A large layer is cheaper per MAC than a launch-bound one.
  const Layer big = conv(16, 256, 56, 256, 3, 1, 1);
  EXPECT_LT(sim::simulate(kH200, big).energy_J / layers::macs(big), 0.8 * previous_per_mac);
}

TEST(GpuSim, PowerCapLowersTheClock) {
  const sim::SimResult r = sim::simulate(kH200, conv(16, 256, 56, 256, 3, 1, 1));
  EXPECT_TRUE(r.power_capped);
  EXPECT_LE(r.energy_J / r.time_s, kH200.power_cap_W * 1.001);
  EXPECT_LT(r.clock_MHz, kH200.clock_MHz);
  const sim::SimResult small = sim::simulate(kH200, conv(1, 64, 28, 8, 3, 1, 1));
  EXPECT_FALSE(small.power_capped);
  EXPECT_DOUBLE_EQ(small.clock_MHz, kH200.clock_MHz);
}

TEST(GpuSim, ThrottledClockIsSlower) {
  const Layer l = conv(1, 128, 28, 128, 3, 1, 1);
  const sim::SimResult slow = sim::simulate(kH200, l, 0.75);
  EXPECT_GT(slow.time_s, sim::simulate(kH200, l).time_s);
  EXPECT_DOUBLE_EQ(slow.clock_MHz, 0.75 * kH200.clock_MHz);
}

TEST(GpuSim, JetsonPresetIsSmallAndSlow) {
  const sim::GpuSpec orin = sim::gpu_preset("jetson_orin");
  EXPECT_EQ(orin.sm_count, 16);
  EXPECT_LT(orin.static_W, 10);
  const Layer l = conv(1, 128, 28, 128, 3, 1, 1);
  const sim::SimResult r = sim::simulate(orin, l);
  EXPECT_GT(r.time_s, 2 * gpu_time(l));
  EXPECT_LT(r.energy_J / r.time_s, orin.power_cap_W * 1.001);
  EXPECT_THROW(sim::gpu_preset("tx2"), std::invalid_argument);
}

TEST(CpuSim, ThreadImbalanceIsCeilOfTheWorkItems) {
  // Depthwise: one plane per work item; 17 planes on 16 threads take two rounds.
  const double overhead = kXeon.call_s + kXeon.fork_join_s;
  const double p16 = sim::simulate_with_threads(kXeon, conv(1, 16, 224, 16, 3, 1, 1, 16), 16).time_s - overhead;
  const double p17 = sim::simulate_with_threads(kXeon, conv(1, 17, 224, 17, 3, 1, 1, 17), 16).time_s - overhead;
  EXPECT_GT(p17 / p16, 1.8);
}

TEST(CpuSim, ForkJoinMakesTinyLayersSingleThreaded) {
  const sim::SimResult tiny = sim::simulate(kXeon, fc(1, 64, 64));
  EXPECT_EQ(tiny.threads_used, 1);
  EXPECT_GT(sim::simulate_with_threads(kXeon, fc(1, 64, 64), 16).time_s, tiny.time_s + 0.5 * kXeon.fork_join_s);
  EXPECT_EQ(sim::simulate(kXeon, conv(8, 128, 56, 128, 3, 1, 1)).threads_used, kXeon.threads);
}

TEST(CpuSim, DepthwiseAndGemvAreMemoryBound) {
  const double r1 = sim::simulate(kXeon, conv(8, 256, 56, 256, 1, 1, 0, 256)).time_s;
  const double r3 = sim::simulate(kXeon, conv(8, 256, 56, 256, 3, 1, 1, 256)).time_s;
  EXPECT_LT(r3 / r1, 2.0);  // 9x the MACs
  const double n1 = sim::simulate(kXeon, fc(1, 8192, 8192)).time_s;
  EXPECT_LT(sim::simulate(kXeon, fc(8, 8192, 8192)).time_s / n1, 1.3);
}

TEST(CpuSim, EnergyHasPackageStaticAndDynamicParts) {
  const Layer l = conv(1, 128, 28, 128, 3, 1, 1);
  const sim::SimResult r = sim::simulate(kXeon, l);
  EXPECT_GT(r.energy_J, r.static_W * r.time_s);
  EXPECT_GT(r.dram_rail_J, 0);
  EXPECT_LT(r.dram_rail_J, r.energy_J);
  EXPECT_NE(r.label.find("threads"), std::string::npos);
  // The AVX2 two-core preset is slower on a compute-bound layer.
  EXPECT_GT(sim::simulate(sim::cpu_preset("laptop2"), l).time_s, 4 * r.time_s);
}

TEST(Grids, RandomLayersAreValidSeededAndOffGrid) {
  const std::vector<Layer> a = sim::random_layers(300, 7);
  const std::vector<Layer> b = sim::random_layers(300, 7);
  const std::vector<Layer> c = sim::random_layers(300, 8);
  ASSERT_EQ(a.size(), 300u);
  bool differs = false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(layers::validate(a[i]), "");
    EXPECT_LE(layers::macs(a[i]), 2e10);
    EXPECT_EQ(layers::case_name(a[i]), layers::case_name(b[i]));
    differs = differs || layers::case_name(a[i]) != layers::case_name(c[i]);
  }
  EXPECT_TRUE(differs);
}

nlohmann::json parse(const std::string& text) {
  return nlohmann::json::parse(text);
}

TEST(ResultJson, DeterministicForOneSeed) {
  const std::vector<Layer> layers_list = sim::random_layers(30, 3);
  sim::RunOptions o;
  o.repetitions = 3;
  const sim::Device d = sim::gpu_device(kH200);
  EXPECT_EQ(sim::result_json(d, layers_list, o), sim::result_json(d, layers_list, o));
  sim::RunOptions other = o;
  other.seed = 4;
  EXPECT_NE(sim::result_json(d, layers_list, o), sim::result_json(d, layers_list, other));
}

TEST(ResultJson, GpuFileCarriesTheContractFields) {
  sim::RunOptions o;
  o.repetitions = 5;
  const std::vector<Layer> list = {conv(1, 64, 28, 64, 3, 1, 1), fc(8, 1024, 1000)};
  const nlohmann::json doc = parse(sim::result_json(sim::gpu_device(kH200), list, o));
  const nlohmann::json& ctx = doc.at("context");
  for (const char* key : {"board", "backend", "power_source", "power_rails", "precision", "layout", "idle_W",
                          "gpu_sm_count", "gpu_max_clock_MHz", "gpu_l2_MiB", "gpu_memory_bandwidth_GBs",
                          "command_line"}) {
    ASSERT_TRUE(ctx.contains(key)) << key;
    EXPECT_TRUE(ctx.at(key).is_string()) << key;
  }
  EXPECT_EQ(ctx.at("backend"), "cuda");
  EXPECT_EQ(ctx.at("power_source"), "simulated");
  EXPECT_EQ(ctx.at("gpu_sm_count"), "132");
  const double idle = std::stod(ctx.at("idle_W").get<std::string>());
  int iterations = 0, aggregates = 0;
  for (const nlohmann::json& e : doc.at("benchmarks")) {
    if (e.at("run_type") == "aggregate") {
      ++aggregates;
      continue;
    }
    ++iterations;
    Layer parsed;
    ASSERT_TRUE(layers::parse_case_name(e.at("name"), &parsed));
    EXPECT_EQ(e.at("name"), e.at("run_name"));
    EXPECT_EQ(e.at("time_unit"), "ns");
    EXPECT_EQ(e.at("repetitions"), 5);
    for (const char* key : {"real_time", "cpu_time", "energy_J", "energy_dynamic_J", "energy_err_J", "power_W",
                            "macs", "bytes", "kernels", "blocks", "threads_per_block", "gpu_clock_MHz", "throttled",
                            "N", "energy_J:GPU"}) {
      ASSERT_TRUE(e.contains(key) && e.at(key).is_number()) << key;
    }
    EXPECT_TRUE(e.at("label").is_string());
    const double t = e.at("real_time").get<double>() * 1e-9;
    const double energy = e.at("energy_J").get<double>();
    EXPECT_NEAR(e.at("energy_dynamic_J").get<double>(), energy - idle * t, 1e-12);
    EXPECT_NEAR(e.at("power_W").get<double>(), energy / t, 1e-6 * energy / t);
    EXPECT_DOUBLE_EQ(e.at("macs").get<double>(), layers::macs(parsed));
    EXPECT_DOUBLE_EQ(e.at("bytes").get<double>(), layers::bytes(parsed, layers::Precision::fp32));
    EXPECT_EQ(e.at("throttled").get<double>(), 0);
  }
  EXPECT_EQ(iterations, 10);
  EXPECT_EQ(aggregates, 8);  // mean, median, stddev, cv per case
}

TEST(ResultJson, NoiseIsAboutWhatWasAskedFor) {
  sim::RunOptions o;
  o.repetitions = 400;
  o.aggregates = false;
  o.noise = 0.015;
  const nlohmann::json doc = parse(sim::result_json(sim::gpu_device(kH200), {conv(1, 64, 56, 64, 3, 1, 1)}, o));
  std::vector<double> e;
  for (const nlohmann::json& b : doc.at("benchmarks")) e.push_back(b.at("energy_J").get<double>());
  double mean = 0, ss = 0;
  for (double x : e) mean += x / e.size();
  for (double x : e) ss += (x - mean) * (x - mean);
  const double rel_sd = std::sqrt(ss / (e.size() - 1)) / mean;
  EXPECT_GT(rel_sd, 0.01);
  EXPECT_LT(rel_sd, 0.02);
}

TEST(ResultJson, TimeOnlyHasNoEnergyCounters) {
  sim::RunOptions o;
  o.time_only = true;
  const nlohmann::json doc = parse(sim::result_json(sim::cpu_device(kXeon), {conv(1, 64, 28, 64, 3, 1, 1)}, o));
  EXPECT_EQ(doc.at("context").at("power_source"), "none");
  EXPECT_FALSE(doc.at("context").contains("idle_W"));
  const nlohmann::json& e = doc.at("benchmarks").at(0);
  for (const char* key : {"energy_J", "energy_dynamic_J", "energy_err_J", "power_W"}) EXPECT_FALSE(e.contains(key));
  EXPECT_TRUE(e.contains("cpu_threads_used"));
  EXPECT_TRUE(e.contains("tiles"));
  EXPECT_FALSE(e.contains("threads_per_block"));
}

TEST(ResultJson, CpuFileNamesItsThreadsAndRails) {
  const nlohmann::json doc = parse(sim::result_json(sim::cpu_device(kXeon), {fc(1, 1024, 1024)}, sim::RunOptions{}));
  const nlohmann::json& ctx = doc.at("context");
  EXPECT_EQ(ctx.at("backend"), "cpu");
  EXPECT_EQ(ctx.at("cpu_threads"), "16");
  EXPECT_EQ(ctx.at("cpu_simd_fp32_lanes"), "16");
  EXPECT_TRUE(ctx.at("num_cpus").is_number());
  const nlohmann::json& e = doc.at("benchmarks").at(0);
  EXPECT_NEAR(e.at("energy_J:package-0").get<double>() + e.at("energy_J:dram").get<double>(),
              e.at("energy_J").get<double>(), 1e-12);
}

TEST(ResultJson, NetworkCaseSumsEveryLayerInOnePass) {
  sim::RunOptions o;
  o.noise = 0;
  o.network = "resnet18";
  o.command_line = "energy_simulate --network=resnet18";
  const std::vector<Layer> net = layers::network_layers("resnet18");
  const sim::Device d = sim::gpu_device(kH200);
  const nlohmann::json doc = parse(sim::result_json(d, net, o));
  // Each layer inside the pass: the network's bytes evict its data between its calls (resnet18: 65 MB, beyond the
  // H200's 50 MiB L2), which costs more than the same layers alone.
  double pass_bytes = 0;
  for (const Layer& l : net) pass_bytes += layers::bytes(l, layers::Precision::fp32);
  double time = 0, energy = 0, alone_time = 0;
  for (const Layer& l : net) {
    const sim::SimResult r = sim::simulate(d, l, 1.0, pass_bytes);
    time += r.time_s;
    energy += r.energy_J;
    alone_time += sim::simulate(d, l).time_s;
  }
  EXPECT_GT(time, alone_time);
  const nlohmann::json& benchmarks = doc.at("benchmarks");
  const nlohmann::json& last = benchmarks.back();
  EXPECT_EQ(last.at("name"), "Net/resnet18");
  EXPECT_NEAR(last.at("real_time").get<double>() * 1e-9, time, 1e-12);
  EXPECT_NEAR(last.at("energy_J").get<double>(), energy, 1e-9 * energy);
  EXPECT_FALSE(last.contains("K"));
  EXPECT_LT(benchmarks.size(), net.size() + 1);  // repeated layers are one case each
  EXPECT_NE(doc.at("context").at("command_line").get<std::string>().find("--network=resnet18"), std::string::npos);
}

TEST(ResultJson, ThrottledCasesAreFlagged) {
  sim::RunOptions o;
  o.throttle_fraction = 1;
  const nlohmann::json doc = parse(sim::result_json(sim::gpu_device(kH200), {conv(1, 64, 28, 64, 3, 1, 1)}, o));
  const nlohmann::json& e = doc.at("benchmarks").at(0);
  EXPECT_EQ(e.at("throttled").get<double>(), 1);
  EXPECT_LT(e.at("gpu_clock_MHz").get<double>(), kH200.clock_MHz);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(EnergySimulateCli, WritesANetworkRunAtomically) {
  const std::string out = ::testing::TempDir() + "sim_network.json";
  const test::CommandResult r = test::run_command(test::tool_command(ENERGY_SIMULATE_PATH) +
                                                  " --device gpu --preset jetson_orin --grid network --network "
                                                  "mobilenet_v2 --repetitions 2 --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json doc = parse(read_text(out));
  EXPECT_EQ(doc.at("context").at("board"), "simulated Jetson Orin");
  EXPECT_NE(doc.at("context").at("command_line").get<std::string>().find("--network=mobilenet_v2"),
            std::string::npos);
  EXPECT_EQ(doc.at("benchmarks").back().at("run_name"), "Net/mobilenet_v2");
  EXPECT_FALSE(std::ifstream(out + ".tmp").good());
  std::remove(out.c_str());
}

TEST(EnergySimulateCli, BadArgumentsNameTheFlagAndExit2) {
  const std::string bin = test::tool_command(ENERGY_SIMULATE_PATH);
  const std::string out = " --out " + ::testing::TempDir() + "sim_bad.json";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {" --device tpu" + out, "--device"},
      {" --grid network" + out, "--network"},
      {" --grid network --network lenet" + out, "--network"},
      {" --preset h100x" + out, "--preset"},
      {" --noise -1" + out, "--noise"},
      {" --device cpu", "--out"},
  };
  for (const auto& c : cases) {
    const test::CommandResult r = test::run_command(bin + c.first);
    EXPECT_EQ(r.exit_code, 2) << c.first;
    EXPECT_NE(r.err.find(c.second), std::string::npos) << c.first << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

}  // namespace
