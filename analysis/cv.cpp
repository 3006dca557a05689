#include "analysis/cv.hpp"

#include <algorithm>
#include <random>
#include <stdexcept>
#include <string>

namespace layer_energy::analysis {

std::vector<int> assign_folds(const std::vector<int>& groups, int folds, unsigned seed) {
  std::vector<int> ids(groups);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::mt19937 rng(seed);
  std::shuffle(ids.begin(), ids.end(), rng);
  const int k = std::max(1, std::min<int>(folds, static_cast<int>(ids.size())));
  int max_id = 0;
  for (const int g : ids) max_id = std::max(max_id, g);
  std::vector<int> fold_of_group(static_cast<std::size_t>(max_id) + 1, 0);
  for (std::size_t i = 0; i < ids.size(); ++i)
    fold_of_group[static_cast<std::size_t>(ids[i])] = static_cast<int>(i) % k;
  std::vector<int> fold_of(groups.size());
  for (std::size_t i = 0; i < groups.size(); ++i) fold_of[i] = fold_of_group[static_cast<std::size_t>(groups[i])];
  return fold_of;
}

void split_fold(const std::vector<int>& fold_of, const std::vector<int>& groups, int k, std::vector<int>* train,
                std::vector<int>* test) {
  train->clear();
  test->clear();
  int max_id = 0;
  for (const int g : groups) max_id = std::max(max_id, g);
  std::vector<char> in_test(static_cast<std::size_t>(max_id) + 1, 0);
  for (std::size_t i = 0; i < fold_of.size(); ++i) {
    if (fold_of[i] == k) {
      test->push_back(static_cast<int>(i));
      in_test[static_cast<std::size_t>(groups[i])] = 1;
    } else {
      train->push_back(static_cast<int>(i));
    }
  }
  for (const int r : *train)
    if (in_test[static_cast<std::size_t>(groups[static_cast<std::size_t>(r)])])
      throw std::logic_error("grouped CV leak: configuration group " +
                             std::to_string(groups[static_cast<std::size_t>(r)]) + " in train and test of fold " +
                             std::to_string(k));
}

int fold_count(const std::vector<int>& fold_of) {
  int k = 0;
  for (const int f : fold_of) k = std::max(k, f + 1);
  return k;
}

}  // namespace layer_energy::analysis
