#include "analysis/nested_cv.hpp"

#include <cmath>

namespace layer_energy::analysis {

double mape_over(const std::vector<double>& measured, const std::vector<double>& pred, const std::vector<char>& usable,
                 const std::vector<int>* rows) {
  double sum = 0, n = 0;
  const auto add = [&](std::size_t i) {
    if (!usable[i]) return;
    const double p = pred[i];
    sum += std::isfinite(p) && p > 0 ? std::fabs(p - measured[i]) / measured[i] : 1.0;
    n += 1;
  };
  if (rows) {
    for (const int r : *rows) add(static_cast<std::size_t>(r));
  } else {
    for (std::size_t i = 0; i < measured.size(); ++i) add(i);
  }
  return n > 0 ? 100 * sum / n : 0;
}

namespace {

int lowest(const std::vector<double>& err) {
  int best = 0;
  for (std::size_t c = 1; c < err.size(); ++c)
    if (err[c] < err[static_cast<std::size_t>(best)] * (1 - 1e-3)) best = static_cast<int>(c);
  return best;
}

}  // namespace

NestedResult run_nested_cv(const std::vector<int>& fold_of, int folds, int candidates,
                           const std::vector<double>& measured, const std::vector<char>& usable,
                           const FitPredict& fit_predict) {
  const std::size_t n = fold_of.size();
  const auto cands = static_cast<std::size_t>(candidates);
  NestedResult out;
  out.plain.assign(cands, std::vector<double>(n, std::nan("")));
  out.nested.assign(n, std::nan(""));
  std::vector<std::vector<int>> members(static_cast<std::size_t>(folds));
  for (std::size_t i = 0; i < n; ++i) members[static_cast<std::size_t>(fold_of[i])].push_back(static_cast<int>(i));
  const auto rows_except = [&](int a, int b) {
    std::vector<int> rows;
    for (std::size_t i = 0; i < n; ++i)
      if (fold_of[i] != a && fold_of[i] != b) rows.push_back(static_cast<int>(i));
    return rows;
  };
  std::vector<std::vector<double>> pred(cands, std::vector<double>(n, std::nan("")));
  for (int k = 0; k < folds; ++k) {
    fit_predict(rows_except(k, -1), members[static_cast<std::size_t>(k)], &pred);
    for (std::size_t c = 0; c < cands; ++c)
      for (const int r : members[static_cast<std::size_t>(k)]) out.plain[c][static_cast<std::size_t>(r)] = pred[c][static_cast<std::size_t>(r)];
  }
  std::vector<double> err(cands);
  for (std::size_t c = 0; c < cands; ++c) err[c] = mape_over(measured, out.plain[c], usable, nullptr);
  out.chosen = lowest(err);
  out.choice_per_fold.assign(static_cast<std::size_t>(folds), out.chosen);
  if (folds >= 3) {
    out.nested_available = true;
    // inner[k][c]: error summed over the inner folds of outer fold k.
    std::vector<std::vector<double>> sum(static_cast<std::size_t>(folds), std::vector<double>(cands, 0.0));
    for (int a = 0; a < folds; ++a) {
      for (int b = a + 1; b < folds; ++b) {
        std::vector<int> test = members[static_cast<std::size_t>(a)];
        test.insert(test.end(), members[static_cast<std::size_t>(b)].begin(), members[static_cast<std::size_t>(b)].end());
        fit_predict(rows_except(a, b), test, &pred);
        for (std::size_t c = 0; c < cands; ++c) {
          // Fold b is inner test data of outer fold a, and fold a of outer fold b.
          sum[static_cast<std::size_t>(a)][c] += mape_over(measured, pred[c], usable, &members[static_cast<std::size_t>(b)]) *
                                                 static_cast<double>(members[static_cast<std::size_t>(b)].size());
          sum[static_cast<std::size_t>(b)][c] += mape_over(measured, pred[c], usable, &members[static_cast<std::size_t>(a)]) *
                                                 static_cast<double>(members[static_cast<std::size_t>(a)].size());
        }
      }
    }
    for (int k = 0; k < folds; ++k) out.choice_per_fold[static_cast<std::size_t>(k)] = lowest(sum[static_cast<std::size_t>(k)]);
  }
  for (std::size_t i = 0; i < n; ++i)
    out.nested[i] = out.plain[static_cast<std::size_t>(out.choice_per_fold[static_cast<std::size_t>(fold_of[i])])][i];
  return out;
}

}  // namespace layer_energy::analysis
