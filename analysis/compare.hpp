// energy_compare's work: two result files case by case, one-sided Mann–Whitney U over repetitions per metric.
#pragma once

#include <string>
#include <vector>

#include "analysis/records.hpp"

namespace layer_energy::analysis {

struct CompareOptions {
  double threshold = 0.05;                        // relative change of the median that counts as a regression
  double alpha = 0.05;                            // significance level of the one-sided test
  std::vector<std::string> metrics = {"energy"};  // energy and/or time
  std::size_t min_repetitions = 5;
};

struct CompareRow {
  std::string name, metric, verdict;
  std::size_t base_n = 0, new_n = 0;
  double base_median = 0, new_median = 0, change = 0, p = 1;
  bool regression = false;  // gates the exit code
  bool tested = false;      // the test ran (enough repetitions on both sides)
};

struct Comparison {
  std::vector<CompareRow> rows;
  bool regression = false;
  std::size_t tested = 0;  // rows the test ran on (both sides with enough repetitions): 0 means nothing was compared
  std::size_t common = 0;  // cases in both files
};

// One line saying why nothing was compared (empty when something was): a gate that compared nothing must not pass.
std::string nothing_compared_reason(const Comparison& comparison, const CompareOptions& options);

Comparison compare_results(const ResultFile& base, const ResultFile& next, const CompareOptions& options,
                           std::vector<std::string>* warnings);
std::string comparison_table(const Comparison& comparison, const CompareOptions& options);

// "5%" → 0.05, "0.05" → 0.05; false for anything else (negative, not a number, trailing text).
bool parse_threshold(const std::string& text, double* value);

}  // namespace layer_energy::analysis
