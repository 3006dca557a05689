// A deterministic subsample of training rows for the parts of a fit whose cost grows with the rows but whose result
// does not need them all: the time model's 7 parameters (Levenberg–Marquardt) and the boosted-tree correctors
// (stochastic gradient boosting, Friedman 2002). Held-out predictions and errors still cover every row.
#pragma once

#include <cstddef>
#include <vector>

namespace layer_energy::analysis {

// Rows above which the boosted trees train on a subsample.
constexpr std::size_t kFitRowCap = 8000;
// The time model's 7 parameters per class: its Levenberg–Marquardt rounds evaluate every candidate kernel of every
// row dozens of times, and a few thousand rows pin 7 parameters as well as 100,000 do.
constexpr std::size_t kTimeFitRowCap = 4000;

// `rows` itself when it holds at most `cap`; else `cap` of them chosen by a hash of the row index (the same on every
// platform and independent of the order of `rows`), in increasing order.
std::vector<int> row_sample(const std::vector<int>& rows, std::size_t cap = kFitRowCap);

}  // namespace layer_energy::analysis
