// Fits every form for one layer type under grouped k-fold CV, picks the conv law and the overall model by held-out
// MAPE, and refits the winners on all data.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "analysis/laws.hpp"
#include "analysis/metrics.hpp"
#include "analysis/models.hpp"

namespace layer_energy::analysis {

struct FitOptions {
  int folds = 5;
  unsigned seed = 1;
  bool poly = true;  // the sparse polynomial baseline (the slowest part)
  int poly_degree = 2;
};

struct TypeFit {
  layers::LayerType type = layers::LayerType::conv;
  std::size_t cases = 0, groups = 0;
  int folds = 0;             // 0: too few configurations for CV
  std::vector<LawFit> laws;  // every candidate law fitted on all data
  Law chosen_law = Law::constant;
  std::map<std::string, Metrics> cv;                   // "law:power", ..., and one per model name
  std::map<std::string, FittedModel> models;           // refits on all data, by model name
  std::string chosen;                                  // model with the lowest held-out MAPE
  std::map<std::string, std::vector<double>> heldout;  // held-out prediction per sample, by model name
  std::vector<KStat> per_k;                            // free slope per K on all data (α(K) plot)
  std::vector<int> fold_of;
};

// All samples must have the same type. Throws std::invalid_argument when `samples` is empty.
TypeFit fit_type(const std::vector<Sample>& samples, const FitOptions& options);

}  // namespace layer_energy::analysis
