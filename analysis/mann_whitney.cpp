#include "analysis/mann_whitney.hpp"

#include <algorithm>
#include <cmath>

namespace layer_energy::analysis {
namespace {

// P(U ≥ u) for sample sizes n, m without ties: counts of arrangements by U, via f(n,m,u) = f(n−1,m,u−m) + f(n,m−1,u).
double exact_upper_tail(std::size_t n, std::size_t m, double u) {
  const std::size_t max_u = n * m;
  // table[j][v] for the current i: number of arrangements of i x's and j y's with U = v.
  std::vector<std::vector<double>> prev(m + 1, std::vector<double>(max_u + 1, 0.0)), cur = prev;
  for (std::size_t j = 0; j <= m; ++j) prev[j][0] = 1;  // i = 0: U = 0
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 0; j <= m; ++j) {
      std::fill(cur[j].begin(), cur[j].end(), 0.0);
      for (std::size_t v = 0; v <= i * j; ++v) {
        // the largest value is an x (contributes 0 to U_y)... or a y (beats all i x's).
        double c = prev[j][v];
        if (j > 0 && v >= i) c += cur[j - 1][v - i];
        cur[j][v] = c;
      }
    }
    std::swap(prev, cur);
  }
  double total = 0, tail = 0;
  for (std::size_t v = 0; v <= max_u; ++v) {
    total += prev[m][v];
    if (static_cast<double>(v) >= u - 1e-9) tail += prev[m][v];
  }
  return tail / total;
}

}  // namespace

MannWhitney mann_whitney_greater(const std::vector<double>& x, const std::vector<double>& y) {
  MannWhitney r;
  const std::size_t n = x.size(), m = y.size();
  if (n == 0 || m == 0) return r;
  bool ties = false;
  for (const double a : x) {
    for (const double b : y) {
      if (b > a) {
        r.u += 1;
      } else if (b == a) {
        r.u += 0.5;
        ties = true;
      }
    }
  }
  std::vector<double> all(x);
  all.insert(all.end(), y.begin(), y.end());
  std::sort(all.begin(), all.end());
  if (!ties) ties = std::adjacent_find(all.begin(), all.end()) != all.end();
  if (!ties && n <= 50 && m <= 50) {
    r.exact = true;
    r.p = exact_upper_tail(n, m, r.u);
    return r;
  }
  const double big_n = static_cast<double>(n + m);
  double tie_term = 0;
  for (std::size_t i = 0; i < all.size();) {
    std::size_t j = i;
    while (j < all.size() && all[j] == all[i]) ++j;
    const double t = static_cast<double>(j - i);
    tie_term += t * t * t - t;
    i = j;
  }
  const double nm = static_cast<double>(n * m);
  const double var = nm / 12.0 * ((big_n + 1) - tie_term / (big_n * (big_n - 1)));
  if (var <= 0) {
    r.p = 1;
    return r;
  }
  const double z = (r.u - nm / 2 - 0.5) / std::sqrt(var);
  r.p = 0.5 * std::erfc(z / std::sqrt(2.0));
  return r;
}

}  // namespace layer_energy::analysis
