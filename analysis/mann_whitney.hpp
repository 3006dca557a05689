// One-sided Mann–Whitney U test: do the values of `y` tend to be larger than those of `x`?
#pragma once

#include <vector>

namespace layer_energy::analysis {

struct MannWhitney {
  double u = 0;  // pairs with y > x, ties counted ½
  double p = 1;  // P(U ≥ u) under "same distribution"
  bool exact = false;
};

// Exact null distribution when there are no ties and both sides have ≤ 50 values; otherwise the normal
// approximation with tie and continuity corrections.
MannWhitney mann_whitney_greater(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace layer_energy::analysis
