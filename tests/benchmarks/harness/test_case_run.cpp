// The measurement core in process (no Google Benchmark): the real CPU backend, energy from a replayed constant
// 5 W trace (the hardware boundary). Window edges, counters, idle, time-only, skip, resident and interrupt paths.
#include <gtest/gtest.h>

#include <cmath>
#include <csignal>
#include <memory>
#include <stdexcept>
#include <string>

#include "benchmarks/backends/cpu/cpu_backend.hpp"
#include "benchmarks/harness/case_run.hpp"
#include "benchmarks/harness/interrupt.hpp"
#include "benchmarks/harness/window_policy.hpp"
#include "power/source.hpp"
#include "replay_meter.hpp"
#include "cpu_hogs.hpp"

namespace layer_energy::bench {
namespace {

MeterOptions replay_5w() { return test::replay_5w_meter(); }
MeterOptions no_power() { return test::no_power_meter(); }

layers::Layer small_conv() {
  layers::Layer layer;
  layer.conv.C = 8, layer.conv.H = 16, layer.conv.W = 16, layer.conv.K = 8, layer.conv.R = 3, layer.conv.S = 3;
  layer.conv.pad = 1;
  return layer;
}

layers::Layer small_fc() {
  layers::Layer layer;
  layer.type = layers::LayerType::fc;
  layer.fc.in = 64, layer.fc.out = 32;
  return layer;
}

MeasuredCase case_of(const layers::Layer& layer) {
  MeasuredCase c;
  c.name = layers::case_name(layer);
  c.layers = {layer};
  return c;
}

HarnessOptions quick() {
  HarnessOptions options;
  options.warmup_s = 0.01;
  return options;
}

// A device whose prepared layers fault on their n-th call: the boundary double for a device fault.
class FaultingBackend : public Backend {
 public:
  explicit FaultingBackend(int fault_after) : fault_after_(fault_after) {}
  std::string name() const override { return "faulting"; }
  std::string device_name() const override { return "faulting"; }
  std::map<std::string, std::string> context() const override { return {}; }
  std::unique_ptr<PreparedLayer> prepare(const layers::Layer&, layers::Precision, layers::Layout,
                                         uint64_t) override {
    return std::make_unique<Layer>(this, fault_after_);
  }
  int prepared_alive = 0;

 private:
  class Layer : public PreparedLayer {
   public:
    Layer(FaultingBackend* owner, int fault_after) : owner_(owner), fault_after_(fault_after) {
      ++owner_->prepared_alive;
    }
    ~Layer() override { --owner_->prepared_alive; }
    double run(int64_t) override {
      if (++calls_ > fault_after_) throw std::runtime_error("device fault (test)");
      return 0;
    }
    std::vector<float> output() override { return {}; }
    std::vector<float> input() override { return {}; }
    std::vector<float> weights() override { return {}; }

   private:
    FaultingBackend* owner_;
    int fault_after_;
    int calls_ = 0;
  };
  int fault_after_;
};

TEST(CaseRun, WindowIsBoundToTheIterationsAndEnergyIsPowerTimesWindow) {
  auto backend = make_cpu_backend();
  EnergyMeter meter(replay_5w());
  CaseRunner runner(*backend, meter, quick());
  MeasuredCase c = case_of(small_conv());
  ASSERT_EQ(runner.ready(c), "");
  const double before = power::now_s();
  const WindowResult w = runner.timed_window(c, 200);
  const double after = power::now_s();
  ASSERT_EQ(w.failure, "");
  EXPECT_EQ(w.iterations, 200);
  EXPECT_LE(before, w.t_start_s);
  EXPECT_LT(w.t_start_s, w.t_end_s);
  EXPECT_LE(w.t_end_s, after);
  ASSERT_TRUE(w.has_energy);
  const double window_s = w.t_end_s - w.t_start_s;
  EXPECT_NEAR(w.counters.at("energy_J"), 5.0 * window_s / 200, 0.01 * 5.0 * window_s / 200);
  EXPECT_NEAR(w.counters.at("power_W"), 5.0, 0.05);
  EXPECT_DOUBLE_EQ(w.counters.at("t0_s"), w.t_start_s);
  EXPECT_DOUBLE_EQ(w.counters.at("t1_s"), w.t_end_s);
  EXPECT_FALSE(w.counters.count("energy_dynamic_J"));  // no idle measured: omitted, not zero
  EXPECT_NE(w.label.find("threads"), std::string::npos) << w.label;  // the implementation's description
}

TEST(CaseRun, CountersCarryTheGeometryMacsBytesAndWhatRan) {
  auto backend = make_cpu_backend();
  EnergyMeter meter(no_power());
  CaseRunner runner(*backend, meter, quick());
  const layers::Layer conv = small_conv();
  MeasuredCase c = case_of(conv);
  ASSERT_EQ(runner.ready(c), "");
  const WindowResult w = runner.timed_window(c, 3);
  EXPECT_DOUBLE_EQ(w.counters.at("macs"), layers::macs(conv));
  EXPECT_DOUBLE_EQ(w.counters.at("bytes"), layers::bytes(conv, layers::Precision::fp32));
  EXPECT_EQ(w.counters.at("C"), 8);
  EXPECT_EQ(w.counters.at("H"), 16);
  EXPECT_EQ(w.counters.at("R"), 3);
  EXPECT_EQ(w.counters.at("pad"), 1);
  EXPECT_GE(w.counters.at("kernels"), 1);
  EXPECT_FALSE(w.counters.count("in"));
}

TEST(CaseRun, NetworkCaseSumsItsLayersAndCarriesNoGeometry) {
  auto backend = make_cpu_backend();
  EnergyMeter meter(no_power());
  CaseRunner runner(*backend, meter, quick());
  MeasuredCase c;
  c.name = "Net/test";
  c.layers = {small_conv(), small_fc()};
  ASSERT_EQ(runner.ready(c), "");
  const WindowResult w = runner.timed_window(c, 2);
  EXPECT_DOUBLE_EQ(w.counters.at("macs"), layers::macs(small_conv()) + layers::macs(small_fc()));
  EXPECT_FALSE(w.counters.count("C"));
  EXPECT_FALSE(w.counters.count("in"));
  EXPECT_GE(w.counters.at("kernels"), 2);
}

TEST(CaseRun, IdlePowerGivesTheDynamicEnergy) {
  auto backend = make_cpu_backend();
  EnergyMeter meter(replay_5w());
  CaseRunner runner(*backend, meter, quick());
  runner.set_idle(2.0);
  MeasuredCase c = case_of(small_fc());
  ASSERT_EQ(runner.ready(c), "");
  const WindowResult w = runner.timed_window(c, 500);
  const double per_iteration_s = (w.t_end_s - w.t_start_s) / 500;
  EXPECT_NEAR(w.counters.at("energy_dynamic_J"), 3.0 * per_iteration_s, 0.01 * 5.0 * per_iteration_s);
}

TEST(CaseRun, WithoutPowerTheRowIsTimeOnlyWithItsImplementation) {
  auto backend = make_cpu_backend();
  EnergyMeter meter(no_power());
  CaseRunner runner(*backend, meter, quick());
  MeasuredCase c = case_of(small_fc());
  ASSERT_EQ(runner.ready(c), "");
  const WindowResult w = runner.timed_window(c, 10);
  EXPECT_FALSE(w.has_energy);
  EXPECT_FALSE(w.counters.count("energy_J"));
  EXPECT_EQ(w.label.rfind("time only; ", 0), 0u) << w.label;
  EXPECT_GT(w.t_end_s, w.t_start_s);
}

TEST(CaseRun, AWindowWhoseThreadsWaitedForACpuIsFlaggedContended) {
  const power::HostLoadReader host_load;
  if (!host_load.available()) GTEST_SKIP() << "no per-thread scheduler times here: " << host_load.description();
  auto backend = make_cpu_backend();
  EnergyMeter meter(no_power());
  HarnessOptions options = quick();
  options.host_load = &host_load;
  CaseRunner runner(*backend, meter, options);
  MeasuredCase c = case_of(small_conv());
  ASSERT_EQ(runner.ready(c), "");
  WindowResult w;
  {
    const test::CpuHogs others;  // other processes on every CPU, twice over, for the whole window
    // Iterations grow until one window lasts 0.2 s (a single-threaded backend is not slowed by barriers).
    for (int64_t n = 200;; n *= 2) {
      w = runner.timed_window(c, n);
      if (w.t_end_s - w.t_start_s >= 0.2 || !w.failure.empty()) break;
    }
  }
  ASSERT_TRUE(w.counters.count("host_wait_cores"));
  EXPECT_GT(w.counters.at("host_wait_cores"), 0.1);
  EXPECT_EQ(w.counters.at("contended"), 1.0);
  EXPECT_TRUE(c.contended);
  // Without a reader the window says nothing about the host (and claims no contention).
  CaseRunner plain(*backend, meter, quick());
  MeasuredCase d = case_of(small_conv());
  ASSERT_EQ(plain.ready(d), "");
  const WindowResult quiet = plain.timed_window(d, 3);
  EXPECT_FALSE(quiet.counters.count("contended"));
  EXPECT_FALSE(d.contended);
}

TEST(CaseRun, UnsupportedCaseIsSkippedWithTheReasonAndNotPreparedAgain) {
  auto backend = make_cpu_backend();
  EnergyMeter meter(no_power());
  HarnessOptions options = quick();
  options.precision = layers::Precision::fp16;  // the CPU backend runs fp32 only
  CaseRunner runner(*backend, meter, options);
  MeasuredCase c = case_of(small_conv());
  const std::string first = runner.ready(c);
  EXPECT_EQ(first.rfind("unsupported: ", 0), 0u) << first;
  EXPECT_NE(first.find("fp16"), std::string::npos) << first;
  EXPECT_TRUE(c.prepared.empty());
  EXPECT_EQ(runner.ready(c), first);
}

TEST(CaseRun, NextCaseReleasesThePreviousOnesBuffersAndWarmsUpAgain) {
  auto backend = make_cpu_backend();
  EnergyMeter meter(no_power());
  CaseRunner runner(*backend, meter, quick());
  MeasuredCase a = case_of(small_conv());
  MeasuredCase b = case_of(small_fc());
  ASSERT_EQ(runner.ready(a), "");
  EXPECT_TRUE(a.warmed_up);
  ASSERT_EQ(runner.ready(b), "");
  EXPECT_TRUE(a.prepared.empty());
  EXPECT_FALSE(a.warmed_up);
  EXPECT_EQ(b.prepared.size(), 1u);
  ASSERT_EQ(runner.ready(a), "");  // interleaved repetitions: prepared and warmed up again
  EXPECT_TRUE(b.prepared.empty());
  EXPECT_TRUE(a.warmed_up);
}

TEST(CaseRun, DeviceFaultMidWindowLosesTheCaseOnly) {
  FaultingBackend backend(/*fault_after=*/5);
  EnergyMeter meter(no_power());
  HarnessOptions options = quick();
  options.warmup_s = 0;  // one warm-up call
  CaseRunner runner(backend, meter, options);
  MeasuredCase c = case_of(small_fc());
  ASSERT_EQ(runner.ready(c), "");
  const WindowResult w = runner.timed_window(c, 100);
  EXPECT_EQ(w.failure, "failed while running: device fault (test)");
  EXPECT_EQ(c.skip_reason, w.failure);
  EXPECT_EQ(backend.prepared_alive, 0);  // its buffers are released
  EXPECT_TRUE(w.counters.empty());
  EXPECT_EQ(runner.ready(c), w.failure);  // later calls skip at once
  MeasuredCase next = case_of(small_conv());
  EXPECT_EQ(runner.ready(next), "");  // the sweep goes on
  EXPECT_EQ(backend.prepared_alive, 1);
}

TEST(CaseRun, DeviceFaultWhileWarmingUpSkipsTheCase) {
  FaultingBackend backend(/*fault_after=*/0);
  EnergyMeter meter(no_power());
  CaseRunner runner(backend, meter, quick());
  MeasuredCase c = case_of(small_fc());
  EXPECT_EQ(runner.ready(c), "failed while warming up: device fault (test)");
  EXPECT_EQ(backend.prepared_alive, 0);
  EXPECT_FALSE(c.warmed_up);
}

TEST(WindowPolicy, WindowFromTheSensorPeriodAndTheTarget) {
  EXPECT_DOUBLE_EQ(WindowPolicy(true, 0.1, 0.02).min_window_s(), 5.0);    // period / target
  EXPECT_DOUBLE_EQ(WindowPolicy(true, 0.001, 0.02).min_window_s(), 0.5);  // at least 0.5 s
  EXPECT_DOUBLE_EQ(WindowPolicy(true, 1.0, 0.01).min_window_s(), 30.0);   // at most 30 s
  EXPECT_DOUBLE_EQ(WindowPolicy(true, 0.1, 0).min_window_s(), 0.0);       // no target: no opinion
  EXPECT_DOUBLE_EQ(WindowPolicy(false, 0.1, 0.02).min_window_s(), WindowPolicy::kTimeOnlyWindowS);
}

TEST(WindowPolicy, TargetIsMetAtOrBelowTheRelativeError) {
  const WindowPolicy policy(true, 0.1, 0.02);
  EXPECT_TRUE(policy.met(0.02));
  EXPECT_FALSE(policy.met(0.0201));
  EXPECT_FALSE(policy.met(INFINITY));  // a window without energy over zero joules
  EXPECT_TRUE(WindowPolicy(true, 0.1, 0).met(0.5));    // no target
  EXPECT_TRUE(WindowPolicy(false, 0.1, 0.02).met(1));  // time only
}

TEST(CaseRun, AfterASignalNoFurtherCaseStarts) {
  auto backend = make_cpu_backend();
  EnergyMeter meter(no_power());
  CaseRunner runner(*backend, meter, quick());
  install_interrupt_handlers();
  std::raise(SIGINT);
  ASSERT_TRUE(interrupted());
  MeasuredCase c = case_of(small_fc());
  EXPECT_EQ(runner.ready(c), "interrupted by a signal before this case ran (rerun with --resume)");
  EXPECT_TRUE(c.prepared.empty());
  EXPECT_EQ(c.skip_reason, "");  // not the case's fault: a resumed run measures it
}

}  // namespace
}  // namespace layer_energy::bench
