// Fits one layer type: the time model, then the energy forms, each under nested grouped CV (the choice of form and
// hyper-parameters inside the folds); leave-one-level-out over three geometry variables (extrapolation); conformal
// interval residuals per layer class from the nested held-out predictions; the winners refitted on all data.
#pragma once

#include <array>
#include <map>
#include <string>
#include <vector>

#include "analysis/interval_cells.hpp"
#include "analysis/laws.hpp"
#include "analysis/metrics.hpp"
#include "analysis/models.hpp"
#include "analysis/region.hpp"
#include "analysis/time_model.hpp"

namespace layer_energy::analysis {

struct FitOptions {
  int folds = 5;
  unsigned seed = 1;
  bool poly = true;  // the sparse polynomial baseline (the slowest form)
  int poly_degree = 2;  // the highest degree tried (1..degree compete in the nested CV)
  bool level_out = true;  // leave-one-level-out checks
  int corrector_rounds = 75;
  double interval_level = 0.9;  // the level whose coverage the report checks
  double units = 0;             // parallel units the kernel features assume (0: from the samples' own features)
  double cache_bytes = -1;      // DRAM knee (−1: choose by training loss)
  double power_headroom_W = 0;  // the power limit left for the target's energy (power_cap.hpp; 0: no limit seen)
};

// One check's figures: held-out predictions and their metrics.
struct Check {
  Metrics metrics;
  std::vector<double> predicted;  // per sample (NaN where not predicted)
};

struct TypeFit {
  layers::LayerType type = layers::LayerType::conv;
  std::size_t cases = 0, groups = 0;
  std::size_t timed = 0, with_energy = 0;  // samples with a measured time / energy
  int folds = 0;                           // 0: too few configurations for CV
  bool nested_available = false;
  std::vector<int> fold_of;

  // Time.
  bool has_time = false;
  std::map<std::string, Metrics> time_cv;  // plain CV per time candidate (at the nominal clock: no power limit)
  bool power_limited = false;              // the nested and level-out times include the power limit (power_cap.hpp)
  std::string time_chosen;
  Check time_nested;
  std::map<std::string, Metrics> time_level_out;  // by left-out variable
  TimeModel time;                                 // chosen, on all data

  // Energy.
  bool has_energy = false;
  std::vector<LawFit> laws;  // every candidate law on all data
  Law chosen_law = Law::constant;
  std::vector<KStat> per_k;                           // free slope per K on all data (α(K) plot)
  std::map<std::string, Metrics> cv;                  // plain CV per candidate ("law:power", "poly:2", "physical", ...)
  std::map<std::string, std::vector<double>> heldout;  // plain CV predictions per candidate
  std::map<std::string, FittedModel> models;          // refits on all data: paper, affine, traffic, poly, physical...
  std::string chosen;                                 // the form energy_predict uses
  std::vector<std::string> nested_choices;            // per outer fold
  Check nested;                                       // the whole procedure, held out
  std::map<std::string, Metrics> level_out;
  CellResiduals residuals;  // |log(measured/predicted)| of the nested CV, per interval cell
  Region region;
};

// All samples must have the same type. Throws std::invalid_argument when `samples` is empty.
TypeFit fit_type(const std::vector<Sample>& samples, const FitOptions& options);

// Candidate names as the report and the model file use them.
std::string model_key_of_candidate(const std::string& candidate);

}  // namespace layer_energy::analysis
