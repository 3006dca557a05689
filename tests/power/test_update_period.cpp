// Timing a sensor's refresh period from value changes, and spotting rails that stopped refreshing.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "power/jetson_ina3221.hpp"
#include "power/update_period.hpp"
#include "temp_tree.hpp"

namespace layer_energy::power {
namespace {

const std::string kOrinNano = std::string(LAYER_ENERGY_FIXTURES) + "/sysfs/orin-nano-r36";
const std::string kHwmon = "/sys/devices/platform/bus@0/c240000.i2c/i2c-1/1-0040/hwmon/hwmon3";

// Replaces a file in one step (write a sibling, rename over), so a concurrent reader never sees it half written.
void replace_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) FAIL() << "rename " << tmp;
}

// Changes the VDD_IN current every period_ms until stopped, as a live INA3221 refresh would.
class FixtureWriter {
 public:
  FixtureWriter(const test::TempTree& tree, int period_ms)
      : path_(tree / (kHwmon + "/curr1_input")), thread_([this, period_ms] {
          int k = 0;
          while (!stop_.load()) {
            replace_file(path_, std::to_string(1320 + 8 * (k++ % 50)) + "\n");
            std::this_thread::sleep_for(std::chrono::milliseconds(period_ms));
          }
        }) {}
  ~FixtureWriter() {
    stop_.store(true);
    thread_.join();
  }

 private:
  std::string path_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(UpdatePeriod, InfersTheRefreshOfAChangingJetsonRail) {
  test::TempTree tree(kOrinNano);
  auto source = make_jetson_source(tree.path());
  ASSERT_EQ(source->unusable_reason(), "");
  PeriodEstimate estimate;
  {
    FixtureWriter writer(tree, 20);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    estimate = infer_update_period(*source, 1000, 0.001, 1.0);
  }
  EXPECT_EQ(estimate.method, "inferred");
  EXPECT_GE(estimate.changes, 3);
  // The shortest interval between changes: 20 ms plus the writer's own overhead, give or take one read.
  EXPECT_NEAR(estimate.period_s, 0.020, 0.005) << estimate.changes << " changes";
}

TEST(UpdatePeriod, UnchangingJetsonRailsFallBackToTheDriversUpdateInterval) {
  test::TempTree tree(kOrinNano);
  auto source = make_jetson_source(tree.path());
  ASSERT_EQ(source->unusable_reason(), "");
  const PeriodEstimate estimate = infer_update_period(*source, 100, 0.001, 1.0);
  EXPECT_EQ(estimate.method, "update_interval");
  EXPECT_EQ(estimate.changes, 0);
  EXPECT_DOUBLE_EQ(estimate.period_s, 0.026);  // the fixture's update_interval (ms)
}

TEST(UpdatePeriod, LegacyJetsonFallsBackToTheNominalPeriod) {
  auto source = make_jetson_source(std::string(LAYER_ENERGY_FIXTURES) + "/sysfs/tx2-r32");
  ASSERT_EQ(source->unusable_reason(), "");
  const PeriodEstimate estimate = infer_update_period(*source, 20, 0.0, 1.0);
  EXPECT_EQ(estimate.method, "nominal");
  EXPECT_DOUBLE_EQ(estimate.period_s, source->update_period_s());
}

// A source whose values follow a script: reading k of rail r gives values[r][k] at time k * dt.
class ScriptedSource final : public PowerSource {
 public:
  ScriptedSource(std::vector<Rail> rails, std::vector<std::vector<double>> values, double dt, double nominal)
      : rails_(std::move(rails)), values_(std::move(values)), dt_(dt), nominal_(nominal) {}
  std::string name() const override { return "scripted"; }
  std::string unusable_reason() const override { return {}; }
  const std::vector<Rail>& rails() const override { return rails_; }
  double update_period_s() const override { return nominal_; }
  void poll(bool include_edge_only, std::vector<Reading>& out, std::vector<ReadFailure>& failures) override {
    for (std::size_t r = 0; r < rails_.size(); ++r) {
      if (rails_[r].edge_only && !include_edge_only) continue;
      const auto& v = values_[r];
      if (v.empty()) {
        failures.push_back({static_cast<double>(k_) * dt_, r, "no value"});
        continue;
      }
      out.push_back({static_cast<double>(k_) * dt_, r, v[std::min(k_, v.size() - 1)]});
    }
    ++k_;
  }
  std::size_t polls() const { return k_; }

 private:
  std::vector<Rail> rails_;
  std::vector<std::vector<double>> values_;
  double dt_;
  double nominal_;
  std::size_t k_ = 0;
};

Rail power_rail(const std::string& name, bool edge_only = false) {
  Rail rail;
  rail.name = name;
  rail.edge_only = edge_only;
  return rail;
}

// Steps every `every` readings: 0,0,0,1,1,1,2,...
std::vector<double> steps(std::size_t n, std::size_t every) {
  std::vector<double> v;
  for (std::size_t k = 0; k < n; ++k) v.push_back(static_cast<double>(k / every));
  return v;
}

TEST(UpdatePeriod, ShortestIntervalOverRailsWinsAndEdgeOnlyRailsAreIgnored) {
  // Readings 1 ms apart: rail A changes every 30 readings, B every 10 (the first change of each only starts the
  // clock). The edge-only rail changes on every reading but is never polled here.
  ScriptedSource source({power_rail("A"), power_rail("B"), power_rail("EDGE", true)},
                        {steps(200, 30), steps(200, 10), steps(200, 1)}, 0.001, 0.5);
  const PeriodEstimate estimate = infer_update_period(source, 200, 0.0, 10.0);
  EXPECT_EQ(estimate.method, "inferred");
  EXPECT_NEAR(estimate.period_s, 0.010, 1e-9);
  EXPECT_EQ(source.polls(), 200u);
}

TEST(UpdatePeriod, SubMillisecondNoiseIsIgnored) {
  // Readings 0.1 ms apart; a real step every 50 readings (5 ms), each followed by a one-reading blip, i.e. changes
  // 0.1 ms apart that only timestamp jitter could produce. They must not become the period.
  std::vector<double> v(300, 0.0);
  for (std::size_t k = 0; k < v.size(); ++k) v[k] = static_cast<double>(k / 50) + (k % 50 == 1 ? 0.5 : 0.0);
  ScriptedSource source({power_rail("A")}, {v}, 0.0001, 0.5);
  const PeriodEstimate estimate = infer_update_period(source, 300, 0.0, 10.0);
  EXPECT_EQ(estimate.method, "inferred");
  // The blip's return (k % 50 == 2) to the next step (k % 50 == 0): 48 readings.
  EXPECT_NEAR(estimate.period_s, 0.0048, 1e-9);
}

TEST(UpdatePeriod, TooFewChangesFallBackToTheNominalPeriod) {
  ScriptedSource source({power_rail("A")}, {steps(100, 40)}, 0.001, 0.25);  // changes at 40 and 80 only
  const PeriodEstimate estimate = infer_update_period(source, 100, 0.0, 10.0);
  EXPECT_EQ(estimate.changes, 2);
  EXPECT_EQ(estimate.method, "nominal");
  EXPECT_DOUBLE_EQ(estimate.period_s, 0.25);
}

TEST(UpdatePeriod, StopsAfterMaxSeconds) {
  ScriptedSource source({power_rail("A")}, {steps(10, 1)}, 0.001, 0.25);
  const auto start = std::chrono::steady_clock::now();
  infer_update_period(source, 1000000, 0.001, 0.05);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(elapsed, 1.0);
  EXPECT_LT(source.polls(), 1000000u);
}

Series series_of(const std::vector<double>& values, double dt) {
  Series s;
  for (std::size_t k = 0; k < values.size(); ++k) {
    s.t.push_back(static_cast<double>(k) * dt);
    s.v.push_back(values[k]);
  }
  return s;
}

TEST(StuckRails, FlatSeriesOverManyPeriodsIsStuck) {
  // 121 readings 10 ms apart (1.2 s) of a sensor that refreshes every 26 ms: 46 periods without a change.
  const std::vector<Series> series{series_of(std::vector<double>(121, 5.0), 0.01)};
  const auto stuck = stuck_rails(series, {power_rail("VDD_IN")}, 0.0, 1.2, 0.026);
  ASSERT_EQ(stuck.size(), 1u);
  EXPECT_EQ(stuck[0], "VDD_IN: 121 readings over 1.20 s did not change (stuck sensor?)");
}

TEST(StuckRails, ChangingSeriesIsNotStuck) {
  std::vector<double> v(121, 5.0);
  v[60] = 5.008;
  const std::vector<Series> series{series_of(v, 0.01)};
  EXPECT_TRUE(stuck_rails(series, {power_rail("VDD_IN")}, 0.0, 1.2, 0.026).empty());
}

TEST(StuckRails, ShortWindowsAndFewSamplesAreNotJudged) {
  const std::vector<Series> series{series_of(std::vector<double>(121, 5.0), 0.01)};
  const std::vector<Rail> rails{power_rail("VDD_IN")};
  // 0.2 s < 10 periods of 26 ms.
  EXPECT_TRUE(stuck_rails(series, rails, 0.0, 0.2, 0.026).empty());
  // Long enough but only 5 readings: a slow sensor (0.42 s) polled rarely.
  const std::vector<Series> sparse{series_of(std::vector<double>(5, 5.0), 1.0)};
  EXPECT_TRUE(stuck_rails(sparse, rails, 0.0, 4.0, 0.1).empty());
  // The same series, checked only in part of it: the window decides.
  EXPECT_EQ(stuck_rails(series, rails, 0.5, 1.2, 0.026).size(), 1u);
}

TEST(StuckRails, ZeroPowerIsOffNotStuckButAFrozenCounterIsStuck) {
  Rail counter = power_rail("package-0");
  counter.quantity = Quantity::energy_j;
  Rail zero_counter = power_rail("dram-0");
  zero_counter.quantity = Quantity::energy_j;
  const std::vector<Series> series{series_of(std::vector<double>(200, 0.0), 0.01),
                                   series_of(std::vector<double>(200, 1234.5), 0.01),
                                   series_of(std::vector<double>(200, 0.0), 0.01)};
  const auto stuck = stuck_rails(series, {power_rail("POM_5V_GPU"), counter, zero_counter}, 0.0, 2.0, 0.01);
  ASSERT_EQ(stuck.size(), 2u);
  EXPECT_EQ(stuck[0].rfind("package-0: 200 readings over 1.99 s", 0), 0u) << stuck[0];
  EXPECT_EQ(stuck[1].rfind("dram-0:", 0), 0u) << stuck[1];
}

TEST(StuckRails, EdgeOnlyRailsAreNotChecked) {
  const std::vector<Series> series{series_of(std::vector<double>(200, 3.0), 0.01)};
  EXPECT_TRUE(stuck_rails(series, {power_rail("GPU", true)}, 0.0, 2.0, 0.01).empty());
}

}  // namespace
}  // namespace layer_energy::power
