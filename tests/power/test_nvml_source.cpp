// The NVML source against a scripted fake libnvidia-ml (tests/power/nvml_fake) and against libraries that are absent
// or are not NVML at all.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "power/device_state.hpp"
#include "power/nvml_device.hpp"
#include "power/nvml_source.hpp"
#include "source_poll.hpp"

namespace layer_energy::power {
namespace {

using test::Poll;
using test::poll;

class NvmlSourceTest : public ::testing::Test {
 protected:
  // Every test scripts the fake from a clean environment; the fake re-reads it at nvmlInit_v2.
  void SetUp() override {
    for (const char* key :
         {"FAKE_NVML_MODE", "FAKE_NVML_COUNT", "FAKE_NVML_NAME", "FAKE_NVML_ENERGY_MJ", "FAKE_NVML_STEP_MJ",
          "FAKE_NVML_POWER_MW", "FAKE_NVML_FAIL_AFTER", "LAYER_ENERGY_NVML_LIBRARY"}) {
      unsetenv(key);
    }
  }
  void TearDown() override { SetUp(); }

  static std::unique_ptr<PowerSource> fake(const std::string& mode = "ok", NvmlOptions options = {}) {
    setenv("FAKE_NVML_MODE", mode.c_str(), 1);
    options.library = FAKE_NVML_PATH;
    return make_nvml_source(options);
  }
};

bool one_line(const std::string& s) {
  return !s.empty() && s.find('\n') == std::string::npos;
}

TEST_F(NvmlSourceTest, AbsentLibraryIsUnusableWithReason) {
  NvmlOptions options;
  options.library = "/nonexistent/libnvidia-ml.so.1";
  auto source = make_nvml_source(options);
  EXPECT_EQ(source->name(), "nvml");
  EXPECT_NE(source->unusable_reason().find("cannot load /nonexistent/libnvidia-ml.so.1"), std::string::npos)
      << source->unusable_reason();
  EXPECT_TRUE(one_line(source->unusable_reason()));
  EXPECT_TRUE(source->rails().empty());
  Poll p = poll(*source, true);  // harmless on an unusable source
  EXPECT_TRUE(p.readings.empty());
}

TEST_F(NvmlSourceTest, DefaultLibraryEitherWorksOrSaysWhy) {
  EXPECT_EQ(nvml_library_path({}), "libnvidia-ml.so.1");
  auto source = make_nvml_source({});
  const std::string why = source->unusable_reason();
  if (why.empty()) {
    // A machine with the NVIDIA driver (the GPU machine): the real library gives at least one rail.
    EXPECT_FALSE(source->rails().empty());
    EXPECT_FALSE(source->board().empty());
  } else {
    EXPECT_TRUE(one_line(why)) << why;
    EXPECT_EQ(why.rfind("nvml: ", 0), 0u) << why;
    if (why.find("cannot load") != std::string::npos) {
      EXPECT_NE(why.find("no NVIDIA driver here"), std::string::npos) << why;
    }
  }
}

TEST_F(NvmlSourceTest, LibraryPathFromEnvironment) {
  setenv("LAYER_ENERGY_NVML_LIBRARY", FAKE_NVML_PATH, 1);
  EXPECT_EQ(nvml_library_path({}), FAKE_NVML_PATH);
  NvmlOptions explicit_path;
  explicit_path.library = "/elsewhere/libnvidia-ml.so.1";
  EXPECT_EQ(nvml_library_path(explicit_path), "/elsewhere/libnvidia-ml.so.1");
  auto source = make_nvml_source({});
  EXPECT_EQ(source->unusable_reason(), "");
}

TEST_F(NvmlSourceTest, NotAnNvmlLibraryNamesMissingSymbols) {
  NvmlOptions options;
  options.library = "libm.so.6";
  auto source = make_nvml_source(options);
  EXPECT_NE(source->unusable_reason().find("lacks nvmlInit_v2"), std::string::npos) << source->unusable_reason();
  EXPECT_TRUE(one_line(source->unusable_reason()));
}

TEST_F(NvmlSourceTest, EnergyCounterAndPowerRails) {
  setenv("FAKE_NVML_NAME", "NVIDIA H100 80GB HBM3", 1);
  auto source = fake();
  ASSERT_EQ(source->unusable_reason(), "");
  ASSERT_EQ(source->rails().size(), 2u);
  const Rail& gpu = source->rails()[0];
  EXPECT_EQ(gpu.name, "GPU");
  EXPECT_EQ(gpu.quantity, Quantity::energy_j);
  EXPECT_TRUE(gpu.edge_only);
  EXPECT_TRUE(gpu.default_total);
  EXPECT_DOUBLE_EQ(gpu.resolution, 0.001);
  const Rail& power = source->rails()[1];
  EXPECT_EQ(power.name, "GPU_power");
  EXPECT_EQ(power.quantity, Quantity::power_w);
  EXPECT_FALSE(power.edge_only);
  EXPECT_FALSE(power.default_total);
  EXPECT_DOUBLE_EQ(power.resolution, 0.001);
  EXPECT_DOUBLE_EQ(source->update_period_s(), 0.1);
  EXPECT_EQ(source->board(), "NVIDIA H100 80GB HBM3");
  const auto context = source->context();
  EXPECT_EQ(context.at("nvml_gpu"), "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(context.at("nvml_pci_bus_id"), "00000000:01:00.0");
  EXPECT_EQ(context.at("nvml_energy_counter"), "yes");
}

TEST_F(NvmlSourceTest, CounterReadOnlyAtEdges) {
  setenv("FAKE_NVML_ENERGY_MJ", "5000123", 1);
  setenv("FAKE_NVML_STEP_MJ", "1500", 1);
  setenv("FAKE_NVML_POWER_MW", "123456", 1);
  auto source = fake();
  ASSERT_EQ(source->unusable_reason(), "");

  const double before = now_s();
  Poll polled = poll(*source, false);
  ASSERT_TRUE(polled.failures.empty());
  ASSERT_EQ(polled.readings.size(), 1u);
  EXPECT_EQ(polled.readings[0].rail, 1u);
  EXPECT_DOUBLE_EQ(polled.readings[0].value, 123.456);
  EXPECT_GE(polled.readings[0].t_s, before);
  EXPECT_LE(polled.readings[0].t_s, now_s());

  // The construction probe took the counter's first value (5000123 mJ); each read advances it by 1500 mJ.
  Poll edge1 = poll(*source, true);
  Poll edge2 = poll(*source, true);
  ASSERT_TRUE(edge1.failures.empty());
  ASSERT_EQ(edge1.readings.size(), 2u);
  ASSERT_EQ(edge2.readings.size(), 2u);
  const Reading* energy1 = nullptr;
  for (const Reading& r : edge1.readings) {
    if (r.rail == 0) energy1 = &r;
  }
  ASSERT_NE(energy1, nullptr);
  EXPECT_DOUBLE_EQ(energy1->value, 5001.623);
  double energy2 = 0;
  for (const Reading& r : edge2.readings) {
    if (r.rail == 0) energy2 = r.value;
  }
  EXPECT_DOUBLE_EQ(energy2, 5003.123);
  EXPECT_GT(edge2.readings[0].t_s, polled.readings[0].t_s);
}

TEST_F(NvmlSourceTest, JetsonLikeNotSupportedIsUnusable) {
  setenv("FAKE_NVML_NAME", "Orin", 1);
  auto source = fake("not_supported");
  EXPECT_EQ(source->unusable_reason(),
            "nvml: GPU 0 (Orin): power and energy queries NOT_SUPPORTED (on Jetson use --power=jetson)");
  EXPECT_TRUE(source->rails().empty());
}

TEST_F(NvmlSourceTest, InitFailureCarriesErrorString) {
  auto source = fake("init_fails");
  EXPECT_NE(source->unusable_reason().find("nvmlInit failed: Driver Not Loaded"), std::string::npos)
      << source->unusable_reason();
  EXPECT_TRUE(one_line(source->unusable_reason()));
}

TEST_F(NvmlSourceTest, PowerOnlyGpuHasOnePowerRail) {
  setenv("FAKE_NVML_POWER_MW", "75000", 1);
  auto source = fake("no_energy");
  ASSERT_EQ(source->unusable_reason(), "");
  ASSERT_EQ(source->rails().size(), 1u);
  const Rail& gpu = source->rails()[0];
  EXPECT_EQ(gpu.name, "GPU");
  EXPECT_EQ(gpu.quantity, Quantity::power_w);
  EXPECT_TRUE(gpu.default_total);
  EXPECT_FALSE(gpu.edge_only);
  EXPECT_EQ(source->context().at("nvml_energy_counter"), "no");
  Poll p = poll(*source, false);  // a power rail is polled, not kept for the edges
  ASSERT_EQ(p.readings.size(), 1u);
  EXPECT_EQ(p.readings[0].rail, 0u);
  EXPECT_DOUBLE_EQ(p.readings[0].value, 75.0);
}

TEST_F(NvmlSourceTest, EnergyOnlyGpuHasCounterRailAlone) {
  auto source = fake("no_power");
  ASSERT_EQ(source->unusable_reason(), "");
  ASSERT_EQ(source->rails().size(), 1u);
  EXPECT_EQ(source->rails()[0].quantity, Quantity::energy_j);
  EXPECT_TRUE(poll(*source, false).readings.empty());
  EXPECT_EQ(poll(*source, true).readings.size(), 1u);
}

TEST_F(NvmlSourceTest, FailedReadsBecomeReadFailures) {
  setenv("FAKE_NVML_FAIL_AFTER", "2", 1);  // the construction probe uses the two good reads
  auto source = fake();
  ASSERT_EQ(source->unusable_reason(), "");
  Poll p = poll(*source, true);
  EXPECT_TRUE(p.readings.empty());
  ASSERT_EQ(p.failures.size(), 2u);
  for (const ReadFailure& f : p.failures) {
    EXPECT_NE(f.why.find("GPU is lost"), std::string::npos) << f.why;
    EXPECT_GT(f.t_s, 0.0);
  }
  EXPECT_NE(p.failures[0].rail, p.failures[1].rail);
}

TEST_F(NvmlSourceTest, MatchByPciBusId) {
  setenv("FAKE_NVML_COUNT", "3", 1);
  NvmlOptions options;
  options.pci_bus_id = "0000:02:00.0";  // CUDA's form; NVML reports its own longer form
  options.index = 0;                    // ignored when a bus id is given
  auto source = fake("ok", options);
  ASSERT_EQ(source->unusable_reason(), "");
  EXPECT_EQ(source->context().at("nvml_pci_bus_id"), "00000000:02:00.0");
}

TEST_F(NvmlSourceTest, UnknownPciBusIdIsNamed) {
  NvmlOptions options;
  options.pci_bus_id = "0000:99:00.0";
  auto source = fake("ok", options);
  EXPECT_NE(source->unusable_reason().find("0000:99:00.0"), std::string::npos) << source->unusable_reason();
  EXPECT_NE(source->unusable_reason().find("Not Found"), std::string::npos) << source->unusable_reason();
}

TEST_F(NvmlSourceTest, MatchByIndex) {
  setenv("FAKE_NVML_COUNT", "2", 1);
  NvmlOptions options;
  options.index = 1;
  auto second = fake("ok", options);
  ASSERT_EQ(second->unusable_reason(), "");
  EXPECT_EQ(second->context().at("nvml_pci_bus_id"), "00000000:02:00.0");
  options.index = 2;
  auto absent = fake("ok", options);
  EXPECT_EQ(absent->unusable_reason(), "nvml: no GPU with index 2 (2 found)");
}

TEST_F(NvmlSourceTest, NoDeviceIsUnusable) {
  auto source = fake("no_device");
  EXPECT_EQ(source->unusable_reason(), "nvml: no NVIDIA GPU found");
}

TEST_F(NvmlSourceTest, SourcesShareTheLibraryAndShutDownInTurn) {
  // NVML's init is reference counted: a second source must not reset the first one's counter.
  setenv("FAKE_NVML_STEP_MJ", "1000", 1);
  auto first = fake();
  auto second = fake();
  ASSERT_EQ(first->unusable_reason(), "");
  ASSERT_EQ(second->unusable_reason(), "");
  second.reset();
  Poll p = poll(*first, true);
  EXPECT_TRUE(p.failures.empty());
  EXPECT_EQ(p.readings.size(), 2u);
}

TEST_F(NvmlSourceTest, ShutsDownWhatItInitialised) {
  // Holding the fake loaded keeps its state across sources (dlclose would otherwise wipe it).
  void* handle = dlopen(FAKE_NVML_PATH, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << dlerror();
  auto init_count = reinterpret_cast<int (*)()>(dlsym(handle, "fake_nvml_init_count"));
  ASSERT_NE(init_count, nullptr);
  {
    auto usable = fake();
    ASSERT_EQ(usable->unusable_reason(), "");
    EXPECT_EQ(init_count(), 1);
  }
  EXPECT_EQ(init_count(), 0);
  // An unusable source releases NVML at once rather than holding it for its lifetime.
  auto unusable = fake("not_supported");
  EXPECT_FALSE(unusable->unusable_reason().empty());
  EXPECT_EQ(init_count(), 0);
  // The script is re-read after a full shutdown, even while the library stays loaded.
  setenv("FAKE_NVML_NAME", "Second Script", 1);
  EXPECT_EQ(fake()->board(), "Second Script");
  dlclose(handle);
}

// ---- one NvmlDevice per GPU, shared by the power source and the state reader ----

// Holds the fake loaded (so its state survives between objects) and reads its nvmlInit balance.
class FakeInitCount {
 public:
  FakeInitCount() : handle_(dlopen(FAKE_NVML_PATH, RTLD_NOW | RTLD_LOCAL)) {
    if (handle_ != nullptr) count_ = reinterpret_cast<int (*)()>(dlsym(handle_, "fake_nvml_init_count"));
  }
  ~FakeInitCount() {
    if (handle_ != nullptr) dlclose(handle_);
  }
  FakeInitCount(const FakeInitCount&) = delete;
  FakeInitCount& operator=(const FakeInitCount&) = delete;
  bool ok() const { return count_ != nullptr; }
  int operator()() const { return count_(); }

 private:
  void* handle_ = nullptr;
  int (*count_)() = nullptr;
};

NvmlOptions fake_options(unsigned index = 0) {
  NvmlOptions options;
  options.library = FAKE_NVML_PATH;
  options.index = index;
  return options;
}

TEST_F(NvmlSourceTest, SourceAndStateReaderOfOneGpuInitialiseNvmlOnce) {
  FakeInitCount init_count;
  ASSERT_TRUE(init_count.ok()) << dlerror();
  {
    auto source = fake();
    ASSERT_EQ(source->unusable_reason(), "");
    std::string why;
    auto reader = make_nvml_state_reader(fake_options(), &why);
    ASSERT_NE(reader, nullptr) << why;
    EXPECT_EQ(init_count(), 1);  // one nvmlInit for the GPU, not one per reader
    // Both read through the shared device, and either outlives the other.
    EXPECT_EQ(poll(*source, true).readings.size(), 2u);
    EXPECT_DOUBLE_EQ(reader->read().gpu_clock_mhz, 1755.0);
    source.reset();
    EXPECT_EQ(init_count(), 1);
    EXPECT_DOUBLE_EQ(reader->read().gpu_clock_mhz, 1755.0);
  }
  EXPECT_EQ(init_count(), 0);
  {
    std::string why;
    auto reader = make_nvml_state_reader(fake_options(), &why);  // the other order: the reader first
    ASSERT_NE(reader, nullptr) << why;
    auto source = fake();
    ASSERT_EQ(source->unusable_reason(), "");
    EXPECT_EQ(init_count(), 1);
    reader.reset();
    EXPECT_EQ(init_count(), 1);
    EXPECT_TRUE(poll(*source, true).failures.empty());
  }
  EXPECT_EQ(init_count(), 0);
}

TEST_F(NvmlSourceTest, OneDeviceObjectPerGpu) {
  FakeInitCount init_count;
  ASSERT_TRUE(init_count.ok()) << dlerror();
  setenv("FAKE_NVML_COUNT", "2", 1);
  {
    std::string why;
    auto first = NvmlDevice::open(fake_options(0), {}, &why);
    ASSERT_NE(first, nullptr) << why;
    auto again = NvmlDevice::open(fake_options(0), {}, &why);
    auto second = NvmlDevice::open(fake_options(1), {}, &why);
    ASSERT_NE(second, nullptr) << why;
    EXPECT_EQ(again.get(), first.get());
    EXPECT_NE(second.get(), first.get());
    EXPECT_NE(second->handle(), first->handle());
    EXPECT_EQ(first->label(), "GPU 0");
    EXPECT_EQ(second->label(), "GPU 1");
    EXPECT_EQ(init_count(), 2);  // one nvmlInit per GPU object
    // Selecting by bus id is another selection: its own object (NVML's reference-counted init keeps both valid).
    NvmlOptions by_bus = fake_options();
    by_bus.pci_bus_id = "00000000:02:00.0";
    auto by_bus_device = NvmlDevice::open(by_bus, {}, &why);
    ASSERT_NE(by_bus_device, nullptr) << why;
    EXPECT_EQ(by_bus_device->handle(), second->handle());
    EXPECT_EQ(by_bus_device->label(), "GPU 00000000:02:00.0");
  }
  EXPECT_EQ(init_count(), 0);
  // A released device is not handed out again: the next open initialises afresh.
  std::string why;
  auto fresh = NvmlDevice::open(fake_options(0), {}, &why);
  ASSERT_NE(fresh, nullptr) << why;
  EXPECT_EQ(init_count(), 1);
}

TEST_F(NvmlSourceTest, DeviceFailuresKeepEachCallersWording) {
  NvmlOptions absent;
  absent.library = "/nonexistent/libnvidia-ml.so.1";
  std::string source_why;
  std::string reader_why;
  NvmlDevice::Needs source_needs;
  source_needs.no_driver_hint = true;
  EXPECT_EQ(NvmlDevice::open(absent, source_needs, &source_why), nullptr);
  EXPECT_EQ(make_nvml_state_reader(absent, &reader_why), nullptr);
  EXPECT_EQ(source_why.rfind("nvml: cannot load /nonexistent/libnvidia-ml.so.1 (", 0), 0u) << source_why;
  EXPECT_EQ(source_why, reader_why);  // the hint is for the default name only
  EXPECT_EQ(make_nvml_source(absent)->unusable_reason(), source_why);

  setenv("FAKE_NVML_MODE", "no_device", 1);
  EXPECT_EQ(fake("no_device")->unusable_reason(), "nvml: no NVIDIA GPU found");
  EXPECT_EQ(make_nvml_state_reader(fake_options(), &reader_why), nullptr);
  EXPECT_EQ(reader_why, "nvml: no GPU with index 0 (0 found)");
}

TEST_F(NvmlSourceTest, ConcurrentOpensOfOneGpuShareOneObject) {
  FakeInitCount init_count;
  ASSERT_TRUE(init_count.ok()) << dlerror();
  std::string why;
  auto held = NvmlDevice::open(fake_options(), {}, &why);  // initialises the fake before the threads race
  ASSERT_NE(held, nullptr) << why;
  constexpr int kThreads = 8;
  std::vector<std::shared_ptr<NvmlDevice>> got(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&got, i] {
      for (int round = 0; round < 50; ++round) {
        std::string thread_why;
        got[i] = NvmlDevice::open(fake_options(), {}, &thread_why);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const auto& device : got) EXPECT_EQ(device.get(), held.get());
  EXPECT_EQ(init_count(), 1);
}

}  // namespace
}  // namespace layer_energy::power
