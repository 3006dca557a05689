#include "analysis/fitter.hpp"

#include <algorithm>
#include <stdexcept>

#include "analysis/cv.hpp"

namespace layer_energy::analysis {
namespace {

std::vector<Law> candidate_laws(layers::LayerType type) {
  if (type == layers::LayerType::fc) return {Law::constant};
  return conv_laws();
}

std::string law_key(Law law) {
  return std::string("law:") + law_name(law);
}

const LawFit& lowest_loss(const std::vector<LawFit>& fits) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < fits.size(); ++i)
    if (fits[i].loss < fits[best].loss) best = i;
  return fits[best];
}

}  // namespace

TypeFit fit_type(const std::vector<Sample>& samples, const FitOptions& options) {
  if (samples.empty()) throw std::invalid_argument("fit_type: no samples");
  TypeFit fit;
  fit.type = samples.front().f.type;
  fit.cases = samples.size();
  std::vector<int> groups(samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) groups[i] = samples[i].group;
  fit.fold_of = assign_folds(groups, options.folds, options.seed);
  const int folds = fold_count(fit.fold_of);
  {
    std::vector<int> ids(groups);
    std::sort(ids.begin(), ids.end());
    fit.groups = static_cast<std::size_t>(std::unique(ids.begin(), ids.end()) - ids.begin());
  }
  const std::vector<Law> laws = candidate_laws(fit.type);
  std::vector<std::string> names;
  for (const Law law : laws) names.push_back(law_key(law));
  for (const ModelKind kind : model_kinds())
    if (kind != ModelKind::poly || options.poly) names.push_back(model_name(kind));
  for (const std::string& name : names) fit.heldout[name].assign(samples.size(), 0.0);

  std::vector<PolyStats> poly_folds;
  std::vector<int> train, test;
  if (folds >= 2) {
    fit.folds = folds;
    if (options.poly) {
      for (int k = 0; k < folds; ++k) {
        split_fold(fit.fold_of, groups, k, &train, &test);
        poly_folds.push_back(poly_stats(samples, test, options.poly_degree));
      }
    }
    for (int k = 0; k < folds; ++k) {
      split_fold(fit.fold_of, groups, k, &train, &test);
      const std::vector<KStat> stats = k_stats(samples, &train);
      std::vector<LawFit> law_fits;
      for (const Law law : laws) law_fits.push_back(fit_law(law, stats));
      FittedModel affine = fit_affine(samples, train);
      FittedModel better = fit_better(samples, train, lowest_loss(law_fits));
      FittedModel poly;
      if (options.poly) {
        std::vector<int> use;
        for (int j = 0; j < folds; ++j)
          if (j != k) use.push_back(j);
        poly.kind = ModelKind::poly;
        poly.poly = fit_poly(poly_folds, use, options.poly_degree);
      }
      for (const int r : test) {
        const Features& f = samples[static_cast<std::size_t>(r)].f;
        const auto row = static_cast<std::size_t>(r);
        for (std::size_t l = 0; l < laws.size(); ++l)
          fit.heldout[law_key(laws[l])][row] = law_alpha(law_fits[l], f.k) * f.macs;
        fit.heldout["affine"][row] = predict(affine, f);
        fit.heldout["better"][row] = predict(better, f);
        if (options.poly) fit.heldout["poly"][row] = predict(poly, f);
      }
    }
    std::vector<double> measured(samples.size());
    for (std::size_t i = 0; i < samples.size(); ++i) measured[i] = samples[i].energy;
    for (const Law law : laws) fit.cv[law_key(law)] = metrics_of(measured, fit.heldout[law_key(law)]);
    fit.chosen_law = laws.front();
    for (const Law law : laws)
      if (fit.cv[law_key(law)].mape < fit.cv[law_key(fit.chosen_law)].mape) fit.chosen_law = law;
    fit.heldout["paper"] = fit.heldout[law_key(fit.chosen_law)];
    for (const ModelKind kind : model_kinds()) {
      const std::string name = model_name(kind);
      if (fit.heldout.count(name)) fit.cv[name] = metrics_of(measured, fit.heldout[name]);
    }
  }

  // Refit on all data.
  fit.per_k = k_stats(samples, nullptr);
  for (const Law law : laws) fit.laws.push_back(fit_law(law, fit.per_k));
  if (folds < 2) fit.chosen_law = lowest_loss(fit.laws).law;
  std::vector<int> all(samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) all[i] = static_cast<int>(i);
  FittedModel paper;
  paper.kind = ModelKind::paper;
  for (const LawFit& l : fit.laws)
    if (l.law == fit.chosen_law) paper.law = l;
  fit.models["paper"] = paper;
  fit.models["affine"] = fit_affine(samples, all);
  fit.models["better"] = fit_better(samples, all, lowest_loss(fit.laws));
  if (options.poly) {
    if (poly_folds.empty()) poly_folds.push_back(poly_stats(samples, all, options.poly_degree));
    std::vector<int> use;
    for (std::size_t j = 0; j < poly_folds.size(); ++j) use.push_back(static_cast<int>(j));
    FittedModel poly;
    poly.kind = ModelKind::poly;
    poly.poly = fit_poly(poly_folds, use, options.poly_degree);
    fit.models["poly"] = poly;
  }
  fit.chosen = "paper";  // the simplest form, kept unless another is lower by more than 0.1% (relative)
  for (const auto& kv : fit.models) {
    const auto it = fit.cv.find(kv.first);
    if (it != fit.cv.end() && it->second.mape < fit.cv[fit.chosen].mape * (1 - 1e-3)) fit.chosen = kv.first;
  }
  return fit;
}

}  // namespace layer_energy::analysis
