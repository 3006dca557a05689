// A backend's output against the naive double-precision reference (naive_reference.hpp), element by element: the
// check the CPU and GPU backend tests share.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "naive_reference.hpp"

namespace layer_energy::test {

// Checks every element: |got - exact| <= tol * scale, where scale is the element's sum of |products|, raised to at
// least mean_floor times the tensor's mean magnitude (and to 1e-30). Reports the first five elements off, then how
// many are off and the worst relative error. Returns the root mean square of error / scale (the accuracy reached);
// infinity when the sizes differ.
inline double expect_matches(const std::vector<float>& got, const Reference& ref, double tol, const std::string& what,
                             double mean_floor = 0.0) {
  EXPECT_EQ(got.size(), ref.value.size()) << what;
  if (got.size() != ref.value.size()) return INFINITY;
  double mean_magnitude = 0.0;
  for (double m : ref.magnitude) mean_magnitude += m;
  mean_magnitude /= static_cast<double>(std::max<std::size_t>(ref.magnitude.size(), 1));
  std::size_t bad = 0;
  double worst = 0.0, sum_sq = 0.0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double error = std::fabs(static_cast<double>(got[i]) - ref.value[i]);
    const double scale = std::max({ref.magnitude[i], mean_floor * mean_magnitude, 1e-30});
    worst = std::max(worst, error / scale);
    sum_sq += (error / scale) * (error / scale);
    if (!(error <= tol * scale)) {
      if (bad++ < 5) {
        ADD_FAILURE() << what << ": element " << i << " is " << got[i] << ", expected " << ref.value[i]
                      << " (products' magnitude " << ref.magnitude[i] << ")";
      }
    }
  }
  EXPECT_EQ(bad, 0u) << what << ": " << bad << " of " << got.size() << " elements off; worst relative error " << worst;
  return got.empty() ? 0.0 : std::sqrt(sum_sq / static_cast<double>(got.size()));
}

}  // namespace layer_energy::test
