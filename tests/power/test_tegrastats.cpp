// Import of tegrastats logs (L4T R32 bare-mW form, R35+ timestamped mW form, R39 three-value form) into power traces,
// and their replay.
#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "power/replay_source.hpp"
#include "power/tegrastats.hpp"
#include "power/trace.hpp"
#include "temp_tree.hpp"

namespace layer_energy::power {
namespace {

const std::string kTraces = std::string(LAYER_ENERGY_FIXTURES) + "/traces/";

std::size_t rail_index(const Trace& trace, const std::string& name) {
  for (std::size_t i = 0; i < trace.rails.size(); ++i) {
    if (trace.rails[i].name == name) return i;
  }
  throw std::runtime_error("no rail " + name);
}

// A log written into a fresh temporary directory.
class LogFile {
 public:
  explicit LogFile(const std::string& text) { std::ofstream(path()) << text; }
  std::string path() const { return dir_ / "/written.log"; }

 private:
  test::TempTree dir_{kTraces};  // a scratch copy of the trace fixtures
};

std::string message_of(const std::string& path, double interval = 0) {
  try {
    read_tegrastats(path, interval);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Tegrastats, R32NanoLogWithoutTimestamps) {
  TegrastatsInfo info;
  const Trace trace = read_tegrastats(kTraces + "tegrastats_r32.log", 0, &info);
  ASSERT_EQ(trace.rails.size(), 3u);
  EXPECT_EQ(trace.rails[0].name, "POM_5V_IN");
  EXPECT_EQ(trace.rails[1].name, "POM_5V_GPU");
  EXPECT_EQ(trace.rails[2].name, "POM_5V_CPU");
  // POM_5V_IN feeds the whole module: it alone is the default total.
  EXPECT_TRUE(trace.rails[0].default_total);
  EXPECT_FALSE(trace.rails[1].default_total);
  EXPECT_FALSE(trace.rails[2].default_total);
  for (const Rail& rail : trace.rails) {
    EXPECT_EQ(rail.quantity, Quantity::power_w);
    EXPECT_DOUBLE_EQ(rail.resolution, 0.001);
  }
  const Series& vin = trace.series[0];
  ASSERT_EQ(vin.t.size(), 12u);
  // No timestamps and no interval given: tegrastats' default 1 s.
  EXPECT_EQ(info.timing, "interval");
  EXPECT_DOUBLE_EQ(info.interval_s, 1.0);
  EXPECT_NE(info.note.find("default"), std::string::npos) << info.note;
  EXPECT_EQ(info.lines, 12u);
  EXPECT_EQ(info.skipped, 0u);
  for (std::size_t k = 0; k < vin.t.size(); ++k) EXPECT_DOUBLE_EQ(vin.t[k], static_cast<double>(k));
  // The instant value, not the running average: line 1 "POM_5V_IN 1195/1195", line 2 "1236/1215", line 4 "4838/2126".
  EXPECT_DOUBLE_EQ(vin.v[0], 1.195);
  EXPECT_DOUBLE_EQ(vin.v[1], 1.236);
  EXPECT_DOUBLE_EQ(vin.v[3], 4.838);
  EXPECT_DOUBLE_EQ(trace.series[1].v[0], 0.0);
  EXPECT_DOUBLE_EQ(trace.series[1].v[3], 1.960);
}

TEST(Tegrastats, R32IntervalIsUsedWhenGiven) {
  TegrastatsInfo info;
  const Trace trace = read_tegrastats(kTraces + "tegrastats_r32.log", 0.1, &info);
  EXPECT_DOUBLE_EQ(info.interval_s, 0.1);
  EXPECT_EQ(info.note.find("default"), std::string::npos) << info.note;
  EXPECT_NEAR(trace.series[0].t[5], 0.5, 1e-12);
  EXPECT_NEAR(median_interval_s(trace), 0.1, 1e-12);
}

TEST(Tegrastats, R36AgxOrinLogWithTimestamps) {
  TegrastatsInfo info;
  // The interval argument is ignored when the lines carry timestamps.
  const Trace trace = read_tegrastats(kTraces + "tegrastats_r36.log", 5.0, &info);
  EXPECT_EQ(info.timing, "timestamps");
  EXPECT_EQ(info.lines, 14u);
  ASSERT_EQ(trace.rails.size(), 4u);
  EXPECT_EQ(trace.rails[0].name, "VDD_GPU_SOC");
  EXPECT_EQ(trace.rails[1].name, "VDD_CPU_CV");
  EXPECT_EQ(trace.rails[2].name, "VIN_SYS_5V0");
  EXPECT_EQ(trace.rails[3].name, "VDDQ_VDD2_1V8AO");
  // AGX Orin has no whole-module rail: every rail is summed.
  for (const Rail& rail : trace.rails) EXPECT_TRUE(rail.default_total) << rail.name;
  const Series& gpu = trace.series[0];
  ASSERT_EQ(gpu.t.size(), 14u);
  // --interval 500: two lines per second stamp, spread evenly over the second; t starts at 0.
  for (std::size_t k = 0; k < gpu.t.size(); ++k) EXPECT_NEAR(gpu.t[k], 0.5 * static_cast<double>(k), 1e-9) << k;
  EXPECT_DOUBLE_EQ(gpu.v[0], 3.205);
  EXPECT_DOUBLE_EQ(gpu.v[4], 15.218);
  EXPECT_DOUBLE_EQ(trace.series[3].v[0], 0.501);
  EXPECT_NEAR(median_interval_s(trace), 0.5, 1e-9);
}

TEST(Tegrastats, SameSecondRunsAreSpreadAndSecondsAdvance) {
  const std::string rails = " RAM 1/2MB VDD_IN 5000mW/5000mW VDD_SOC 1000mW/1000mW\n";
  LogFile log("12-31-2025 23:59:59" + rails +  // t = 0
              "01-01-2026 00:00:00" + rails +  // a new year: t = 1
              "01-01-2026 00:00:00" + rails +  //  1 + 1/3
              "01-01-2026 00:00:00" + rails +  //  1 + 2/3
              "01-01-2026 00:00:02" + rails);  // a skipped second: 3
  const Trace trace = read_tegrastats(log.path());
  const Series& s = trace.series[rail_index(trace, "VDD_IN")];
  ASSERT_EQ(s.t.size(), 5u);
  EXPECT_NEAR(s.t[0], 0.0, 1e-9);
  EXPECT_NEAR(s.t[1], 1.0, 1e-9);
  EXPECT_NEAR(s.t[2], 1.0 + 1.0 / 3, 1e-9);
  EXPECT_NEAR(s.t[3], 1.0 + 2.0 / 3, 1e-9);
  EXPECT_NEAR(s.t[4], 3.0, 1e-9);
  EXPECT_TRUE(trace.rails[rail_index(trace, "VDD_IN")].default_total);
  EXPECT_FALSE(trace.rails[rail_index(trace, "VDD_SOC")].default_total);
}

TEST(Tegrastats, TimestampsCrossMonthsAndLeapDays) {
  const std::string rails = " RAM 1/2MB VDD_IN 5000mW/5000mW\n";
  LogFile log("02-28-2024 23:59:59" + rails + "02-29-2024 00:00:00" + rails + "03-01-2024 00:00:00" + rails +
              "03-01-2025 00:00:00" + rails);
  const Trace trace = read_tegrastats(log.path());
  const Series& s = trace.series[0];
  ASSERT_EQ(s.t.size(), 4u);
  EXPECT_DOUBLE_EQ(s.t[1], 1.0);
  EXPECT_DOUBLE_EQ(s.t[2], 1.0 + 86400.0);
  EXPECT_DOUBLE_EQ(s.t[3], 1.0 + 86400.0 + 86400.0 * 365);  // 2024-03-01 to 2025-03-01: no Feb 29 in between
}

TEST(Tegrastats, AgxXavierRailsNamedCpuAndGpuAreRails) {
  // L4T R32 on an AGX Xavier: the rails are GPU, CPU, SOC, CV, VDDRQ, SYS5V; "CPU [..]" earlier is the load field.
  LogFile log(
      "RAM 1730/15692MB (lfb 2960x4MB) SWAP 0/7846MB (cached 0MB) CPU [1%@1190,0%@1190,0%@1190,0%@1190,off,off,off,"
      "off] EMC_FREQ 0% GR3D_FREQ 0% AO@31C GPU@31C Tdiode@34.75C PMIC@100C AUX@30.5C CPU@32.5C thermal@31.2C "
      "Tboard@32C GPU 0/0 CPU 311/311 SOC 1244/1244 CV 0/0 VDDRQ 155/155 SYS5V 1443/1443\n");
  const Trace trace = read_tegrastats(log.path());
  ASSERT_EQ(trace.rails.size(), 6u);
  const char* const names[] = {"GPU", "CPU", "SOC", "CV", "VDDRQ", "SYS5V"};
  const double watts[] = {0.0, 0.311, 1.244, 0.0, 0.155, 1.443};
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(trace.rails[i].name, names[i]);
    EXPECT_TRUE(trace.rails[i].default_total) << names[i];  // no whole-module rail: the sum of all six
    EXPECT_DOUBLE_EQ(trace.series[i].v[0], watts[i]);
  }
}

TEST(Tegrastats, OnlyNameValuePairsAreRails) {
  // Non-rail fields (RAM/SWAP with MB, IRAM kB, frequencies, APE, temperatures) and malformed values are ignored;
  // lower-case names, names without letters, mismatched units are not rails.
  LogFile log(
      "RAM 100/200MB IRAM 0/252kB(lfb 252kB) SWAP 0/0 CPU [1%@102,off] EMC_FREQ 0% GR3D_FREQ 0%@[305] APE 25 "
      "MTS fg 0% bg 0% gpu@40C VDD_IN 3056/3056 vdd_low 5/5 123 7/7 MIXED 5mW/5 VDD_A 1.5/1.5 VDD_B --3/3 "
      "VDD_C -/3 VDD_D 1/2/3/4 VDD_E 1mW/2mW/3 VDD_CPU_GPU_CV 476/470\r\n");
  const Trace trace = read_tegrastats(log.path());
  ASSERT_EQ(trace.rails.size(), 2u);
  EXPECT_EQ(trace.rails[0].name, "VDD_IN");
  EXPECT_EQ(trace.rails[1].name, "VDD_CPU_GPU_CV");
  EXPECT_DOUBLE_EQ(trace.series[0].v[0], 3.056);
  EXPECT_DOUBLE_EQ(trace.series[1].v[0], 0.476);
}

// JetPack 7 (L4T R39) prints instant/average/peak: the instant value is the reading, as in the two-value forms.
TEST(Tegrastats, JetPack7ThreeValueFormReadsTheInstantValue) {
  TegrastatsInfo info;
  const Trace trace = read_tegrastats(kTraces + "tegrastats_r39.log", 0, &info);
  EXPECT_EQ(info.timing, "timestamps");
  EXPECT_EQ(info.lines, 6u);
  ASSERT_EQ(trace.rails.size(), 3u);
  EXPECT_EQ(trace.rails[0].name, "VDD_IN");
  EXPECT_EQ(trace.rails[1].name, "VDD_CPU_GPU_CV");
  EXPECT_EQ(trace.rails[2].name, "VDD_SOC");
  EXPECT_TRUE(trace.rails[0].default_total);
  EXPECT_FALSE(trace.rails[1].default_total);
  const Series& vin = trace.series[0];
  ASSERT_EQ(vin.t.size(), 6u);
  EXPECT_DOUBLE_EQ(vin.t[5], 5.0);
  // Line 5: "VDD_IN 4710mW/6774mW/10112mW": neither the average nor the peak.
  EXPECT_DOUBLE_EQ(vin.v[4], 4.710);
  EXPECT_DOUBLE_EQ(vin.v[3], 10.112);
  EXPECT_DOUBLE_EQ(trace.series[1].v[4], 0.682);
  // The bare-integer form with three values reads the same way.
  LogFile bare("RAM 1/2MB POM_5V_IN 1236/1215/1300\n");
  EXPECT_DOUBLE_EQ(read_tegrastats(bare.path()).series[0].v[0], 1.236);
}

// Jetson Thor (R38) prints VIN, the module input measured by an INA238, beside the rails it contains: VIN alone is
// the default total, never summed with them; VIN_SYS_5V0 (a separate 5 V supply) is not the module rail.
TEST(Tegrastats, ThorVinIsTheWholeModuleRail) {
  LogFile thor(
      "09-01-2025 10:00:00 RAM 4000/125000MB CPU [1%@972] VIN 19780mW/19780mW VDD_GPU 2100mW/2100mW "
      "VDD_CPU_SOC_MSS 5200mW/5200mW VIN_SYS_5V0 3100mW/3100mW\n"
      "09-01-2025 10:00:01 RAM 4000/125000MB CPU [1%@972] VIN 19810mW/19795mW VDD_GPU 2130mW/2115mW "
      "VDD_CPU_SOC_MSS 5210mW/5205mW VIN_SYS_5V0 3100mW/3100mW\n");
  const Trace trace = read_tegrastats(thor.path());
  ASSERT_EQ(trace.rails.size(), 4u);
  EXPECT_EQ(trace.rails[0].name, "VIN");
  EXPECT_TRUE(trace.rails[0].default_total);
  for (std::size_t i = 1; i < trace.rails.size(); ++i) {
    EXPECT_FALSE(trace.rails[i].default_total) << trace.rails[i].name;
  }
  EXPECT_DOUBLE_EQ(trace.series[0].v[1], 19.810);
}

// AGX Orin on JetPack 5 prints its not-connected INA3221 channels as `NC 0mW/0mW`: they are no rails (and so never
// part of the default total), as the sysfs source skips NC labels.
TEST(Tegrastats, NotConnectedChannelsAreNotRails) {
  const Trace trace = read_tegrastats(kTraces + "tegrastats_r35_nc_banner.log");
  std::vector<std::string> names;
  for (const Rail& rail : trace.rails) names.push_back(rail.name);
  EXPECT_EQ(names, (std::vector<std::string>{"VDD_GPU_SOC", "VDD_CPU_CV", "VIN_SYS_5V0", "VDDQ_VDD2_1V8AO"}));
  LogFile only_nc("RAM 1/2MB NC 0/0 NC 0mW/0mW\n");
  EXPECT_EQ(message_of(only_nc.path()), only_nc.path() + ": no power rails found (is this a tegrastats log?)");
}

// Real boards print small negative readings (a sensor offset above a near-zero load): they are readings, not gaps.
TEST(Tegrastats, SmallNegativeReadingsAreKept) {
  const Trace trace = read_tegrastats(kTraces + "tegrastats_r35_nc_banner.log");
  const Series& cv = trace.series[rail_index(trace, "VDD_CPU_CV")];
  ASSERT_EQ(cv.v.size(), 4u);
  EXPECT_DOUBLE_EQ(cv.v[0], -0.398);
  EXPECT_DOUBLE_EQ(cv.v[2], 2.806);
  EXPECT_DOUBLE_EQ(cv.v[3], -0.398);
  EXPECT_DOUBLE_EQ(cv.t[0], 0.0);  // the first reading is not dropped
  // R32 bare form; a value far below any offset (-9 W) is not a reading.
  LogFile bare("RAM 1/2MB POM_5V_IN 1195/1195 POM_5V_GPU -12/-3 POM_5V_CPU -9000/-9000\n");
  const Trace r32 = read_tegrastats(bare.path());
  ASSERT_EQ(r32.rails.size(), 2u);
  EXPECT_EQ(r32.rails[1].name, "POM_5V_GPU");
  EXPECT_DOUBLE_EQ(r32.series[1].v[0], -0.012);
}

// A `date` line (or any banner) at the top of a log: still a tegrastats log; the line is skipped and counted.
TEST(Tegrastats, BannerLineAtTheTopIsSkippedNotAnError) {
  const std::string path = kTraces + "tegrastats_r35_nc_banner.log";
  EXPECT_TRUE(looks_like_tegrastats(path));
  TegrastatsInfo info;
  const Trace trace = read_tegrastats(path, 0, &info);
  EXPECT_EQ(info.lines, 4u);
  EXPECT_EQ(info.skipped, 1u);
  EXPECT_NE(info.note.find("1 line(s) without power rails skipped"), std::string::npos) << info.note;
  EXPECT_DOUBLE_EQ(trace.series[0].t[0], 0.0);
  EXPECT_DOUBLE_EQ(trace.series[0].t[3], 3.0);

  const auto replay = make_replay_source(path);
  EXPECT_EQ(replay->unusable_reason(), "");
  EXPECT_EQ(replay->rails().size(), 4u);

  // Banners without timestamps, before a timestamp-free R32 log.
  LogFile r32(
      "tegrastats log of run 7\n\nThu Nov 26 11:40:57 UTC 2026\nRAM 1/2MB POM_5V_IN 1000/1000\n"
      "RAM 1/2MB POM_5V_IN 2000/1500\n");
  EXPECT_TRUE(looks_like_tegrastats(r32.path()));
  EXPECT_EQ(make_replay_source(r32.path())->unusable_reason(), "");
  // Only banners: one line naming the file.
  LogFile nothing("Thu Nov 26 11:40:57 UTC 2026\nRAM 1/2MB SWAP 0/0MB CPU [1%@102]\n");
  const std::string why = make_replay_source(nothing.path())->unusable_reason();
  EXPECT_NE(why.find(nothing.path() + ": no power rails found"), std::string::npos) << why;
  EXPECT_EQ(why.find('\n'), std::string::npos) << why;
}

// One line with rails is one sample per rail: no update period can be known, and none is made up.
TEST(Tegrastats, OneLineLogHasNoUpdatePeriod) {
  LogFile one("11-26-2026 11:40:58 RAM 1/2MB VDD_IN 4548mW/4548mW\n");
  const auto source = make_replay_source(one.path());
  const std::string why = source->unusable_reason();
  EXPECT_NE(why.find(one.path()), std::string::npos) << why;
  EXPECT_NE(why.find("update period is unknown"), std::string::npos) << why;
  EXPECT_EQ(why.find('\n'), std::string::npos) << why;
  // A banner does not count as a second line.
  LogFile banner_and_one("Thu Nov 26 11:40:57 UTC 2026\nRAM 1/2MB POM_5V_IN 1000/1000\n");
  EXPECT_NE(make_replay_source(banner_and_one.path())->unusable_reason().find("update period is unknown"),
            std::string::npos);
  // Two lines are enough: the period is their spacing.
  LogFile two("RAM 1/2MB POM_5V_IN 1000/1000\nRAM 1/2MB POM_5V_IN 1000/1000\n");
  const auto usable = make_replay_source(two.path());
  EXPECT_EQ(usable->unusable_reason(), "");
  EXPECT_DOUBLE_EQ(usable->update_period_s(), 1.0);
}

// The same holds for a trace CSV with one row per rail.
TEST(ReplayPeriod, OneSampleTraceCsvIsRefusedToo) {
  LogFile csv("t_s,rail,value,unit\n0,VDD_IN,5,W\n0,VDD_SOC,1,W\n");
  const std::string why = make_replay_source(csv.path())->unusable_reason();
  EXPECT_NE(why.find("update period is unknown"), std::string::npos) << why;
}

TEST(Tegrastats, LinesWithoutRailsAreSkippedButKeepTheirTimeSlot) {
  const std::string line = "RAM 1/2MB POM_5V_IN 1000/1000\n";
  LogFile log(line + "RAM 1/2MB CPU [1%@102]\n" + "\n" + line + "RAM 1/2MB POM_5V_");  // truncated last line
  TegrastatsInfo info;
  const Trace trace = read_tegrastats(log.path(), 0.5, &info);
  EXPECT_EQ(info.lines, 2u);
  EXPECT_EQ(info.skipped, 2u);
  const Series& s = trace.series[0];
  ASSERT_EQ(s.t.size(), 2u);
  // Non-empty line index 0 and 2 (the rail-less line still took a tegrastats interval; the blank line did not).
  EXPECT_DOUBLE_EQ(s.t[0], 0.0);
  EXPECT_DOUBLE_EQ(s.t[1], 1.0);
}

TEST(Tegrastats, ErrorsNameFileAndLine) {
  {
    LogFile log("t_s,rail,value,unit\n0,VDD_IN,5,W\n");
    EXPECT_EQ(message_of(log.path()), log.path() + ": no power rails found (is this a tegrastats log?)");
  }
  {
    LogFile log("RAM 1/2MB SWAP 0/0MB CPU [1%@102]\n");
    EXPECT_EQ(message_of(log.path()), log.path() + ": no power rails found (is this a tegrastats log?)");
  }
  {
    LogFile log("");
    EXPECT_EQ(message_of(log.path()), log.path() + ": no power rails found (is this a tegrastats log?)");
  }
  {
    LogFile log("11-26-2026 11:40:58 RAM 1/2MB VDD_IN 5mW/5mW\n11-26-2026 11:40:57 RAM 1/2MB VDD_IN 5mW/5mW\n");
    EXPECT_EQ(message_of(log.path()), log.path() + ":2: timestamp goes backwards");
  }
  {
    LogFile log("11-26-2026 11:40:58 RAM 1/2MB VDD_IN 5mW/5mW\n\nRAM 1/2MB VDD_IN 5mW/5mW\n");
    EXPECT_NE(message_of(log.path()).find(log.path() + ":3: no leading MM-DD-YYYY HH:MM:SS timestamp"),
              std::string::npos);
  }
  EXPECT_NE(message_of(kTraces + "no-such.log").find("cannot open"), std::string::npos);
  EXPECT_NE(message_of(kTraces + "tegrastats_r32.log", -1).find("interval"), std::string::npos);
}

TEST(Tegrastats, Detection) {
  EXPECT_TRUE(looks_like_tegrastats(kTraces + "tegrastats_r32.log"));
  EXPECT_TRUE(looks_like_tegrastats(kTraces + "tegrastats_r36.log"));
  EXPECT_FALSE(looks_like_tegrastats(kTraces + "constant_5w.csv"));
  EXPECT_FALSE(looks_like_tegrastats(kTraces + "no-such.log"));
  LogFile blank_first("\n  \nRAM 1/2MB VDD_IN 1/1\n");
  EXPECT_TRUE(looks_like_tegrastats(blank_first.path()));
  LogFile csv("t_s,rail,value,unit\nRAM 1/2MB VDD_IN 1/1\n");
  EXPECT_FALSE(looks_like_tegrastats(csv.path()));
  LogFile empty("");
  EXPECT_FALSE(looks_like_tegrastats(empty.path()));
}

// A tegrastats trace replays through the same machinery as a CSV trace: it round-trips through the CSV writer.
TEST(Tegrastats, RoundTripsThroughTheTraceCsv) {
  const Trace trace = read_tegrastats(kTraces + "tegrastats_r36.log");
  test::TempTree dir(kTraces);
  const std::string csv = dir / "/written.csv";
  {
    std::ofstream out(csv);
    write_trace_header(out, trace.rails);
    for (std::size_t r = 0; r < trace.rails.size(); ++r) {
      for (std::size_t k = 0; k < trace.series[r].t.size(); ++k) {
        write_trace_row(out, Reading{trace.series[r].t[k], r, trace.series[r].v[k]}, trace.rails[r]);
      }
    }
  }
  const Trace back = read_trace_csv(csv);
  ASSERT_EQ(back.rails.size(), trace.rails.size());
  for (std::size_t r = 0; r < trace.rails.size(); ++r) {
    EXPECT_EQ(back.rails[r].name, trace.rails[r].name);
    EXPECT_EQ(back.rails[r].default_total, trace.rails[r].default_total);
    EXPECT_EQ(back.series[r].v, trace.series[r].v);
  }
}

}  // namespace
}  // namespace layer_energy::power
