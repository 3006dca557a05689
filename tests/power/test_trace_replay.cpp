// Trace files (t_s,rail,value,unit): parsing, errors naming file and line, and replay through the sampler.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "power/rail_selection.hpp"
#include "power/replay_source.hpp"
#include "power/sampler.hpp"
#include "power/trace.hpp"

namespace lp = layer_energy::power;

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

std::string error_of(const std::string& path) {
  try {
    lp::read_trace_csv(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Trace, ReadsRailsUnitsAndDefaultTotal) {
  const auto path = write_temp("two_rails.csv",
                               "t_s,rail,value,unit\n0.0,VDD_IN,5.0,W\n0.0,VDD_SOC,1.5,W\n0.1,VDD_IN,5.5,W\n"
                               "0.1,VDD_SOC,1.5,W\n");
  const auto trace = lp::read_trace_csv(path);
  ASSERT_EQ(trace.rails.size(), 2u);
  EXPECT_EQ(trace.rails[0].name, "VDD_IN");
  EXPECT_TRUE(trace.rails[0].default_total);  // whole-module rail: only it
  EXPECT_FALSE(trace.rails[1].default_total);
  EXPECT_EQ(trace.series[0].v, (std::vector<double>{5.0, 5.5}));
  EXPECT_DOUBLE_EQ(lp::median_interval_s(trace), 0.1);
}

TEST(Trace, BadLinesNameFileAndLine) {
  const auto garbage = write_temp("bad_value.csv", "t_s,rail,value,unit\n0.0,GPU,5,W\n0.1,GPU,five,W\n");
  EXPECT_NE(error_of(garbage).find("bad_value.csv:3: value is not a number"), std::string::npos) << error_of(garbage);
  const auto unit = write_temp("bad_unit.csv", "t_s,rail,value,unit\n0.0,GPU,5,mW\n");
  EXPECT_NE(error_of(unit).find("bad_unit.csv:2: unit must be W or J"), std::string::npos);
  const auto backwards = write_temp("backwards.csv", "t_s,rail,value,unit\n1.0,GPU,5,W\n0.5,GPU,5,W\n");
  EXPECT_NE(error_of(backwards).find("backwards.csv:3: time does not increase"), std::string::npos);
  const auto fields = write_temp("fields.csv", "t_s,rail,value,unit\n1.0,GPU,5\n");
  EXPECT_NE(error_of(fields).find("fields.csv:2: expected 4 fields"), std::string::npos);
  const auto empty = write_temp("empty.csv", "t_s,rail,value,unit\n");
  EXPECT_NE(error_of(empty).find("no samples"), std::string::npos);
  EXPECT_NE(error_of("/nonexistent/trace.csv").find("cannot open"), std::string::npos);
}

TEST(Trace, WriteThenReadRoundTripsValuesAndTotal) {
  std::vector<lp::Rail> rails(2);
  rails[0].name = "GPU";
  rails[0].quantity = lp::Quantity::energy_j;
  rails[0].default_total = true;
  rails[1].name = "GPU_power";
  std::ostringstream out;
  lp::write_trace_header(out, rails);
  lp::write_trace_row(out, {12345.123456789, 0, 1000.001}, rails[0]);
  lp::write_trace_row(out, {12345.2, 1, 312.25}, rails[1]);
  lp::write_trace_row(out, {12345.3, 0, 1031.5}, rails[0]);
  const auto path = write_temp("roundtrip.csv", out.str());
  const auto trace = lp::read_trace_csv(path);
  ASSERT_EQ(trace.rails.size(), 2u);
  EXPECT_EQ(trace.rails[0].quantity, lp::Quantity::energy_j);
  EXPECT_TRUE(trace.rails[0].default_total);
  EXPECT_FALSE(trace.rails[1].default_total);  // from the comment, not the every-rail fallback
  EXPECT_DOUBLE_EQ(trace.series[0].t[0], 12345.123456789);
  EXPECT_DOUBLE_EQ(trace.series[0].v[1], 1031.5);
}

TEST(Replay, UnusableSourceSaysWhy) {
  const auto source = lp::make_replay_source("/nonexistent/trace.csv");
  EXPECT_NE(source->unusable_reason().find("/nonexistent/trace.csv"), std::string::npos);
}

// A constant 5 W trace of 0.2 s replayed live through the sampler (looping): a 0.5 s window holds 2.5 J.
TEST(Replay, ConstantTraceThroughTheSamplerLoopsAndIntegrates) {
  std::string text = "t_s,rail,value,unit\n";
  for (int i = 0; i <= 20; ++i) text += std::to_string(100.0 + i * 0.01) + ",VDD_IN,5,W\n";
  auto source = lp::make_replay_source(write_temp("const5.csv", text));
  ASSERT_EQ(source->unusable_reason(), "");
  EXPECT_NEAR(source->update_period_s(), 0.01, 1e-9);
  lp::Sampler sampler(*source);
  sampler.start();
  const double t0 = sampler.mark();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const double t1 = sampler.mark();
  sampler.stop();
  const auto window = sampler.window(t0, t1);
  const auto total = lp::sum_rails(window, lp::select_rails(source->rails(), ""), source->rails());
  ASSERT_TRUE(total.ok) << total.why;
  EXPECT_NEAR(total.energy_j, 5.0 * (t1 - t0), 5.0 * (t1 - t0) * 1e-3);
  EXPECT_GT(total.samples, 20u);  // the trace looped at least twice
}

TEST(Replay, CounterTraceKeepsRisingAcrossLoops) {
  // 100 W counter over 0.1 s: each loop adds 10 J; windows over loops still see 100 W.
  std::string text = "t_s,rail,value,unit\n";
  for (int i = 0; i <= 10; ++i) text += std::to_string(i * 0.01) + ",GPU," + std::to_string(50.0 + i * 1.0) + ",J\n";
  auto source = lp::make_replay_source(write_temp("counter.csv", text));
  lp::Sampler sampler(*source);
  sampler.start();
  const double t0 = sampler.mark();
  std::this_thread::sleep_for(std::chrono::milliseconds(350));
  const double t1 = sampler.mark();
  sampler.stop();
  const auto w = sampler.window(t0, t1).rails[0];
  ASSERT_TRUE(w.ok) << w.why;
  EXPECT_NEAR(w.energy_j / (t1 - t0), 100.0, 1.0);
}
