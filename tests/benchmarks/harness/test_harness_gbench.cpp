// The Google Benchmark adapter in process, as google/benchmark tests its own runs: cases registered by the Harness,
// run by RunSpecifiedBenchmarks into layer_bench's JSON reporter, read back. Real CPU backend; energy from a
// replayed constant 5 W trace.
#include <benchmark/benchmark.h>
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <string>
#include <vector>

#include "benchmarks/backends/cpu/cpu_backend.hpp"
#include "benchmarks/harness/interrupt.hpp"
#include "benchmarks/harness/layer_cases.hpp"
#include "replay_meter.hpp"
#include "reporters/flushing_json_reporter.hpp"
#include "reporters/gbench_compat.hpp"

namespace layer_energy::bench {
namespace {

using json = nlohmann::json;

layers::Layer fc(int64_t in, int64_t out) {
  layers::Layer layer;
  layer.type = layers::LayerType::fc;
  layer.fc.in = in, layer.fc.out = out;
  return layer;
}

layers::Layer conv() {
  layers::Layer layer;
  layer.conv.C = 8, layer.conv.H = 8, layer.conv.W = 8, layer.conv.K = 8, layer.conv.R = 3, layer.conv.S = 3;
  layer.conv.pad = 1;
  return layer;
}

struct Rig {
  std::unique_ptr<Backend> backend = make_cpu_backend();
  EnergyMeter meter{options()};
  static MeterOptions options() { return test::replay_5w_meter(); }
  static HarnessOptions harness(layers::Precision precision = layers::Precision::fp32) {
    HarnessOptions h;
    h.precision = precision;
    h.warmup_s = 0.01;
    return h;
  }
  WindowPolicy policy() const { return WindowPolicy(true, 0.01, 0); }
};

// A device that works while the host waits without using its CPU (as a GPU behind a blocking synchronise): each
// iteration takes 200 us of wall time and almost no host CPU time. The boundary double for iteration growth.
class WaitingDevice : public Backend {
 public:
  std::string name() const override { return "waiting"; }
  std::string device_name() const override { return "waiting"; }
  std::map<std::string, std::string> context() const override { return {}; }
  std::unique_ptr<PreparedLayer> prepare(const layers::Layer&, layers::Precision, layers::Layout,
                                         uint64_t) override {
    return std::make_unique<Layer>();
  }

 private:
  struct Layer : PreparedLayer {
    double run(int64_t iterations) override {
      std::this_thread::sleep_for(std::chrono::microseconds(200 * iterations));
      return 200e-6 * static_cast<double>(iterations);
    }
    std::vector<float> output() override { return {}; }
    std::vector<float> input() override { return {}; }
    std::vector<float> weights() override { return {}; }
  };
};

// A waiting device on which a signal arrives at its n-th call (the user's Ctrl-C in the middle of a case).
class InterruptedDevice : public WaitingDevice {
 public:
  explicit InterruptedDevice(int signal_at) : signal_at_(signal_at) {}
  std::unique_ptr<PreparedLayer> prepare(const layers::Layer& layer, layers::Precision precision,
                                         layers::Layout layout, uint64_t seed) override {
    return std::make_unique<Signalling>(WaitingDevice::prepare(layer, precision, layout, seed), this);
  }

 private:
  struct Signalling : PreparedLayer {
    Signalling(std::unique_ptr<PreparedLayer> inner, InterruptedDevice* owner)
        : inner_(std::move(inner)), owner_(owner) {}
    double run(int64_t iterations) override {
      if (++owner_->calls_ == owner_->signal_at_) std::raise(SIGINT);
      return inner_->run(iterations);
    }
    std::vector<float> output() override { return {}; }
    std::vector<float> input() override { return {}; }
    std::vector<float> weights() override { return {}; }
    std::unique_ptr<PreparedLayer> inner_;
    InterruptedDevice* owner_;
  };
  int signal_at_;
  int calls_ = 0;
};

// Runs what is registered with `min_time` and returns the JSON the result file would hold.
json run_registered(const std::string& min_time, const std::vector<std::string>& extra = {}) {
  // Every flag this file sets, each time: the library keeps a flag's last value across Initialize calls.
  std::vector<std::string> flags = {"test", "--benchmark_min_time=" + min_time, "--benchmark_repetitions=1"};
  flags.insert(flags.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  for (auto& f : flags) argv.push_back(&f[0]);
  int argc = static_cast<int>(argv.size());
  benchmark::Initialize(&argc, argv.data());
  std::ostringstream out;
  std::ostringstream err;
  reporters::FlushingJsonReporter reporter;
  reporter.SetOutputStream(&out);
  reporter.SetErrorStream(&err);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::ClearRegisteredBenchmarks();
  return json::parse(out.str());
}

double seconds_per_iteration(const json& entry) {
  const std::map<std::string, double> unit = {{"ns", 1e-9}, {"us", 1e-6}, {"ms", 1e-3}, {"s", 1.0}};
  return entry["real_time"].get<double>() * unit.at(entry["time_unit"].get<std::string>());
}

TEST(HarnessGbench, IterationsGrowOnWallTimeAndNamesStayTheContracts) {
  Rig rig;
  Harness harness(*rig.backend, rig.meter, Rig::harness(), rig.policy());
  ASSERT_EQ(harness.add_layers({fc(256, 256)}, {}), 1);
  const json result = run_registered("0.1");
  ASSERT_EQ(result["benchmarks"].size(), 1u);
  const json& entry = result["benchmarks"][0];
  EXPECT_EQ(entry["name"], "FC/N:1/in:256/out:256");  // no "/real_time"
  EXPECT_EQ(entry["run_name"], "FC/N:1/in:256/out:256");
  const double window_s = entry["t1_s"].get<double>() - entry["t0_s"].get<double>();
  // Growth on wall time stops at the first batch whose wall time passes min_time (about 1.4x beyond it at most; the
  // bound is loose because a loaded 2-core machine stretches oneDNN's barriers; the waiting-device test below pins
  // the growth rule itself).
  EXPECT_GE(window_s, 0.1);
  EXPECT_LT(window_s, 1.0);
  // The library times exactly the window's iterations (its edges, reading the meter, stay outside): up to a
  // scheduler slice between its timer and ours.
  const double iterations = entry["iterations"].get<double>();
  EXPECT_NEAR(seconds_per_iteration(entry) * iterations, window_s, 0.1 * window_s + 0.005);
  EXPECT_NEAR(entry["energy_J"].get<double>(), 5.0 * window_s / iterations, 0.01 * 5.0 * window_s / iterations);
}

TEST(HarnessGbench, WindowFollowsWallTimeWhenTheHostWaits) {
  // With growth on the main thread's CPU time this case would grow towards the library's iteration cap (hours).
  WaitingDevice device;
  EnergyMeter meter(Rig::options());
  Harness harness(device, meter, Rig::harness(), WindowPolicy(true, 0.01, 0));
  ASSERT_EQ(harness.add_layers({fc(16, 16)}, {}), 1);
  const json result = run_registered("0.05");
  ASSERT_EQ(result["benchmarks"].size(), 1u);
  const json& entry = result["benchmarks"][0];
  const double window_s = entry["t1_s"].get<double>() - entry["t0_s"].get<double>();
  EXPECT_GE(window_s, 0.05);
  EXPECT_LT(window_s, 0.2);
}

TEST(HarnessGbench, FilterAndResumeDecideWhichCasesAreRegistered) {
  Rig rig;
  Harness harness(*rig.backend, rig.meter, Rig::harness(), rig.policy(), NameFilter("^FC/.*:64$"));
  const std::string done = "FC/N:1/in:32/out:64";
  EXPECT_EQ(harness.add_layers({conv(), fc(16, 64), fc(32, 64), fc(64, 32), fc(16, 64)}, {done}), 1);
  ASSERT_EQ(harness.names(), std::vector<std::string>{"FC/N:1/in:16/out:64"});
  const json result = run_registered("0.01");
  ASSERT_EQ(result["benchmarks"].size(), 1u);
  EXPECT_EQ(result["benchmarks"][0]["name"], "FC/N:1/in:16/out:64");
}

TEST(HarnessGbench, UnsupportedCaseIsASkippedRowWithTheReason) {
  Rig rig;
  Harness harness(*rig.backend, rig.meter, Rig::harness(layers::Precision::fp16), rig.policy());
  ASSERT_EQ(harness.add_layers({fc(16, 16)}, {}), 1);
  const json result = run_registered("0.01");
  ASSERT_EQ(result["benchmarks"].size(), 1u);
  const json& entry = result["benchmarks"][0];
  EXPECT_EQ(entry["name"], "FC/N:1/in:16/out:16/fp16");
  const std::string message = entry.value("error_message", entry.value("skip_message", std::string()));
  EXPECT_EQ(message.rfind("unsupported: ", 0), 0u) << entry.dump();
  EXPECT_FALSE(entry.contains("energy_J"));
}

// Whether or not this Google Benchmark has AddCustomContext (1.6+), the context layer_bench gives reaches the file.
TEST(HarnessGbench, ContextGivenBeforeTheRunIsInTheResultFile) {
  Rig rig;
  Harness harness(*rig.backend, rig.meter, Rig::harness(), rig.policy());
  ASSERT_EQ(harness.add_layers({fc(16, 16)}, {}), 1);
  reporters::gbench::add_context("power_source", "replay \"quoted\"");
  reporters::gbench::add_context("board", "test rig");
  const json result = run_registered("0.01");
  reporters::gbench::shutdown();
  EXPECT_EQ(result["context"]["power_source"], "replay \"quoted\"");
  EXPECT_EQ(result["context"]["board"], "test rig");
  EXPECT_TRUE(result["context"].contains("date"));  // the library's own context is kept
  EXPECT_EQ(result["benchmarks"].size(), 1u);
}

// Last in this file: the signal stays received for the rest of the process (ctest runs each test in its own).
TEST(HarnessGbench, SignalDuringRepetitionsLetsTheRunningCaseFinishAndSkipsTheRest) {
  install_interrupt_handlers();
  // Calls: 1 warm-up, then timed batches of 1, 10, 100, ...: the 20th is inside the first case's third batch.
  InterruptedDevice device(/*signal_at=*/20);
  EnergyMeter meter(Rig::options());
  HarnessOptions options = Rig::harness();
  options.warmup_s = 0;
  Harness harness(device, meter, options, WindowPolicy(true, 0.01, 0));
  ASSERT_EQ(harness.add_layers({fc(16, 16), fc(32, 32)}, {}), 2);
  const json result = run_registered("0.02", {"--benchmark_repetitions=3"});
  ASSERT_TRUE(interrupted());
  int first_runs = 0;
  int second_skipped = 0;
  for (const auto& entry : result["benchmarks"]) {
    const std::string name = entry["run_name"];
    const bool skipped = entry.value("error_occurred", false) || entry.contains("skipped");
    if (name == "FC/N:1/in:16/out:16" && entry["run_type"] == "iteration") {
      EXPECT_FALSE(skipped) << entry.dump();
      EXPECT_TRUE(entry.contains("energy_J"));
      ++first_runs;
    }
    if (name == "FC/N:1/in:32/out:32" && skipped) ++second_skipped;
  }
  EXPECT_EQ(first_runs, 3);  // every repetition of the running case, with its growing batches
  EXPECT_GE(second_skipped, 1);
  EXPECT_TRUE(harness.cases_skipped_by_signal());
}

}  // namespace
}  // namespace layer_energy::bench
