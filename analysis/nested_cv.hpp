// Nested grouped cross-validation over a list of candidate procedures (forms and hyper-parameters). The folds of
// the outer CV are reused as the inner ones: the inner CV of outer fold k holds out each other fold j in turn, with
// a model trained on every fold but {k, j} — so one fit per pair of folds serves both (k, j) and (j, k). The
// candidate an outer fold's inner CV picks predicts that fold: the "nested" figure is the error of the whole
// procedure, choice included. The candidate with the lowest plain CV error is the one refitted on all data.
#pragma once

#include <functional>
#include <vector>

namespace layer_energy::analysis {

// Fits every candidate on `train` and writes its predictions for `test` into pred[candidate][row]. Called from several
// threads at once (each with its own `pred`; see parallel.hpp): it must not write shared state unguarded.
using FitPredict = std::function<void(const std::vector<int>& train, const std::vector<int>& test,
                                      std::vector<std::vector<double>>* pred)>;

struct NestedResult {
  std::vector<std::vector<double>> plain;  // [candidate][row]: predicted by the model trained without the row's fold
  std::vector<double> nested;              // [row]: by the candidate the row's outer fold chose in its inner CV
  std::vector<int> choice_per_fold;        // the inner CV's choice per outer fold
  int chosen = 0;                          // lowest plain CV MAPE (earlier candidates win ties within 0.1%)
  bool nested_available = false;           // false with fewer than 3 folds (then nested = plain of `chosen`)
};

// `usable[row]`: rows that count in the error (a measured value > 0); others are still predicted.
NestedResult run_nested_cv(const std::vector<int>& fold_of, int folds, int candidates,
                           const std::vector<double>& measured, const std::vector<char>& usable,
                           const FitPredict& fit_predict);

// MAPE (%) of pred over the usable rows in `rows` (all rows when null); NaN or non-positive predictions count 100%.
double mape_over(const std::vector<double>& measured, const std::vector<double>& pred, const std::vector<char>& usable,
                 const std::vector<int>* rows);

}  // namespace layer_energy::analysis
