// The price of a cold byte in a network pass (analysis/pass_cost): recovered from networks whose excess over their
// layers alone a known price made, the loop fit's join kept, and no calibration from networks nothing of which
// comes cold.
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/pass_cost.hpp"

namespace layer_energy::analysis {
namespace {

// A layer's terms: compute and memory sides of its loop time, the bytes a pass brings cold, the loop fit's join.
PassTerms layer(double compute_s, double memory_s, double cold_bytes, double p = 1) {
  PassTerms t;
  t.compute_s = compute_s, t.memory_s = memory_s, t.cold_bytes = cold_bytes;
  t.loop_s_per_dram_byte = 1e-11, t.loop_p = p;
  return t;
}

// A network whose Net/ time is its layers alone plus what `price` makes of their cold bytes.
NetworkPass network(const std::vector<PassTerms>& layers, double price) {
  NetworkPass n;
  PassCost truth;
  truth.s_per_cold_byte = price;
  for (const PassTerms& l : layers) n.alone_s += l.compute_s + l.memory_s, n.net_s += l.compute_s + l.memory_s;
  for (const PassTerms& l : layers) n.net_s += pass_extra_s(l, truth);
  n.layers = layers;
  return n;
}

TEST(PassCost, APriceIsRecoveredFromTheNetworksItMade) {
  const double price = 3.2e-11;  // a 2-core VM's cold stream: about twice its loop DRAM price
  const std::vector<NetworkPass> nets = {
      network({layer(1e-4, 2e-5, 5e6), layer(3e-4, 1e-5, 1e7)}, price),
      network({layer(2e-5, 5e-5, 2e6), layer(1e-5, 4e-5, 3e6), layer(4e-4, 0, 0)}, price)};
  const PassCost fitted = fit_pass_cost(nets);
  EXPECT_EQ(fitted.networks, 2);
  EXPECT_NEAR(fitted.s_per_cold_byte / price, 1, 0.04);  // the search's grid is 6% wide
  for (const NetworkPass& n : nets) EXPECT_LT(std::fabs(pass_time_error(n, fitted)), 0.01);
}

TEST(PassCost, TheLoopFitsJoinDecidesHowMuchOfTheStreamHides) {
  // One compute-bound layer: its cold bytes cost their full price when the sides add (p 1), little under a p-4 join.
  const PassTerms adds = layer(1e-3, 1e-4, 1e7, 1), hides = layer(1e-3, 1e-4, 1e7, 4);
  PassCost cost;
  cost.s_per_cold_byte = 2e-11;
  EXPECT_NEAR(pass_extra_s(adds, cost), 2e-4, 1e-12);
  EXPECT_LT(pass_extra_s(hides, cost), 0.05 * pass_extra_s(adds, cost));
  EXPECT_GT(pass_extra_s(hides, cost), 0);
  // Uncalibrated: the loop fit's DRAM price; free: nothing added; the corrector's factor scales what is added.
  EXPECT_NEAR(pass_extra_s(adds, PassCost{}), 1e-4, 1e-12);
  cost.s_per_cold_byte = 0;
  EXPECT_EQ(pass_extra_s(adds, cost), 0);
  PassTerms scaled = adds;
  scaled.scale = 1.5;
  EXPECT_NEAR(pass_extra_s(scaled, PassCost{}), 1.5e-4, 1e-12);
}

TEST(PassCost, NoNetworkThatComesColdCalibratesNothing) {
  EXPECT_EQ(fit_pass_cost({}).networks, 0);
  // A network inside the cache, and one whose layers alone are unknown (no time part for them): uncalibrated.
  NetworkPass warm = network({layer(1e-4, 1e-5, 0)}, 1e-11);
  warm.net_s *= 1.2;
  NetworkPass unknown = network({layer(1e-4, 1e-5, 1e6)}, 1e-11);
  unknown.alone_s = std::nan("");
  const PassCost none = fit_pass_cost({warm, unknown});
  EXPECT_EQ(none.networks, 0);
  EXPECT_LT(none.s_per_cold_byte, 0);
}

TEST(PassCost, ANetworkThatCostsNothingMoreGivesAFreePass) {
  NetworkPass n = network({layer(1e-4, 1e-5, 4e6), layer(2e-4, 1e-5, 4e6)}, 0);
  const PassCost fitted = fit_pass_cost({n});
  EXPECT_EQ(fitted.networks, 1);
  EXPECT_EQ(fitted.s_per_cold_byte, 0);
}

}  // namespace
}  // namespace layer_energy::analysis
