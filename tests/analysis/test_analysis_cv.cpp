// Grouped cross-validation never puts one configuration in both train and test.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <stdexcept>

#include "analysis/cv.hpp"
#include "analysis/fitter.hpp"
#include "analysis/synthetic.hpp"

namespace layer_energy::analysis {
namespace {

TEST(GroupedCv, NoGroupInTwoFoldsAndFoldsBalanced) {
  // 200 groups of 1..4 samples each (repetitions or precisions of one configuration).
  std::vector<int> groups;
  for (int g = 0; g < 200; ++g)
    for (int r = 0; r <= g % 4; ++r) groups.push_back(g);
  const std::vector<int> fold_of = assign_folds(groups, 5, 42);
  ASSERT_EQ(fold_count(fold_of), 5);
  std::map<int, std::set<int>> folds_of_group;
  for (std::size_t i = 0; i < groups.size(); ++i) folds_of_group[groups[i]].insert(fold_of[i]);
  for (const auto& kv : folds_of_group) EXPECT_EQ(kv.second.size(), 1u) << "group " << kv.first;
  std::vector<int> train, test;
  std::size_t tested = 0;
  for (int k = 0; k < 5; ++k) {
    ASSERT_NO_THROW(split_fold(fold_of, groups, k, &train, &test));
    std::set<int> test_groups, train_groups;
    for (const int r : test) test_groups.insert(groups[static_cast<std::size_t>(r)]);
    for (const int r : train) train_groups.insert(groups[static_cast<std::size_t>(r)]);
    for (const int g : test_groups) EXPECT_EQ(train_groups.count(g), 0u) << "group " << g << " leaks in fold " << k;
    EXPECT_EQ(test_groups.size(), 40u);  // 200 groups dealt round-robin
    tested += test.size();
  }
  EXPECT_EQ(tested, groups.size());  // every sample held out exactly once
}

TEST(GroupedCv, SplitDetectsALeak) {
  const std::vector<int> groups = {0, 0, 1, 1};
  const std::vector<int> leaky = {0, 1, 0, 1};  // group 0 in folds 0 and 1
  std::vector<int> train, test;
  EXPECT_THROW(split_fold(leaky, groups, 0, &train, &test), std::logic_error);
}

TEST(GroupedCv, FitterKeepsRepeatedConfigurationsTogether) {
  SyntheticTruth truth;
  truth.conv_law.law = Law::power, truth.conv_law.a = 4e-10, truth.conv_law.b = 0.4;
  std::vector<Sample> samples = synthetic_samples(truth, random_layers(100, 0, 1), 2);
  // Each configuration three times (as merged files or precisions would give): same group id.
  const std::vector<Sample> once = samples;
  for (int copy = 0; copy < 2; ++copy) samples.insert(samples.end(), once.begin(), once.end());
  const TypeFit fit = fit_type(samples, FitOptions{});
  for (std::size_t i = 0; i < once.size(); ++i) {
    EXPECT_EQ(fit.fold_of[i], fit.fold_of[i + once.size()]);
    EXPECT_EQ(fit.fold_of[i], fit.fold_of[i + 2 * once.size()]);
  }
  // A leak would let copies predict themselves: the held-out error would drop far below the noise.
  EXPECT_GT(fit.cv.at("paper").mape, 0.5);
}

TEST(GroupedCv, FewerGroupsThanFoldsCapsTheFolds) {
  const std::vector<int> fold_of = assign_folds({3, 3, 7, 7, 7}, 5, 1);
  EXPECT_EQ(fold_count(fold_of), 2);
}

}  // namespace
}  // namespace layer_energy::analysis
