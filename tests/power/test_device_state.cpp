// GPU/board state per measurement window: the Jetson devfreq/thermal reader against fixture trees (and broken or
// changing copies of them), the NVML reader against the scripted fake libnvidia-ml, the fallback that says why
// nothing is readable, and the window summary's throttle rule.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <stdlib.h>  // mkdtemp
#include <unistd.h>  // rmdir

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <map>
#include <ostream>
#include <stdexcept>
#include <string>

#include "power/device_state.hpp"
#include "temp_tree.hpp"

namespace layer_energy::power {
namespace {

using test::TempTree;

const std::string kFixtures = std::string(LAYER_ENERGY_FIXTURES) + "/sysfs/";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr const char* kAbsentNvml = "/nonexistent/libnvidia-ml.so.1";

// An empty directory used as the sysfs root: no devfreq, no thermal zones, whatever the host has.
class EmptyRoot {
 public:
  EmptyRoot() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/layer-energy-empty-XXXXXX";
    if (!::mkdtemp(&pattern[0])) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~EmptyRoot() { ::rmdir(path_.c_str()); }
  EmptyRoot(const EmptyRoot&) = delete;
  EmptyRoot& operator=(const EmptyRoot&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string value_or(const std::map<std::string, std::string>& map, const std::string& key,
                     const std::string& fallback = "<absent>") {
  const auto it = map.find(key);
  return it == map.end() ? fallback : it->second;
}

bool mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

DeviceState state(double clock_mhz, double temp_c) {
  DeviceState s;
  s.gpu_clock_mhz = clock_mhz;
  s.temp_c = temp_c;
  return s;
}

// ---- summarize: the throttle rule ----

TEST(Summarize, SteadyClockAtMaximumIsNotThrottled) {
  const WindowState w = summarize(state(1300.5, 43.9), state(1300.5, 47.25), 1300.5);
  EXPECT_DOUBLE_EQ(w.gpu_clock_mhz, 1300.5);
  EXPECT_DOUBLE_EQ(w.temp_c, 47.25);  // the maximum, not the mean
  EXPECT_EQ(w.throttled, 0.0);
}

TEST(Summarize, ClockMovedMoreThanOnePercentIsThrottled) {
  const WindowState w = summarize(state(1980, 60), state(1935, 61), 1980);  // 2.3% lower, above 75% of max
  EXPECT_DOUBLE_EQ(w.gpu_clock_mhz, 0.5 * (1980 + 1935));
  EXPECT_EQ(w.throttled, 1.0);
  EXPECT_EQ(summarize(state(1935, 60), state(1980, 61), 1980).throttled, 1.0);  // up counts too
}

TEST(Summarize, ClockMovedWithinOnePercentIsNot) {
  EXPECT_EQ(summarize(state(1980, 60), state(1965, 60), 1980).throttled, 0.0);  // 0.76%
}

TEST(Summarize, SteadyClockBelowThreeQuartersOfMaximumIsThrottled) {
  EXPECT_EQ(summarize(state(900, 50), state(900, 50), 1300.5).throttled, 1.0);    // 69% of max
  EXPECT_EQ(summarize(state(1000, 50), state(1000, 50), 1300.5).throttled, 0.0);  // 77% of max
}

TEST(Summarize, UnknownMaximumJudgesMovementOnly) {
  EXPECT_EQ(summarize(state(500, 50), state(500, 50), kNaN).throttled, 0.0);
  EXPECT_EQ(summarize(state(500, 50), state(500, 50), 0.0).throttled, 0.0);
  EXPECT_EQ(summarize(state(500, 50), state(400, 50), kNaN).throttled, 1.0);
}

TEST(Summarize, NoClockGivesNaNClockAndThrottled) {
  const WindowState w = summarize(state(kNaN, 40), state(kNaN, 42), 1980);
  EXPECT_TRUE(std::isnan(w.gpu_clock_mhz));
  EXPECT_TRUE(std::isnan(w.throttled));
  EXPECT_DOUBLE_EQ(w.temp_c, 42);
  const WindowState nothing = summarize(DeviceState{}, DeviceState{}, kNaN);
  EXPECT_TRUE(std::isnan(nothing.gpu_clock_mhz));
  EXPECT_TRUE(std::isnan(nothing.temp_c));
  EXPECT_TRUE(std::isnan(nothing.throttled));
}

TEST(Summarize, OneEdgeClockMissingUsesTheOther) {
  const WindowState w = summarize(state(kNaN, kNaN), state(1800, 55), 1980);
  EXPECT_DOUBLE_EQ(w.gpu_clock_mhz, 1800);
  EXPECT_DOUBLE_EQ(w.temp_c, 55);
  EXPECT_EQ(w.throttled, 0.0);
  EXPECT_EQ(summarize(state(1000, kNaN), state(kNaN, kNaN), 1980).throttled, 1.0);  // 51% of max
}

// ---- Jetson: devfreq + thermal zones from fixture trees ----

struct JetsonCase {
  std::string dir;
  std::string node;
  double clock_mhz;      // cur_freq / 1e6
  double max_clock_mhz;  // max_freq / 1e6
  std::string max_text;
  double temp_c;  // GPU zone temp / 1000
  std::string zone;
  std::string nvpmodel_status;  // "<absent>" where the tree has none
  std::string nvpmodel_mode;
};

// Expected values read by hand from the fixture files.
const JetsonCase kJetsons[] = {
    {"agx-orin-r36", "17000000.ga10b", 1300.5, 1300.5, "1300.5", 43.906, "thermal_zone1 (gpu-thermal)", "pmode:0000",
     "MAXN"},
    {"orin-nano-r36", "17000000.gpu", 510.0, 624.75, "624.75", 39.875, "thermal_zone1 (gpu-thermal)", "<absent>",
     "<absent>"},
    {"xavier-nx-r32", "17000000.gv11b", 1109.25, 1109.25, "1109.25", 41.5, "thermal_zone2 (GPU-therm)", "pmode:0002",
     "<absent>"},
};

// gtest prints a failing parameter with this instead of its bytes.
void PrintTo(const JetsonCase& c, std::ostream* os) {
  *os << c.dir;
}

class JetsonBoard : public ::testing::TestWithParam<JetsonCase> {};

TEST_P(JetsonBoard, ReadsClockTemperatureAndContext) {
  const JetsonCase& c = GetParam();
  // The fake NVML is present and working: a Jetson's devfreq node still wins.
  auto reader = make_device_state_reader(kFixtures + c.dir, "", FAKE_NVML_PATH);
  ASSERT_EQ(reader->description(), "jetson devfreq");
  const DeviceState s = reader->read();
  EXPECT_NEAR(s.gpu_clock_mhz, c.clock_mhz, 1e-9);
  EXPECT_NEAR(s.temp_c, c.temp_c, 1e-9);
  EXPECT_NEAR(reader->max_clock_mhz(), c.max_clock_mhz, 1e-9);

  const auto context = reader->context();
  EXPECT_EQ(value_or(context, "gpu_devfreq_node"), c.node);
  EXPECT_EQ(value_or(context, "gpu_devfreq_governor"), "nvhost_podgov");
  EXPECT_EQ(value_or(context, "gpu_max_clock_MHz"), c.max_text);
  EXPECT_EQ(value_or(context, "gpu_thermal_zone"), c.zone);
  EXPECT_EQ(value_or(context, "gpu_clock_pinned"), "no");
  EXPECT_EQ(value_or(context, "jetson_clocks"), "unknown");
  EXPECT_EQ(value_or(context, "nvpmodel_status"), c.nvpmodel_status);
  EXPECT_EQ(value_or(context, "nvpmodel_mode"), c.nvpmodel_mode);
}

std::string board_name(const ::testing::TestParamInfo<JetsonCase>& param) {
  std::string name = param.param.dir;
  for (char& ch : name) {
    if (ch == '-') ch = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, JetsonBoard, ::testing::ValuesIn(kJetsons), board_name);

const std::string kOrinFreq = "/sys/class/devfreq/17000000.ga10b/cur_freq";
const std::string kOrinGpuTemp = "/sys/class/thermal/thermal_zone1/temp";

TEST(JetsonState, ClockChangedBetweenEdgesIsThrottled) {
  TempTree tree(kFixtures + "agx-orin-r36");
  auto reader = make_device_state_reader(tree.path(), "", kAbsentNvml);
  ASSERT_EQ(reader->description(), "jetson devfreq");
  const DeviceState begin = reader->read();
  tree.write(kOrinFreq, "1224000000\n");  // the governor stepped down one notch mid-window
  const DeviceState end = reader->read();
  EXPECT_DOUBLE_EQ(begin.gpu_clock_mhz, 1300.5);
  EXPECT_DOUBLE_EQ(end.gpu_clock_mhz, 1224.0);
  const WindowState w = summarize(begin, end, reader->max_clock_mhz());
  EXPECT_EQ(w.throttled, 1.0);
  EXPECT_DOUBLE_EQ(w.gpu_clock_mhz, 0.5 * (1300.5 + 1224.0));
}

TEST(JetsonState, SteadyClockAtMaximumIsNotThrottled) {
  TempTree tree(kFixtures + "agx-orin-r36");
  auto reader = make_device_state_reader(tree.path(), "", kAbsentNvml);
  const DeviceState begin = reader->read();
  tree.write(kOrinGpuTemp, "48031\n");
  const DeviceState end = reader->read();
  const WindowState w = summarize(begin, end, reader->max_clock_mhz());
  EXPECT_EQ(w.throttled, 0.0);
  EXPECT_DOUBLE_EQ(w.gpu_clock_mhz, 1300.5);
  EXPECT_DOUBLE_EQ(w.temp_c, 48.031);
}

TEST(JetsonState, SteadyClockBelowThreeQuartersOfMaximumIsThrottled) {
  TempTree tree(kFixtures + "agx-orin-r36");
  tree.write(kOrinFreq, "918000000\n");  // 70.6% of 1300.5 MHz
  auto reader = make_device_state_reader(tree.path(), "", kAbsentNvml);
  const WindowState w = summarize(reader->read(), reader->read(), reader->max_clock_mhz());
  EXPECT_DOUBLE_EQ(w.gpu_clock_mhz, 918.0);
  EXPECT_EQ(w.throttled, 1.0);
}

TEST(JetsonState, PinnedClocksAreReported) {
  TempTree tree(kFixtures + "orin-nano-r36");
  tree.write("/sys/class/devfreq/17000000.gpu/min_freq", "624750000\n");
  auto reader = make_device_state_reader(tree.path(), "", kAbsentNvml);
  const auto context = reader->context();
  EXPECT_EQ(value_or(context, "gpu_clock_pinned"), "yes");
  EXPECT_EQ(value_or(context, "gpu_min_clock_MHz"), "624.75");
}

TEST(JetsonState, UnreadableClockAndDisabledSensorAreNaN) {
  TempTree tree(kFixtures + "agx-orin-r36");
  auto reader = make_device_state_reader(tree.path(), "", kAbsentNvml);
  tree.write(kOrinFreq, "garbage\n");
  tree.write(kOrinGpuTemp, "-256000\n");  // what a powered-down Tegra sensor reads
  const DeviceState s = reader->read();
  EXPECT_TRUE(std::isnan(s.gpu_clock_mhz));
  EXPECT_TRUE(std::isnan(s.temp_c));
  EXPECT_TRUE(std::isnan(summarize(s, s, reader->max_clock_mhz()).throttled));
}

TEST(JetsonState, NoGpuThermalZoneLeavesTemperatureNaN) {
  TempTree tree(kFixtures + "xavier-nx-r32");
  tree.write("/sys/class/thermal/thermal_zone2/type", "BCPU-therm\n");  // no zone's type starts with "gpu" now
  auto reader = make_device_state_reader(tree.path(), "", kAbsentNvml);
  ASSERT_EQ(reader->description(), "jetson devfreq");
  const DeviceState s = reader->read();
  EXPECT_DOUBLE_EQ(s.gpu_clock_mhz, 1109.25);
  EXPECT_TRUE(std::isnan(s.temp_c));
  EXPECT_EQ(value_or(reader->context(), "gpu_thermal_zone"), "<absent>");
}

TEST(JetsonState, NodeFoundByDeviceTreeNameWhenItsNameIsUnknown) {
  TempTree tree(kFixtures + "orin-nano-r36");
  const std::string dir = tree / "/sys/class/devfreq";
  const std::string cmd = "cd '" + dir + "' && mkdir -p 17000000.xb10z/device/of_node && " +
                          "printf 'gpu\\0' > 17000000.xb10z/device/of_node/name && " +
                          "printf '777000000\\n' > 17000000.xb10z/cur_freq && rm 17000000.gpu";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  auto reader = make_device_state_reader(tree.path(), "", kAbsentNvml);
  ASSERT_EQ(reader->description(), "jetson devfreq");
  EXPECT_EQ(value_or(reader->context(), "gpu_devfreq_node"), "17000000.xb10z");
  EXPECT_DOUBLE_EQ(reader->read().gpu_clock_mhz, 777.0);
  EXPECT_TRUE(std::isnan(reader->max_clock_mhz()));  // no max_freq, no available_frequencies
}

TEST(JetsonState, OtherDevfreqNodesAreNotTheGpu) {
  TempTree tree(kFixtures + "agx-orin-r36");
  ASSERT_EQ(std::system(("rm '" + (tree / "/sys/class/devfreq/17000000.ga10b") + "'").c_str()), 0);
  // Only 15340000.vic remains: not a GPU, so no Jetson reader; with no NVML either, none.
  auto reader = make_device_state_reader(tree.path(), "", kAbsentNvml);
  EXPECT_EQ(reader->description().rfind("none (", 0), 0u) << reader->description();
}

TEST(JetsonState, ReadIsCheap) {
  auto reader = make_device_state_reader(kFixtures + "agx-orin-r36", "", kAbsentNvml);
  constexpr int kReads = 200;
  const auto t0 = std::chrono::steady_clock::now();
  double sum = 0.0;
  for (int i = 0; i < kReads; ++i) sum += reader->read().gpu_clock_mhz;
  const double per_read_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / kReads;
  EXPECT_DOUBLE_EQ(sum, kReads * 1300.5);
  EXPECT_LT(per_read_s, 1e-3);
}

// ---- NVML through the fake library ----

class NvmlState : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* key :
         {"FAKE_NVML_MODE", "FAKE_NVML_COUNT", "FAKE_NVML_NAME", "FAKE_NVML_CLOCK_MHZ", "FAKE_NVML_MAX_CLOCK_MHZ",
          "FAKE_NVML_TEMP_C", "FAKE_NVML_FAIL_AFTER", "LAYER_ENERGY_NVML_LIBRARY"}) {
      unsetenv(key);
    }
  }
  void TearDown() override { SetUp(); }

  EmptyRoot root_;
};

TEST_F(NvmlState, ReadsSmClockTemperatureAndMaximum) {
  setenv("FAKE_NVML_CLOCK_MHZ", "1410", 1);
  setenv("FAKE_NVML_TEMP_C", "61", 1);
  setenv("FAKE_NVML_MAX_CLOCK_MHZ", "1755", 1);
  auto reader = make_device_state_reader(root_.path(), "", FAKE_NVML_PATH);
  ASSERT_EQ(reader->description(), "nvml");
  const DeviceState s = reader->read();
  EXPECT_DOUBLE_EQ(s.gpu_clock_mhz, 1410.0);
  EXPECT_DOUBLE_EQ(s.temp_c, 61.0);
  EXPECT_DOUBLE_EQ(reader->max_clock_mhz(), 1755.0);
  EXPECT_EQ(value_or(reader->context(), "gpu_max_clock_MHz"), "1755");
}

TEST_F(NvmlState, DefaultsOfTheFake) {
  auto reader = make_device_state_reader(root_.path(), "", FAKE_NVML_PATH);
  ASSERT_EQ(reader->description(), "nvml");
  const DeviceState s = reader->read();
  EXPECT_DOUBLE_EQ(s.gpu_clock_mhz, 1755.0);  // the SM clock, not the memory clock (2619)
  EXPECT_DOUBLE_EQ(s.temp_c, 45.0);
  EXPECT_DOUBLE_EQ(reader->max_clock_mhz(), 1980.0);
}

TEST_F(NvmlState, ClockDropAcrossTheWindowIsThrottled) {
  setenv("FAKE_NVML_CLOCK_MHZ", "1980,1980,1500", 1);  // construction probe, begin edge, end edge
  setenv("FAKE_NVML_MAX_CLOCK_MHZ", "1980", 1);
  auto reader = make_device_state_reader(root_.path(), "", FAKE_NVML_PATH);
  ASSERT_EQ(reader->description(), "nvml");
  const DeviceState begin = reader->read();
  const DeviceState end = reader->read();
  EXPECT_DOUBLE_EQ(begin.gpu_clock_mhz, 1980.0);
  EXPECT_DOUBLE_EQ(end.gpu_clock_mhz, 1500.0);
  EXPECT_EQ(summarize(begin, end, reader->max_clock_mhz()).throttled, 1.0);
  const DeviceState later = reader->read();                                             // the last value repeats
  EXPECT_EQ(summarize(later, reader->read(), reader->max_clock_mhz()).throttled, 0.0);  // 1500 >= 0.75 * 1980
}

TEST_F(NvmlState, SelectsByPciBusIdOrIndex) {
  setenv("FAKE_NVML_COUNT", "2", 1);
  EXPECT_EQ(make_device_state_reader(root_.path(), "00000000:02:00.0", FAKE_NVML_PATH)->description(), "nvml");
  EXPECT_EQ(make_device_state_reader(root_.path(), "1", FAKE_NVML_PATH)->description(), "nvml");

  const std::string bad_bus = make_device_state_reader(root_.path(), "00000000:09:00.0", FAKE_NVML_PATH)->description();
  EXPECT_TRUE(mentions(bad_bus, "no GPU with PCI bus id 00000000:09:00.0")) << bad_bus;
  const std::string bad_index = make_device_state_reader(root_.path(), "5", FAKE_NVML_PATH)->description();
  EXPECT_TRUE(mentions(bad_index, "no GPU with index 5 (2 found)")) << bad_index;
}

TEST_F(NvmlState, NoClockSupportFallsBackToNoneWithReason) {
  setenv("FAKE_NVML_MODE", "no_clock", 1);
  auto reader = make_device_state_reader(root_.path(), "", FAKE_NVML_PATH);
  const std::string d = reader->description();
  EXPECT_EQ(d.rfind("none (", 0), 0u) << d;
  EXPECT_TRUE(mentions(d, "no SM clock (Not Supported)")) << d;
  EXPECT_TRUE(std::isnan(reader->read().gpu_clock_mhz));
}

TEST_F(NvmlState, LibraryFromEnvironmentWhenNoneGiven) {
  setenv("LAYER_ENERGY_NVML_LIBRARY", FAKE_NVML_PATH, 1);
  EXPECT_EQ(make_device_state_reader(root_.path(), "")->description(), "nvml");
}

TEST_F(NvmlState, ShutsDownWhatItInitialised) {
  void* handle = dlopen(FAKE_NVML_PATH, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << dlerror();
  auto init_count = reinterpret_cast<int (*)()>(dlsym(handle, "fake_nvml_init_count"));
  ASSERT_NE(init_count, nullptr);
  {
    auto reader = make_device_state_reader(root_.path(), "", FAKE_NVML_PATH);
    ASSERT_EQ(reader->description(), "nvml");
    EXPECT_EQ(init_count(), 1);
  }
  EXPECT_EQ(init_count(), 0);
  setenv("FAKE_NVML_MODE", "no_clock", 1);  // a failed probe must shut down too
  EXPECT_EQ(make_device_state_reader(root_.path(), "", FAKE_NVML_PATH)->description().rfind("none (", 0), 0u);
  EXPECT_EQ(init_count(), 0);
  dlclose(handle);
}

// ---- nothing readable ----

TEST_F(NvmlState, NothingAvailableReadsNaNAndSaysWhy) {
  auto reader = make_device_state_reader(root_.path(), "", kAbsentNvml);
  const std::string d = reader->description();
  EXPECT_EQ(d.rfind("none (", 0), 0u) << d;
  EXPECT_TRUE(mentions(d, "no GPU devfreq node in " + root_.path() + "/sys/class/devfreq")) << d;
  EXPECT_TRUE(mentions(d, std::string("cannot load ") + kAbsentNvml)) << d;
  EXPECT_EQ(d.find('\n'), std::string::npos);
  const DeviceState s = reader->read();
  EXPECT_TRUE(std::isnan(s.gpu_clock_mhz));
  EXPECT_TRUE(std::isnan(s.temp_c));
  EXPECT_TRUE(std::isnan(reader->max_clock_mhz()));
  EXPECT_TRUE(reader->context().empty());
  const WindowState w = summarize(s, reader->read(), reader->max_clock_mhz());
  EXPECT_TRUE(std::isnan(w.gpu_clock_mhz));
  EXPECT_TRUE(std::isnan(w.temp_c));
  EXPECT_TRUE(std::isnan(w.throttled));
}

}  // namespace
}  // namespace layer_energy::power
