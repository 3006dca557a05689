// power_bench's CountingSource (power/bench/counting_source.hpp) must look to the sampler exactly like the source it
// wraps: traits, board and context forwarded, polls forwarded and counted.
#include <gtest/gtest.h>

#include <string>

#include "power/bench/counting_source.hpp"
#include "power/jetson_ina3221.hpp"
#include "power/replay_source.hpp"
#include "source_poll.hpp"

namespace layer_energy::power {
namespace {

const std::string kFixtures = std::string(LAYER_ENERGY_FIXTURES);

TEST(CountingSource, ForwardsARecordedTracesTraits) {
  auto replay = make_replay_source(kFixtures + "/traces/constant_5w.csv");
  ASSERT_EQ(replay->unusable_reason(), "");
  ASSERT_TRUE(replay->traits().recorded);
  CountingSource counting(*replay);
  EXPECT_TRUE(counting.traits().recorded);  // else the sampler would time a trace's update period and suspect it
  EXPECT_FALSE(counting.traits().board_names_machine);
}

TEST(CountingSource, ForwardsBoardContextAndRailsOfAJetson) {
  auto jetson = make_jetson_source(kFixtures + "/sysfs/orin-nano-r36");
  ASSERT_EQ(jetson->unusable_reason(), "");
  CountingSource counting(*jetson);
  EXPECT_TRUE(counting.traits().board_names_machine);
  EXPECT_FALSE(counting.traits().recorded);
  EXPECT_EQ(counting.name(), "jetson");
  EXPECT_EQ(counting.board(), "NVIDIA Jetson Orin Nano Developer Kit");
  EXPECT_EQ(counting.context(), jetson->context());
  EXPECT_EQ(&counting.rails(), &jetson->rails());
  EXPECT_DOUBLE_EQ(counting.update_period_s(), jetson->update_period_s());
}

TEST(CountingSource, CountsEveryPollAndPassesItsReadings) {
  auto jetson = make_jetson_source(kFixtures + "/sysfs/orin-nano-r36");
  CountingSource counting(*jetson);
  EXPECT_EQ(counting.polls(), 0u);
  const test::Poll first = test::poll(counting);
  test::poll(counting);
  EXPECT_EQ(counting.polls(), 2u);
  EXPECT_EQ(first.readings.size(), 3u);
  EXPECT_TRUE(first.failures.empty());
}

}  // namespace
}  // namespace layer_energy::power
