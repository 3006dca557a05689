// One Jetson board object per sysfs root (power/jetson_board.hpp): the power source and the device-state reader of one
// root share one discovery, so they cannot disagree; another root is another board; a board nobody holds any more is
// discovered anew. A board that changes after its discovery shows which discovery a reader used.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "power/device_state.hpp"
#include "power/jetson_board.hpp"
#include "power/jetson_ina3221.hpp"
#include "temp_tree.hpp"

namespace layer_energy::power {
namespace {

using jetson::Board;
using test::TempTree;

const std::string kFixtures = std::string(LAYER_ENERGY_FIXTURES) + "/sysfs/";
constexpr const char* kAbsentNvml = "/nonexistent/libnvidia-ml.so.1";
const std::string kOrinModel = "NVIDIA Jetson AGX Orin Developer Kit";
const std::string kOrinMaxFreq = "/sys/class/devfreq/17000000.ga10b/max_freq";
const std::string kOrinFirstLabel = "/sys/bus/i2c/devices/1-0040/hwmon/hwmon1/in1_label";

std::string context_value(const DeviceStateReader& reader, const std::string& key) {
  const auto context = reader.context();
  const auto it = context.find(key);
  return it == context.end() ? "<absent>" : it->second;
}

std::unique_ptr<DeviceStateReader> state_reader(const std::string& root) {
  std::string why;
  auto reader = make_jetson_state_reader(root, &why);
  EXPECT_TRUE(reader) << why;
  return reader;
}

// The tree changes after the first discovery: model, GPU clock limit, a rail's label.
void change_board(const TempTree& tree) {
  tree.write("/proc/device-tree/model", "Changed Board");
  tree.write(kOrinMaxFreq, "918000000\n");
  tree.write(kOrinFirstLabel, "RENAMED\n");
}

TEST(JetsonBoardObject, OneRootGivesOneObjectWhileHeld) {
  auto first = Board::open(kFixtures + "agx-orin-r36");
  auto second = Board::open(kFixtures + "agx-orin-r36");
  auto slashed = Board::open(kFixtures + "agx-orin-r36//");
  EXPECT_EQ(first.get(), second.get());
  EXPECT_EQ(first.get(), slashed.get());
}

TEST(JetsonBoardObject, AnotherRootGivesAnotherBoard) {
  auto orin = Board::open(kFixtures + "agx-orin-r36");
  auto nano = Board::open(kFixtures + "orin-nano-r36");
  EXPECT_NE(orin.get(), nano.get());
  EXPECT_EQ(orin->model(), kOrinModel);
  EXPECT_EQ(nano->model(), "NVIDIA Jetson Orin Nano Developer Kit");
  EXPECT_EQ(orin->monitors().channels.size(), 4u);
  EXPECT_EQ(nano->monitors().channels.size(), 3u);
  EXPECT_EQ(orin->gpu_devfreq().node, "17000000.ga10b");
  EXPECT_EQ(nano->gpu_devfreq().node, "17000000.gpu");
}

TEST(JetsonBoardObject, HoldsWhatEveryReaderOfTheBoardUses) {
  auto board = Board::open(kFixtures + "agx-orin-r36");
  EXPECT_EQ(board->monitors().problem, "");
  EXPECT_EQ(board->monitors().chips.size(), 2u);
  EXPECT_EQ(board->monitors().channels.front().rail, "VDD_GPU_SOC");
  EXPECT_EQ(board->gpu_devfreq().governor.value_or(""), "nvhost_podgov");
  EXPECT_EQ(board->gpu_devfreq().max_hz.value_or(0), 1300500000);
  EXPECT_EQ(board->gpu_thermal_zone().name, "thermal_zone1");
  EXPECT_EQ(board->nvpmodel().status, "pmode:0000");
  EXPECT_EQ(board->nvpmodel().mode, "MAXN");
}

TEST(JetsonBoardObject, ANonJetsonRootIsABoardWithNothing) {
  auto board = Board::open("/nonexistent/layer_energy/root");
  EXPECT_EQ(board->model(), "unknown Jetson");
  EXPECT_NE(board->monitors().problem.find("no INA3221"), std::string::npos) << board->monitors().problem;
  EXPECT_EQ(board->gpu_devfreq().node, "");
}

TEST(JetsonBoardObject, StateReaderUsesTheSourcesDiscovery) {
  TempTree tree(kFixtures + "agx-orin-r36");
  auto source = make_jetson_source(tree.path());
  ASSERT_EQ(source->unusable_reason(), "");
  change_board(tree);
  // A reader that discovered the board again would see 918 MHz.
  auto reader = state_reader(tree.path());
  ASSERT_TRUE(reader);
  EXPECT_EQ(context_value(*reader, "gpu_max_clock_MHz"), "1300.5");
  auto combined = make_device_state_reader(tree.path(), "", kAbsentNvml);
  EXPECT_EQ(context_value(*combined, "gpu_max_clock_MHz"), "1300.5");
  EXPECT_EQ(source->board(), kOrinModel);
}

TEST(JetsonBoardObject, SourceUsesTheStateReadersDiscovery) {
  TempTree tree(kFixtures + "agx-orin-r36");
  auto reader = state_reader(tree.path());
  ASSERT_TRUE(reader);
  change_board(tree);
  auto source = make_jetson_source(tree.path());
  ASSERT_EQ(source->unusable_reason(), "");
  EXPECT_EQ(source->board(), kOrinModel);
  EXPECT_EQ(source->rails().front().name, "VDD_GPU_SOC");
}

TEST(JetsonBoardObject, ABoardNobodyHoldsIsDiscoveredAnew) {
  TempTree tree(kFixtures + "agx-orin-r36");
  {
    auto source = make_jetson_source(tree.path());
    auto reader = state_reader(tree.path());
    EXPECT_EQ(source->board(), kOrinModel);
  }
  change_board(tree);
  auto source = make_jetson_source(tree.path());
  auto reader = state_reader(tree.path());
  ASSERT_TRUE(reader);
  EXPECT_EQ(source->board(), "Changed Board");
  EXPECT_EQ(source->rails().front().name, "RENAMED");
  EXPECT_EQ(context_value(*reader, "gpu_max_clock_MHz"), "918");
}

TEST(JetsonBoardObject, TwoRootsHeldTogetherKeepTheirOwnBoards) {
  TempTree first(kFixtures + "agx-orin-r36");
  TempTree second(kFixtures + "agx-orin-r36");
  change_board(second);
  auto first_source = make_jetson_source(first.path());
  auto second_source = make_jetson_source(second.path());
  auto first_reader = state_reader(first.path());
  auto second_reader = state_reader(second.path());
  ASSERT_TRUE(first_reader && second_reader);
  EXPECT_EQ(first_source->board(), kOrinModel);
  EXPECT_EQ(second_source->board(), "Changed Board");
  EXPECT_EQ(context_value(*first_reader, "gpu_max_clock_MHz"), "1300.5");
  EXPECT_EQ(context_value(*second_reader, "gpu_max_clock_MHz"), "918");
}

TEST(JetsonBoardObject, ConcurrentOpensOfOneRootGetOneBoard) {
  TempTree tree(kFixtures + "agx-orin-r36");
  std::vector<std::shared_ptr<const Board>> boards(4);
  std::vector<std::thread> threads;
  for (auto& board : boards) threads.emplace_back([&board, &tree] { board = Board::open(tree.path()); });
  for (auto& thread : threads) thread.join();
  for (const auto& board : boards) EXPECT_EQ(board.get(), boards.front().get());
}

}  // namespace
}  // namespace layer_energy::power
