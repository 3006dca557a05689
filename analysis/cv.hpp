// Grouped k-fold cross-validation: every configuration group lies in exactly one fold.
#pragma once

#include <vector>

namespace layer_energy::analysis {

// Fold index (0..folds-1) per sample from its group id: groups shuffled with `seed`, dealt round-robin. `folds` is
// capped at the number of distinct groups.
std::vector<int> assign_folds(const std::vector<int>& groups, int folds, unsigned seed);

// Rows of fold `k` (test) and of the others (train). Throws std::logic_error when a group is in both.
void split_fold(const std::vector<int>& fold_of, const std::vector<int>& groups, int k, std::vector<int>* train,
                std::vector<int>* test);

int fold_count(const std::vector<int>& fold_of);

}  // namespace layer_energy::analysis
