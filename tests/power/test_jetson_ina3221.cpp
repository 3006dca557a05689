// The Jetson INA3221 source against fixture sysfs trees of real boards (tests/fixtures/sysfs/<board>), and against
// broken copies of them (unreadable, garbage, vanished files).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "power/jetson_ina3221.hpp"
#include "source_poll.hpp"
#include "temp_tree.hpp"
#include "unprivileged.hpp"

namespace layer_energy::power {
namespace {

using test::Poll;
using test::poll;
using test::TempTree;
using test::as_unprivileged;
using test::make_root_only;

const std::string kFixtures = std::string(LAYER_ENERGY_FIXTURES) + "/sysfs/";

struct ExpectedRail {
  std::string name;
  bool default_total;
  double watts;
};

struct BoardCase {
  std::string dir;
  std::string model;
  std::string driver;
  double update_period_s;
  std::vector<ExpectedRail> rails;
};

// Expected watts computed by hand from the fixture files: legacy in_power<ch>_input (mW) / 1000; hwmon
// in<k>_input (mV) x curr<k>_input (mA) / 1e6.
const BoardCase kBoards[] = {
    {"tx2-r32",
     "quill",
     "iio",
     0.42,
     {{"VDD_SYS_GPU", false, 0.076},
      {"VDD_SYS_SOC", false, 0.459},
      {"VDD_4V0_WIFI", false, 0.134},
      {"VDD_IN", true, 3.044},
      {"VDD_SYS_CPU", false, 0.153},
      {"VDD_SYS_DDR", false, 0.268}}},
    {"nano-r32",
     "NVIDIA Jetson Nano Developer Kit",
     "iio",
     0.42,
     {{"POM_5V_IN", true, 2.831}, {"POM_5V_GPU", false, 0.201}, {"POM_5V_CPU", false, 0.624}}},
    {"agx-xavier-r32",
     "NVIDIA Jetson AGX Xavier Developer Kit",
     "iio",
     0.42,
     {{"GPU", true, 0.305},
      {"CPU", true, 0.458},
      {"SOC", true, 1.241},
      {"CV", true, 0.0},
      {"VDDRQ", true, 0.152},
      {"SYS5V", true, 1.443}}},
    {"xavier-nx-r32",
     "NVIDIA Jetson Xavier NX Developer Kit",
     "iio",
     0.42,
     {{"VDD_IN", true, 3.210}, {"VDD_CPU_GPU_CV", false, 0.476}, {"VDD_SOC", false, 0.902}}},
    {"xavier-nx-jp5",
     "NVIDIA Jetson Xavier NX Developer Kit",
     "hwmon",
     0.026,
     {{"VDD_IN", true, 5072 * 1234 / 1e6},
      {"VDD_CPU_GPU_CV", false, 5072 * 312 / 1e6},
      {"VDD_SOC", false, 5072 * 498 / 1e6}}},
    // 1-0041 has NC on in1 and in3; in7 (sum of shunt voltages) is labelled but never a rail.
    {"agx-orin-r36",
     "NVIDIA Jetson AGX Orin Developer Kit",
     "hwmon",
     0.026,
     {{"VDD_GPU_SOC", true, 4984 * 1108 / 1e6},
      {"VDD_CPU_CV", true, 4984 * 412 / 1e6},
      {"VIN_SYS_5V0", true, 4992 * 806 / 1e6},
      {"VDDQ_VDD2_1V8AO", true, 4992 * 128 / 1e6}}},
    {"orin-nano-r36",
     "NVIDIA Jetson Orin Nano Developer Kit",
     "hwmon",
     0.026,
     {{"VDD_IN", true, 5104 * 1320 / 1e6},
      {"VDD_CPU_GPU_CV", false, 5104 * 356 / 1e6},
      {"VDD_SOC", false, 5104 * 420 / 1e6}}},
};

void write_file(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::trunc);
  ASSERT_TRUE(file) << path;
  file << text;
}

int shell(const std::string& command) {
  return std::system(command.c_str());
}

void replace_by_directory(const std::string& path) {
  ASSERT_EQ(::unlink(path.c_str()), 0) << path;
  ASSERT_EQ(::mkdir(path.c_str(), 0755), 0) << path;
}

std::vector<std::string> rail_names(const PowerSource& source) {
  std::vector<std::string> names;
  for (const auto& rail : source.rails()) names.push_back(rail.name);
  return names;
}

// --- Every board: discovery, flags, and the watts of one poll. ---

class JetsonBoard : public ::testing::TestWithParam<BoardCase> {};

TEST_P(JetsonBoard, DiscoversRailsAndReadsWatts) {
  const BoardCase& expected = GetParam();
  auto source = make_jetson_source(kFixtures + expected.dir);
  ASSERT_TRUE(source);
  ASSERT_EQ(source->unusable_reason(), "");
  EXPECT_EQ(source->name(), "jetson");
  EXPECT_EQ(source->board(), expected.model);
  EXPECT_EQ(source->context()["jetson_driver"], expected.driver);
  EXPECT_DOUBLE_EQ(source->update_period_s(), expected.update_period_s);

  std::vector<std::string> names;
  for (const auto& rail : expected.rails) names.push_back(rail.name);
  ASSERT_EQ(rail_names(*source), names);
  for (std::size_t i = 0; i < expected.rails.size(); ++i) {
    const Rail& rail = source->rails()[i];
    EXPECT_EQ(rail.default_total, expected.rails[i].default_total) << rail.name;
    EXPECT_EQ(rail.quantity, Quantity::power_w) << rail.name;
    EXPECT_FALSE(rail.edge_only) << rail.name;
    EXPECT_GT(rail.resolution, 0.0) << rail.name;
  }

  const double before = now_s();
  const Poll p = poll(*source);
  const double after = now_s();
  EXPECT_TRUE(p.failures.empty()) << p.failures.front().why;
  ASSERT_EQ(p.readings.size(), expected.rails.size());
  for (std::size_t i = 0; i < p.readings.size(); ++i) {
    EXPECT_EQ(p.readings[i].rail, i);
    EXPECT_NEAR(p.readings[i].value, expected.rails[i].watts, 1e-9) << expected.rails[i].name;
    EXPECT_GE(p.readings[i].t_s, before);
    EXPECT_LE(p.readings[i].t_s, after);
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, JetsonBoard, ::testing::ValuesIn(kBoards),
                         [](const ::testing::TestParamInfo<BoardCase>& param_info) {
                           std::string name = param_info.param.dir;
                           for (char& c : name) c = c == '-' ? '_' : c;
                           return name;
                         });

// --- Resolution, refresh period and context. ---

TEST(JetsonResolution, LegacyIsOneMilliwatt) {
  auto source = make_jetson_source(kFixtures + "nano-r32");
  for (const auto& rail : source->rails()) EXPECT_DOUBLE_EQ(rail.resolution, 0.001) << rail.name;
}

TEST(JetsonResolution, HwmonFollowsShuntResistorAndOperatingPoint) {
  // 5 mOhm: current LSB 40 uV / 5 mOhm = 8 mA. 5.072 V x 0.008 A + 1.234 A x 0.008 V.
  auto nx = make_jetson_source(kFixtures + "xavier-nx-jp5");
  EXPECT_NEAR(nx->rails()[0].resolution, 5.072 * 0.008 + 1.234 * 0.008, 1e-12);
  // 2 mOhm: current LSB 20 mA. 4.984 V x 0.020 A + 1.108 A x 0.008 V.
  auto orin = make_jetson_source(kFixtures + "agx-orin-r36");
  EXPECT_NEAR(orin->rails()[0].resolution, 4.984 * 0.020 + 1.108 * 0.008, 1e-12);
}

TEST(JetsonResolution, HwmonWithoutShuntResistorFallsBack) {
  TempTree tree(kFixtures + "orin-nano-r36");
  ASSERT_EQ(::unlink((tree / "/sys/bus/i2c/devices/1-0040/hwmon/hwmon3/shunt1_resistor").c_str()), 0);
  auto source = make_jetson_source(tree.path());
  EXPECT_DOUBLE_EQ(source->rails()[0].resolution, 0.005);
}

TEST(JetsonContext, HwmonReportsUpdateIntervalAndSamples) {
  auto source = make_jetson_source(kFixtures + "agx-orin-r36");
  auto context = source->context();
  EXPECT_EQ(context["jetson_update_interval_ms"], "26");
  EXPECT_EQ(context["jetson_samples"], "4");
  EXPECT_EQ(context["jetson_sensors"], "1-0040,1-0041");
}

TEST(JetsonContext, HwmonUpdateIntervalDiffersPerChip) {
  TempTree tree(kFixtures + "agx-orin-r36");
  write_file(tree / "/sys/bus/i2c/devices/1-0040/hwmon/hwmon1/update_interval", "140\n");
  auto source = make_jetson_source(tree.path());
  EXPECT_DOUBLE_EQ(source->update_period_s(), 0.140);  // the slowest chip, not the last one
  EXPECT_EQ(source->context()["jetson_update_interval_ms"], "1-0040:140,1-0041:26");
  EXPECT_TRUE(source->traits().period_from_driver);  // both chips' periods were read from their drivers
}

TEST(JetsonContext, HwmonWithoutUpdateIntervalIsNominal) {
  TempTree tree(kFixtures + "orin-nano-r36");
  ASSERT_EQ(::unlink((tree / "/sys/bus/i2c/devices/1-0040/hwmon/hwmon3/update_interval").c_str()), 0);
  auto source = make_jetson_source(tree.path());
  EXPECT_NEAR(source->update_period_s(), 0.0066, 1e-12);
  EXPECT_NE(source->context()["jetson_update_interval_ms"].find("nominal"), std::string::npos);
  EXPECT_FALSE(source->traits().period_from_driver);  // one chip's period is a documented default
}

TEST(JetsonContext, LegacySaysNominalAndRunningMode) {
  auto source = make_jetson_source(kFixtures + "nano-r32");
  auto context = source->context();
  EXPECT_NE(context["jetson_update_interval_ms"].find("nominal"), std::string::npos);
  EXPECT_FALSE(source->traits().period_from_driver);
  EXPECT_EQ(context["jetson_running_mode"], "0 (triggered)");
  EXPECT_EQ(context.count("jetson_samples"), 0u);
}

// --- Which channels become rails. ---

TEST(JetsonChannels, SkipsTrimmedNcLabelDisabledChannelAndMissingLabel) {
  TempTree tree(kFixtures + "orin-nano-r36");
  const std::string hwmon = tree / "/sys/bus/i2c/devices/1-0040/hwmon/hwmon3/";
  write_file(hwmon + "in2_label", "  NC \n");
  write_file(hwmon + "in3_enable", "0\n");
  auto source = make_jetson_source(tree.path());
  EXPECT_EQ(rail_names(*source), std::vector<std::string>{"VDD_IN"});

  TempTree legacy(kFixtures + "nano-r32");
  ASSERT_EQ(::unlink((legacy / "/sys/bus/i2c/devices/6-0040/iio:device0/rail_name_1").c_str()), 0);
  EXPECT_EQ(rail_names(*make_jetson_source(legacy.path())), (std::vector<std::string>{"POM_5V_IN", "POM_5V_CPU"}));
}

TEST(JetsonChannels, LabelContainingNcIsStillARail) {
  TempTree tree(kFixtures + "orin-nano-r36");
  write_file(tree / "/sys/bus/i2c/devices/1-0040/hwmon/hwmon3/in3_label", "VDD_SYNC\n");
  EXPECT_EQ(rail_names(*make_jetson_source(tree.path())),
            (std::vector<std::string>{"VDD_IN", "VDD_CPU_GPU_CV", "VDD_SYNC"}));
}

TEST(JetsonChannels, OrdersChipsByBusNumberNotText) {
  // A second chip on bus 10 sorts after bus 7 although "10-0040" < "7-0040" as text.
  TempTree tree(kFixtures + "xavier-nx-jp5");
  const std::string bus10 = tree / "/sys/devices/platform/i2c-10";
  ASSERT_EQ(shell("mkdir -p '" + bus10 + "' && cp -a '" + (tree / "/sys/bus/i2c/devices/7-0040/.") + "' '" + bus10 +
                  "/10-0040' && ln -s ../../../devices/platform/i2c-10/10-0040 '" +
                  (tree / "/sys/bus/i2c/devices/10-0040") + "'"),
            0);
  for (int k = 1; k <= 3; ++k) {
    write_file(bus10 + "/10-0040/hwmon/hwmon1/in" + std::to_string(k) + "_label", "B10_" + std::to_string(k) + "\n");
  }
  EXPECT_EQ(rail_names(*make_jetson_source(tree.path())),
            (std::vector<std::string>{"VDD_IN", "VDD_CPU_GPU_CV", "VDD_SOC", "B10_1", "B10_2", "B10_3"}));
}

TEST(JetsonBoardName, MissingModelIsUnknownJetson) {
  TempTree tree(kFixtures + "orin-nano-r36");
  ASSERT_EQ(::unlink((tree / "/proc/device-tree").c_str()), 0);
  auto source = make_jetson_source(tree.path());
  EXPECT_EQ(source->unusable_reason(), "");
  EXPECT_EQ(source->board(), "unknown Jetson");
}

// --- Unusable sources. ---

TEST(JetsonUnusable, I2cBusWithoutIna3221) {
  // A non-Jetson machine: i2c devices exist, none is an INA3221.
  TempTree tree(kFixtures + "nano-r32");
  ASSERT_EQ(::unlink((tree / "/sys/bus/i2c/devices/6-0040").c_str()), 0);
  auto source = make_jetson_source(tree.path());
  ASSERT_TRUE(source);
  EXPECT_NE(source->unusable_reason().find("no INA3221"), std::string::npos) << source->unusable_reason();
  EXPECT_NE(source->unusable_reason().find(tree / "/sys/bus/i2c/devices"), std::string::npos);
  EXPECT_TRUE(source->rails().empty());
  const Poll p = poll(*source);
  EXPECT_TRUE(p.readings.empty());
  EXPECT_TRUE(p.failures.empty());
}

TEST(JetsonUnusable, EmptyRoot) {
  TempTree tree(kFixtures + "nano-r32");
  ASSERT_EQ(shell("rm -rf '" + tree.path() + "'/*"), 0);
  auto source = make_jetson_source(tree.path());
  EXPECT_NE(source->unusable_reason().find("INA3221"), std::string::npos) << source->unusable_reason();
}

TEST(JetsonUnusable, RootThatDoesNotExist) {
  auto source = make_jetson_source("/nonexistent/layer_energy/root");
  ASSERT_TRUE(source);
  EXPECT_NE(source->unusable_reason().find("INA3221"), std::string::npos) << source->unusable_reason();
  EXPECT_EQ(source->board(), "unknown Jetson");
}

TEST(JetsonUnusable, ChipWithoutDriverDirectory) {
  TempTree tree(kFixtures + "nano-r32");
  ASSERT_EQ(shell("rm -rf '" + (tree / "/sys/bus/i2c/devices/6-0040/iio:device0") + "'"), 0);
  auto source = make_jetson_source(tree.path());
  EXPECT_NE(source->unusable_reason().find("driver not bound"), std::string::npos) << source->unusable_reason();
}

TEST(JetsonUnusable, NoRailReadableNamesFileAndWhy) {
  TempTree tree(kFixtures + "nano-r32");
  const std::string iio = tree / "/sys/bus/i2c/devices/6-0040/iio:device0/";
  for (int ch = 0; ch < 3; ++ch) replace_by_directory(iio + "in_power" + std::to_string(ch) + "_input");
  auto source = make_jetson_source(tree.path());
  const std::string reason = source->unusable_reason();
  EXPECT_NE(reason.find(iio + "in_power0_input"), std::string::npos) << reason;
  EXPECT_NE(reason.find("Is a directory"), std::string::npos) << reason;
}

TEST(JetsonUnusable, NoRailReadablePermissionDenied) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads mode-000 files; NoRailReadableNamesFileAndWhy covers this path";
  TempTree tree(kFixtures + "orin-nano-r36");
  const std::string hwmon = tree / "/sys/bus/i2c/devices/1-0040/hwmon/hwmon3/";
  for (int k = 1; k <= 3; ++k) ASSERT_EQ(::chmod((hwmon + "curr" + std::to_string(k) + "_input").c_str(), 0), 0);
  const std::string reason = make_jetson_source(tree.path())->unusable_reason();
  EXPECT_NE(reason.find(hwmon + "curr1_input"), std::string::npos) << reason;
  EXPECT_NE(reason.find("Permission denied"), std::string::npos) << reason;
}

// --- A failing rail yields a ReadFailure naming its file; the other rails go on. ---

void expect_one_failure(const Poll& p, std::size_t rail, std::size_t rails, const std::string& file,
                        const std::string& why_part) {
  ASSERT_EQ(p.failures.size(), 1u);
  EXPECT_EQ(p.failures[0].rail, rail);
  EXPECT_NE(p.failures[0].why.find(file), std::string::npos) << p.failures[0].why;
  EXPECT_NE(p.failures[0].why.find(why_part), std::string::npos) << p.failures[0].why;
  EXPECT_EQ(p.failures[0].why.find('\n'), std::string::npos) << "one line";
  EXPECT_GT(p.failures[0].t_s, 0.0);
  ASSERT_EQ(p.readings.size(), rails - 1);
  for (const auto& reading : p.readings) EXPECT_NE(reading.rail, rail);
}

TEST(JetsonPoll, UnreadableFilePermissionDenied) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads mode-000 files; FileReplacedByDirectory covers this path";
  TempTree tree(kFixtures + "nano-r32");
  auto source = make_jetson_source(tree.path());
  ASSERT_EQ(source->unusable_reason(), "");
  const std::string file = tree / "/sys/bus/i2c/devices/6-0040/iio:device0/in_power1_input";
  ASSERT_EQ(::chmod(file.c_str(), 0), 0);
  expect_one_failure(poll(*source), 1, 3, file, "Permission denied");
}

TEST(JetsonPoll, FileReplacedByDirectory) {
  // read() of a directory fails with EISDIR even for root, so this runs in CI.
  TempTree tree(kFixtures + "xavier-nx-jp5");
  auto source = make_jetson_source(tree.path());
  ASSERT_EQ(source->unusable_reason(), "");
  const std::string file = tree / "/sys/bus/i2c/devices/7-0040/hwmon/hwmon1/curr2_input";
  replace_by_directory(file);
  expect_one_failure(poll(*source), 1, 3, file, "Is a directory");
}

TEST(JetsonPoll, GarbageContent) {
  TempTree tree(kFixtures + "nano-r32");
  auto source = make_jetson_source(tree.path());
  const std::string file = tree / "/sys/bus/i2c/devices/6-0040/iio:device0/in_power0_input";
  write_file(file, "abc\n");
  const Poll p = poll(*source);
  expect_one_failure(p, 0, 3, file, "not an integer");
  EXPECT_NEAR(p.readings[0].value, 0.201, 1e-12);  // POM_5V_GPU still read
}

TEST(JetsonPoll, FileDisappearsBetweenPolls) {
  TempTree tree(kFixtures + "agx-orin-r36");
  auto source = make_jetson_source(tree.path());
  ASSERT_EQ(source->rails().size(), 4u);
  const Poll first = poll(*source);
  EXPECT_EQ(first.readings.size(), 4u);
  EXPECT_TRUE(first.failures.empty());

  // VDDQ_VDD2_1V8AO is in2 of the second chip, rail 3.
  const std::string file = tree / "/sys/bus/i2c/devices/1-0041/hwmon/hwmon2/in2_input";
  ASSERT_EQ(::unlink(file.c_str()), 0);
  const Poll second = poll(*source);
  expect_one_failure(second, 3, 4, file, "No such file");
  EXPECT_NEAR(second.readings[2].value, 4992 * 806 / 1e6, 1e-9);  // VIN_SYS_5V0 still read

  write_file(file, "4990\n");  // the file comes back: so does the rail
  const Poll third = poll(*source);
  EXPECT_TRUE(third.failures.empty());
  ASSERT_EQ(third.readings.size(), 4u);
  EXPECT_NEAR(third.readings[3].value, 4990 * 128 / 1e6, 1e-9);
}

// --- Values no INA3221 can produce are read failures; sensor offsets are readings. ---

TEST(JetsonBounds, HwmonBusVoltageOutsideTheChipsRangeIsAFailure) {
  TempTree tree(kFixtures + "xavier-nx-jp5");
  auto source = make_jetson_source(tree.path());
  ASSERT_EQ(source->unusable_reason(), "");
  const std::string file = tree / "/sys/bus/i2c/devices/7-0040/hwmon/hwmon1/in1_input";
  write_file(file, "-5000\n");  // would be -6.2 W of idle power
  expect_one_failure(poll(*source), 0, 3, file, "bus voltage -5000 mV is outside what an INA3221 can report");
  write_file(file, "510000000\n");  // 510 kV
  expect_one_failure(poll(*source), 0, 3, file, "510000000 mV");
  write_file(file, "26000\n");  // the chip's maximum is still a reading
  EXPECT_TRUE(poll(*source).failures.empty());
}

TEST(JetsonBounds, HwmonCurrentBeyondTheShuntsFullScaleIsAFailure) {
  TempTree tree(kFixtures + "xavier-nx-jp5");
  auto source = make_jetson_source(tree.path());
  // 5 mOhm: full scale 163.84 mV / 5 mOhm = 32.8 A.
  const std::string file = tree / "/sys/bus/i2c/devices/7-0040/hwmon/hwmon1/curr2_input";
  write_file(file, "250000\n");
  expect_one_failure(poll(*source), 1, 3, file, "current 250000 mA is outside what an INA3221 can report");
  write_file(file, "-5000\n");  // -25 W: a Jetson rail's current only flows into the load
  expect_one_failure(poll(*source), 1, 3, file, "-5000 mA");
  write_file(file, "30000\n");  // 30 A, within the full scale
  EXPECT_TRUE(poll(*source).failures.empty());
}

TEST(JetsonBounds, LegacyPowerOutsideTheChipsRangeIsAFailure) {
  TempTree tree(kFixtures + "nano-r32");
  auto source = make_jetson_source(tree.path());
  const std::string file = tree / "/sys/bus/i2c/devices/6-0040/iio:device0/in_power0_input";
  write_file(file, "-9000\n");
  expect_one_failure(poll(*source), 0, 3, file, "power -9000 mW is outside what an INA3221 can report");
  write_file(file, "9000000\n");  // 9 kW
  expect_one_failure(poll(*source), 0, 3, file, "9000000 mW");
}

TEST(JetsonBounds, SmallNegativeOffsetsAreReadings) {
  TempTree hwmon(kFixtures + "agx-orin-r36");
  // AGX Orin 64GB boards print VDD_CPU_CV -398 mW; -80 mA at 4.984 V on its 2 mOhm shunt.
  write_file(hwmon / "/sys/bus/i2c/devices/1-0040/hwmon/hwmon1/curr2_input", "-80\n");
  const Poll p = poll(*make_jetson_source(hwmon.path()));
  EXPECT_TRUE(p.failures.empty()) << p.failures.front().why;
  ASSERT_EQ(p.readings.size(), 4u);
  EXPECT_NEAR(p.readings[1].value, -4984 * 80 / 1e6, 1e-9);

  TempTree legacy(kFixtures + "nano-r32");
  write_file(legacy / "/sys/bus/i2c/devices/6-0040/iio:device0/in_power1_input", "-50\n");
  const Poll q = poll(*make_jetson_source(legacy.path()));
  EXPECT_TRUE(q.failures.empty()) << q.failures.front().why;
  ASSERT_EQ(q.readings.size(), 3u);
  EXPECT_DOUBLE_EQ(q.readings[1].value, -0.050);
}

TEST(JetsonBounds, EveryRailOutOfRangeMakesTheSourceUnusable) {
  TempTree tree(kFixtures + "orin-nano-r36");
  const std::string hwmon = tree / "/sys/bus/i2c/devices/1-0040/hwmon/hwmon3/";
  for (int k = 1; k <= 3; ++k) write_file(hwmon + "in" + std::to_string(k) + "_input", "-5000\n");
  const std::string reason = make_jetson_source(tree.path())->unusable_reason();
  EXPECT_NE(reason.find(hwmon + "in1_input: bus voltage -5000 mV"), std::string::npos) << reason;
}

// --- Root-only files: the reason names the fix. ---

void expect_names_the_fix(const std::string& why, const std::string& file, const std::string& chmod_part) {
  EXPECT_NE(why.find(file + ": Permission denied"), std::string::npos) << why;
  EXPECT_NE(why.find("run as root"), std::string::npos) << why;
  EXPECT_NE(why.find("udev rule"), std::string::npos) << why;
  EXPECT_NE(why.find(chmod_part), std::string::npos) << why;
  EXPECT_EQ(why.find('\n'), std::string::npos) << "one line: " << why;
}

TEST(JetsonRootOnly, HwmonUnusableReasonNamesTheFix) {
  TempTree tree(kFixtures + "orin-nano-r36");
  ASSERT_EQ(::chmod(tree.path().c_str(), 0755), 0);  // mkdtemp's 0700 would hide the whole tree from "nobody"
  const std::string hwmon = tree / "/sys/bus/i2c/devices/1-0040/hwmon/hwmon3/";
  for (int k = 1; k <= 3; ++k) make_root_only(hwmon + "curr" + std::to_string(k) + "_input");
  const std::string reason = as_unprivileged([&] { return make_jetson_source(tree.path())->unusable_reason(); });
  if (reason.empty()) GTEST_SKIP() << "cannot drop to an unprivileged user here";
  expect_names_the_fix(reason, hwmon + "curr1_input", "SUBSYSTEM==\"hwmon\"");
  EXPECT_NE(reason.find("chmod o+r /sys%p/in*_input /sys%p/curr*_input"), std::string::npos) << reason;
}

TEST(JetsonRootOnly, LegacyPollFailureNamesTheFix) {
  TempTree tree(kFixtures + "nano-r32");
  ASSERT_EQ(::chmod(tree.path().c_str(), 0755), 0);
  const std::string file = tree / "/sys/bus/i2c/devices/6-0040/iio:device0/in_power1_input";
  make_root_only(file);
  const std::string why = as_unprivileged([&] {
    auto source = make_jetson_source(tree.path());
    if (!source->unusable_reason().empty()) return "unusable: " + source->unusable_reason();
    const Poll p = poll(*source);
    return p.failures.size() == 1 && p.readings.size() == 2 ? p.failures[0].why : std::string("unexpected poll");
  });
  if (why.empty()) GTEST_SKIP() << "cannot drop to an unprivileged user here";
  expect_names_the_fix(why, file, "chmod o+r /sys%p/in_power*_input");
  EXPECT_NE(why.find("SUBSYSTEM==\"iio\""), std::string::npos) << why;
}

TEST(JetsonPoll, ReadingsFollowTheFiles) {
  TempTree tree(kFixtures + "xavier-nx-r32");
  auto source = make_jetson_source(tree.path());
  write_file(tree / "/sys/bus/i2c/devices/7-0040/iio:device0/in_power0_input", "4321\n");
  const Poll p = poll(*source);
  ASSERT_EQ(p.readings.size(), 3u);
  EXPECT_NEAR(p.readings[0].value, 4.321, 1e-12);
}

}  // namespace
}  // namespace layer_energy::power
