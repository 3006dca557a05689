// Which rails make up the default total: a rail its source marked as the module input (Thor's INA238) alone, else the
// rails named as whole-module inputs, else every rail.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "power/rail_selection.hpp"

namespace layer_energy::power {
namespace {

std::vector<Rail> rails(const std::vector<std::string>& names) {
  std::vector<Rail> result;
  for (const auto& name : names) {
    Rail rail;
    rail.name = name;
    result.push_back(rail);
  }
  return result;
}

std::vector<bool> totals(const std::vector<Rail>& rails) {
  std::vector<bool> result;
  for (const Rail& rail : rails) result.push_back(rail.default_total);
  return result;
}

TEST(DefaultTotal, MarkedModuleInputAloneWhateverItsName) {
  auto thor = rails({"VDD_GPU", "VDD_CPU_SOC_MSS", "VIN_SYS_5V0", "SYS_VIN"});
  thor[3].whole_module = true;
  choose_default_total(thor);
  EXPECT_EQ(totals(thor), (std::vector<bool>{false, false, false, true}));
  EXPECT_EQ(select_rails(thor, ""), (std::vector<std::size_t>{3}));
}

TEST(DefaultTotal, MarkWinsOverAWholeModuleName) {
  auto board = rails({"VDD_IN", "VDD_SOC", "VIN"});
  board[2].whole_module = true;
  choose_default_total(board);
  EXPECT_EQ(totals(board), (std::vector<bool>{false, false, true}));
}

TEST(DefaultTotal, NamesDecideWithoutAMark) {
  auto tegrastats = rails({"VIN", "VDD_GPU", "VDD_CPU_SOC_MSS", "VIN_SYS_5V0"});
  choose_default_total(tegrastats);
  EXPECT_EQ(totals(tegrastats), (std::vector<bool>{true, false, false, false}));
  auto agx_orin = rails({"VDD_GPU_SOC", "VDD_CPU_CV", "VIN_SYS_5V0"});
  choose_default_total(agx_orin);
  EXPECT_EQ(totals(agx_orin), (std::vector<bool>{true, true, true}));
}

}  // namespace
}  // namespace layer_energy::power
