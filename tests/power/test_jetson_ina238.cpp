// Jetson Thor's INA238 on the module input (rail VIN) in the Jetson source: discovered under sys/class/hwmon beside
// the INA3221s, read as power1_input or V x I, bounded like the INA3221, the default total alone, shown by
// --list_power. Trees: a Thor-like copy of agx-orin-r36 plus an INA238 written from the kernel's ABI (ina238_tree.hpp).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sstream>
#include <string>
#include <vector>

#include "ina238_tree.hpp"
#include "power/jetson_ina3221.hpp"
#include "power/list_power.hpp"
#include "power/rail_selection.hpp"
#include "source_poll.hpp"
#include "temp_tree.hpp"
#include "unprivileged.hpp"

namespace layer_energy::power {
namespace {

using test::add_ina238;
using test::Ina238Files;
using test::Poll;
using test::poll;
using test::TempTree;

const std::string kFixtures = std::string(LAYER_ENERGY_FIXTURES) + "/sysfs/";
// ina238_tree.hpp's defaults: power1_input 19776000 uW; in1_input 19840 mV x curr1_input 997 mA; 2 mOhm shunt.
constexpr double kPower1W = 19.776;
constexpr double kVoltsTimesAmpsW = 19.840 * 0.997;
constexpr std::size_t kVin = 3;  // after the three INA3221 rails of 1-0040: 2-0044 sorts after bus 1

// The Thor-like board with one INA238; file() is the absolute path of one of its files.
class ThorTree {
 public:
  explicit ThorTree(const Ina238Files& files = {}) : tree_(kFixtures + "agx-orin-r36") {
    test::make_thor_like(tree_);
    add_ina238(tree_, files);
    hwmon_ = tree_ / ("/sys/class/hwmon/" + files.hwmon);  // the way discovery reaches it, and messages name it
  }
  const TempTree& tree() const { return tree_; }
  const std::string& root() const { return tree_.path(); }
  std::string file(const std::string& name) const { return hwmon_ + "/" + name; }
  // Overwrites (or creates) one of the INA238's files.
  void write(const std::string& name, const std::string& text) const {
    tree_.write(file(name).substr(tree_.path().size()), text);
  }

 private:
  TempTree tree_;
  std::string hwmon_;
};

std::vector<std::string> rail_names(const PowerSource& source) {
  std::vector<std::string> names;
  for (const auto& rail : source.rails()) names.push_back(rail.name);
  return names;
}

std::vector<bool> totals(const PowerSource& source) {
  std::vector<bool> flags;
  for (const auto& rail : source.rails()) flags.push_back(rail.default_total);
  return flags;
}

void expect_one_failure(const Poll& p, std::size_t rail, std::size_t rails, const std::string& file,
                        const std::string& why_part) {
  ASSERT_EQ(p.failures.size(), 1u);
  EXPECT_EQ(p.failures[0].rail, rail);
  EXPECT_NE(p.failures[0].why.find(file), std::string::npos) << p.failures[0].why;
  EXPECT_NE(p.failures[0].why.find(why_part), std::string::npos) << p.failures[0].why;
  EXPECT_EQ(p.failures[0].why.find('\n'), std::string::npos) << "one line";
  EXPECT_EQ(p.readings.size(), rails - 1);
}

// --- Discovery ---

TEST(Ina238Discovery, UnlabelledIsVinAndTheDefaultTotalAlone) {
  ThorTree thor;
  auto source = make_jetson_source(thor.root());
  ASSERT_EQ(source->unusable_reason(), "");
  EXPECT_EQ(source->board(), "NVIDIA Jetson AGX Thor Developer Kit");
  EXPECT_EQ(rail_names(*source), (std::vector<std::string>{"VDD_GPU", "VDD_CPU_SOC_MSS", "VIN_SYS_5V0", "VIN"}));
  EXPECT_EQ(totals(*source), (std::vector<bool>{false, false, false, true}));
  EXPECT_EQ(select_rails(source->rails(), ""), (std::vector<std::size_t>{kVin}));  // never added to what it contains
  EXPECT_TRUE(source->rails()[kVin].whole_module);
  EXPECT_EQ(source->context()["jetson_sensors"], "1-0040,2-0044");  // the i2c link named ina238 is not an INA3221

  const Poll p = poll(*source);
  EXPECT_TRUE(p.failures.empty()) << p.failures.front().why;
  ASSERT_EQ(p.readings.size(), 4u);
  EXPECT_EQ(p.readings[kVin].rail, kVin);
  EXPECT_NEAR(p.readings[kVin].value, kPower1W, 1e-9);  // the chip's power register, not V x I
  // power1_input's step: 0.2 x the driver's current step, 20000 / 2000 uOhm = 10 mA.
  EXPECT_NEAR(source->rails()[kVin].resolution, 0.2 * 0.010, 1e-12);
}

TEST(Ina238Discovery, LabelNamesTheRailWhichStaysTheTotal) {
  for (const char* label_file : {"power1_label", "curr1_label", "in1_label"}) {
    SCOPED_TRACE(label_file);
    Ina238Files files;
    files.label_file = label_file;
    files.label = " SYS_VIN ";
    ThorTree thor(files);
    auto source = make_jetson_source(thor.root());
    ASSERT_EQ(source->unusable_reason(), "");
    EXPECT_EQ(rail_names(*source), (std::vector<std::string>{"VDD_GPU", "VDD_CPU_SOC_MSS", "VIN_SYS_5V0", "SYS_VIN"}));
    EXPECT_EQ(totals(*source), (std::vector<bool>{false, false, false, true}));
  }
}

TEST(Ina238Discovery, NotConnectedLabelIsNoRail) {
  Ina238Files files;
  files.label_file = "in1_label";
  files.label = "NC";
  ThorTree thor(files);
  auto source = make_jetson_source(thor.root());
  EXPECT_EQ(rail_names(*source), (std::vector<std::string>{"VDD_GPU", "VDD_CPU_SOC_MSS", "VIN_SYS_5V0"}));
  EXPECT_EQ(totals(*source), (std::vector<bool>{true, true, true}));  // no module rail: the sum, as before
}

TEST(Ina238Discovery, WithoutPower1InputReadsVoltageTimesCurrent) {
  Ina238Files files;
  files.power_file = false;
  ThorTree thor(files);
  auto source = make_jetson_source(thor.root());
  ASSERT_EQ(source->unusable_reason(), "");
  const Poll p = poll(*source);
  ASSERT_EQ(p.readings.size(), 4u);
  EXPECT_NEAR(p.readings[kVin].value, kVoltsTimesAmpsW, 1e-9);
  EXPECT_TRUE(source->rails()[kVin].default_total);
  // V·ΔI + I·ΔV: 19.84 V x 10 mA + 0.997 A x 3.125 mV.
  EXPECT_NEAR(source->rails()[kVin].resolution, 19.84 * 0.010 + 0.997 * 0.003125, 1e-12);
}

TEST(Ina238Discovery, UnreadablePower1InputReadsVoltageTimesCurrent) {
  Ina238Files files;
  files.power_uw = "garbage";
  ThorTree thor(files);
  const Poll p = poll(*make_jetson_source(thor.root()));
  ASSERT_EQ(p.readings.size(), 4u);
  EXPECT_NEAR(p.readings[kVin].value, kVoltsTimesAmpsW, 1e-9);
}

TEST(Ina238Discovery, SeveralIna238sAreNamedByDeviceAndNoneIsAssumedTheInput) {
  ThorTree thor;
  Ina238Files second;
  second.address = "0045";
  second.hwmon = "hwmon5";
  add_ina238(thor.tree(), second);
  auto source = make_jetson_source(thor.root());
  EXPECT_EQ(rail_names(*source),
            (std::vector<std::string>{"VDD_GPU", "VDD_CPU_SOC_MSS", "VIN_SYS_5V0", "INA238_2-0044", "INA238_2-0045"}));
  for (const auto& rail : source->rails()) EXPECT_FALSE(rail.whole_module) << rail.name;
}

TEST(Ina238Discovery, AnIna238WithoutAnyIna3221IsNotAJetson) {
  // Network switches and servers carry INA238s too: alone they do not make a Jetson.
  TempTree tree(kFixtures + "nano-r32");
  ASSERT_EQ(::unlink((tree / "/sys/bus/i2c/devices/6-0040").c_str()), 0);
  add_ina238(tree);
  auto source = make_jetson_source(tree.path());
  EXPECT_NE(source->unusable_reason().find("no INA3221"), std::string::npos) << source->unusable_reason();
  EXPECT_TRUE(source->rails().empty());
}

TEST(Ina238Discovery, BoardWithoutIna238IsUnchanged) {
  // Other hwmon chips in sys/class/hwmon (a temperature sensor here) are not power rails.
  TempTree tree(kFixtures + "agx-orin-r36");
  tree.make_directory("/sys/devices/virtual/hwmon/hwmon0");
  tree.write("/sys/devices/virtual/hwmon/hwmon0/name", "tmp451\n");
  tree.write("/sys/devices/virtual/hwmon/hwmon0/power1_input", "1000\n");
  tree.make_directory("/sys/class/hwmon");
  tree.link("../../devices/virtual/hwmon/hwmon0", "/sys/class/hwmon/hwmon0");
  auto changed = make_jetson_source(tree.path());
  auto pristine = make_jetson_source(kFixtures + "agx-orin-r36");
  EXPECT_EQ(rail_names(*changed), rail_names(*pristine));
  EXPECT_EQ(totals(*changed), (std::vector<bool>{true, true, true, true}));
  EXPECT_EQ(changed->context(), pristine->context());
  EXPECT_DOUBLE_EQ(changed->update_period_s(), pristine->update_period_s());
}

// --- Update period ---

TEST(Ina238Period, WithoutUpdateIntervalTheDriversDefaultIsNominal) {
  ThorTree thor;
  auto source = make_jetson_source(thor.root());
  EXPECT_NEAR(source->update_period_s(), 16 * 3 * 0.001052, 1e-12);  // slower than the INA3221's 26 ms
  EXPECT_EQ(source->context()["jetson_update_interval_ms"],
            "1-0040:26,2-0044:50.496 (nominal: ina238 driver default configuration)");
}

TEST(Ina238Period, UpdateIntervalIsRead) {
  ThorTree thor;
  thor.write("update_interval", "26\n");
  auto source = make_jetson_source(thor.root());
  EXPECT_DOUBLE_EQ(source->update_period_s(), 0.026);
  EXPECT_EQ(source->context()["jetson_update_interval_ms"], "26");
}

// --- Read failures: named file and value, the other rails go on ---

TEST(Ina238Bounds, BadPower1InputIsAFailureNamingFileAndValue) {
  ThorTree thor;
  auto source = make_jetson_source(thor.root());
  const std::string file = thor.file("power1_input");
  thor.write("power1_input", "abc\n");
  expect_one_failure(poll(*source), kVin, 4, file, "not an integer");
  thor.write("power1_input", "-5\n");  // the power register is unsigned
  expect_one_failure(poll(*source), kVin, 4, file, "power -5 uW is outside what an INA238 can report (0..");
  thor.write("power1_input", "900000000000\n");  // 900 kW
  expect_one_failure(poll(*source), kVin, 4, file, "900000000000 uW");
  thor.write("power1_input", "60000000\n");  // 60 W is a reading
  EXPECT_TRUE(poll(*source).failures.empty());
}

TEST(Ina238Bounds, BusVoltageAndCurrentOutsideTheChipsRangeAreFailures) {
  Ina238Files files;
  files.power_file = false;
  ThorTree thor(files);
  auto source = make_jetson_source(thor.root());
  const std::string bus = thor.file("in1_input");
  const std::string current = thor.file("curr1_input");
  const auto write = [&](const std::string& path, const char* text) {
    thor.write(path.substr(path.rfind('/') + 1), text);
  };
  write(bus, "95000\n");
  expect_one_failure(poll(*source), kVin, 4, bus,
                     "bus voltage 95000 mV is outside what an INA238 can report (-100..93500 mV)");
  write(bus, "85000\n");  // the chip's 85 V maximum is still a reading
  EXPECT_TRUE(poll(*source).failures.empty());
  write(bus, "19840\n");
  write(current, "100000\n");  // 100 A: beyond 163.84 mV across 2 mOhm (82 A)
  expect_one_failure(poll(*source), kVin, 4, current, "current 100000 mA is outside what an INA238 can report");
  write(current, "-500\n");  // current flows into the module only
  expect_one_failure(poll(*source), kVin, 4, current, "-500 mA");
  write(current, "-20\n");  // two of the driver's 10 mA steps below zero: an offset, still a reading
  EXPECT_TRUE(poll(*source).failures.empty());
}

TEST(Ina238Bounds, FileThatDisappearsIsAGapAndComesBack) {
  ThorTree thor;
  auto source = make_jetson_source(thor.root());
  const std::string file = thor.file("power1_input");
  ASSERT_EQ(::unlink(file.c_str()), 0);
  expect_one_failure(poll(*source), kVin, 4, file, "No such file");
  thor.write("power1_input", "20000000\n");
  const Poll back = poll(*source);
  EXPECT_TRUE(back.failures.empty());
  ASSERT_EQ(back.readings.size(), 4u);
  EXPECT_NEAR(back.readings[kVin].value, 20.0, 1e-12);
}

TEST(Ina238RootOnly, PollFailureNamesTheFix) {
  ThorTree thor;
  ASSERT_EQ(::chmod(thor.root().c_str(), 0755), 0);  // mkdtemp's 0700 would hide the whole tree from "nobody"
  auto source = make_jetson_source(thor.root());     // discovered while power1_input was readable
  ASSERT_EQ(source->unusable_reason(), "");
  const std::string file = thor.file("power1_input");
  test::make_root_only(file);
  const std::string why = test::as_unprivileged([&] {
    const Poll p = poll(*source);
    return p.failures.size() == 1 && p.readings.size() == 3 ? p.failures[0].why : std::string("unexpected poll");
  });
  if (why.empty()) GTEST_SKIP() << "cannot drop to an unprivileged user here";
  EXPECT_NE(why.find(file + ": Permission denied"), std::string::npos) << why;
  EXPECT_NE(why.find("run as root"), std::string::npos) << why;
  EXPECT_NE(why.find("ATTR{name}==\"ina238\""), std::string::npos) << why;
  EXPECT_NE(why.find("chmod o+r /sys%p/in*_input /sys%p/curr*_input /sys%p/power*_input"), std::string::npos) << why;
  EXPECT_EQ(why.find('\n'), std::string::npos) << why;
}

TEST(Ina238RootOnly, RootOnlyPower1InputWhenDiscoveredReadsVoltageTimesCurrent) {
  ThorTree thor;
  ASSERT_EQ(::chmod(thor.root().c_str(), 0755), 0);
  test::make_root_only(thor.file("power1_input"));
  const std::string value = test::as_unprivileged([&] {
    auto source = make_jetson_source(thor.root());
    const Poll p = poll(*source);
    return p.failures.empty() && p.readings.size() == 4 ? std::to_string(p.readings[kVin].value) : "failed";
  });
  if (value.empty()) GTEST_SKIP() << "cannot drop to an unprivileged user here";
  EXPECT_EQ(value, std::to_string(kVoltsTimesAmpsW));
}

TEST(Ina238RootOnly, VoltageRootOnlyNamesTheFix) {
  Ina238Files files;
  files.power_file = false;
  ThorTree thor(files);
  ASSERT_EQ(::chmod(thor.root().c_str(), 0755), 0);
  const std::string file = thor.file("in1_input");
  test::make_root_only(file);
  const std::string why = test::as_unprivileged([&] {
    auto source = make_jetson_source(thor.root());
    if (!source->unusable_reason().empty()) return "unusable: " + source->unusable_reason();
    const Poll p = poll(*source);
    return p.failures.size() == 1 && p.readings.size() == 3 ? p.failures[0].why : std::string("unexpected poll");
  });
  if (why.empty()) GTEST_SKIP() << "cannot drop to an unprivileged user here";
  EXPECT_NE(why.find(file + ": Permission denied"), std::string::npos) << why;
  EXPECT_NE(why.find("run as root"), std::string::npos) << why;
  EXPECT_NE(why.find("ATTR{name}==\"ina238\""), std::string::npos) << why;
  EXPECT_NE(why.find("/sys%p/power*_input"), std::string::npos) << why;
  EXPECT_EQ(why.find('\n'), std::string::npos) << why;
}

// --- --list_power ---

TEST(Ina238ListPower, ShowsVinAsTheOnlyTotal) {
  ThorTree thor;
  SourceOptions options;
  options.sysfs_root = thor.root();
  std::ostringstream out;
  std::ostringstream err;
  ASSERT_EQ(list_power("jetson", options, out, err), 0) << err.str();
  // Constant fixture values cannot be timed: the period is the source's stated one, the INA238's nominal 50.496 ms.
  EXPECT_EQ(out.str(),
            "jetson VDD_GPU W power 0.050496 no\n"
            "jetson VDD_CPU_SOC_MSS W power 0.050496 no\n"
            "jetson VIN_SYS_5V0 W power 0.050496 no\n"
            "jetson VIN W power 0.050496 yes\n");
}

}  // namespace
}  // namespace layer_energy::power
