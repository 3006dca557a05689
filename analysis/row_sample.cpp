#include "analysis/row_sample.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace layer_energy::analysis {
namespace {

// splitmix64's finaliser: a fixed, well-mixed order of the row indices.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

std::vector<int> row_sample(const std::vector<int>& rows, std::size_t cap) {
  if (rows.size() <= cap) return rows;
  std::vector<std::pair<std::uint64_t, int>> keyed;
  keyed.reserve(rows.size());
  for (const int r : rows) keyed.emplace_back(mix(static_cast<std::uint64_t>(r)), r);
  std::nth_element(keyed.begin(), keyed.begin() + static_cast<std::ptrdiff_t>(cap), keyed.end());
  std::vector<int> out;
  out.reserve(cap);
  for (std::size_t i = 0; i < cap; ++i) out.push_back(keyed[i].second);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace layer_energy::analysis
