#include "analysis/nested_cv.hpp"

#include <array>
#include <cmath>

#include "analysis/parallel.hpp"

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
  // The training sets: every fold but k (outer), then every fold but a pair {a, b} (inner, when folds >= 3). They
  // are fitted in parallel, each worker predicting into its own scratch.
  struct Job {
    int a, b;  // b = -1: outer fold a
  };
  std::vector<Job> jobs;
  for (int k = 0; k < folds; ++k) jobs.push_back({k, -1});
  out.nested_available = folds >= 3;
  if (out.nested_available)
    for (int a = 0; a < folds; ++a)
      for (int b = a + 1; b < folds; ++b) jobs.push_back({a, b});
  // pair_err[job][0][c]: candidate c's error on fold b (inner test data of outer fold a); [1]: on fold a.
  std::vector<std::array<std::vector<double>, 2>> pair_err(jobs.size());
  std::vector<std::vector<std::vector<double>>> scratch(analysis_threads());
  parallel_for(jobs.size(), [&](std::size_t j, std::size_t worker) {
    std::vector<std::vector<double>>& pred = scratch[worker];
    if (pred.empty()) pred.assign(cands, std::vector<double>(n, std::nan("")));
    const Job job = jobs[j];
    const std::vector<int>& fa = members[static_cast<std::size_t>(job.a)];
    if (job.b < 0) {
      fit_predict(rows_except(job.a, -1), fa, &pred);
      for (std::size_t c = 0; c < cands; ++c)
        for (const int r : fa) out.plain[c][static_cast<std::size_t>(r)] = pred[c][static_cast<std::size_t>(r)];
      return;
    }
    const std::vector<int>& fb = members[static_cast<std::size_t>(job.b)];
    std::vector<int> test = fa;
    test.insert(test.end(), fb.begin(), fb.end());
    fit_predict(rows_except(job.a, job.b), test, &pred);
    for (std::size_t c = 0; c < cands; ++c) {
      pair_err[j][0].push_back(mape_over(measured, pred[c], usable, &fb) * static_cast<double>(fb.size()));
      pair_err[j][1].push_back(mape_over(measured, pred[c], usable, &fa) * static_cast<double>(fa.size()));
    }
  });
  std::vector<double> err(cands);
  for (std::size_t c = 0; c < cands; ++c) err[c] = mape_over(measured, out.plain[c], usable, nullptr);
  out.chosen = lowest(err);
  out.choice_per_fold.assign(static_cast<std::size_t>(folds), out.chosen);
  if (out.nested_available) {
    // sum[k][c]: candidate c's error summed over the inner folds of outer fold k.
    std::vector<std::vector<double>> sum(static_cast<std::size_t>(folds), std::vector<double>(cands, 0.0));
    for (std::size_t j = static_cast<std::size_t>(folds); j < jobs.size(); ++j) {
      for (std::size_t c = 0; c < cands; ++c) {
        sum[static_cast<std::size_t>(jobs[j].a)][c] += pair_err[j][0][c];
        sum[static_cast<std::size_t>(jobs[j].b)][c] += pair_err[j][1][c];
      }
    }
    for (int k = 0; k < folds; ++k) out.choice_per_fold[static_cast<std::size_t>(k)] = lowest(sum[static_cast<std::size_t>(k)]);
  }
  for (std::size_t i = 0; i < n; ++i)
    out.nested[i] = out.plain[static_cast<std::size_t>(out.choice_per_fold[static_cast<std::size_t>(fold_of[i])])][i];
  return out;
}

}  // namespace layer_energy::analysis
