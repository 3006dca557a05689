#include "analysis/fitter.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <stdexcept>

#include "analysis/cv.hpp"
#include "analysis/nested_cv.hpp"
#include "analysis/parallel.hpp"
#include "analysis/power_cap.hpp"

namespace layer_energy::analysis {
namespace {

struct EnergyCandidate {
  std::string name;
  ModelKind kind = ModelKind::paper;
  Law law = Law::constant;
  int degree = 0;  // poly
  int rounds = 0;  // physical: corrector rounds
};

std::vector<EnergyCandidate> energy_candidates(layers::LayerType type, const FitOptions& o, bool with_time) {
  std::vector<EnergyCandidate> out;
  const std::vector<Law> laws = type == layers::LayerType::fc ? std::vector<Law>{Law::constant} : conv_laws();
  for (const Law law : laws) out.push_back({std::string("law:") + law_name(law), ModelKind::paper, law, 0, 0});
  out.push_back({"affine", ModelKind::affine, Law::constant, 0, 0});
  out.push_back({"traffic", ModelKind::traffic, Law::constant, 0, 0});
  if (o.poly)
    for (int d = 1; d <= std::max(1, o.poly_degree); ++d)
      out.push_back({"poly:" + std::to_string(d), ModelKind::poly, Law::constant, d, 0});
  if (with_time) {
    out.push_back({"physical", ModelKind::physical, Law::constant, 0, 0});
    if (o.corrector_rounds > 0) out.push_back({"physical+trees", ModelKind::physical, Law::constant, 0, o.corrector_rounds});
  }
  return out;
}

struct TimeCandidate {
  std::string name;
  int rounds = 0;
};

std::vector<TimeCandidate> time_candidates(const FitOptions& o) {
  std::vector<TimeCandidate> out = {{"roofline", 0}};
  if (o.corrector_rounds > 0) out.push_back({"roofline+trees", o.corrector_rounds});
  return out;
}

// A held-out row's time as an unmeasured layer's: without the launches its run recorded.
TimeEstimate unseen_estimate(const TimeModel& t, const Sample& s) {
  const KernelFeatures& k = unseen_features(s);
  return t.estimate(k, tree_input_of(s, k));
}

const LawFit& lowest_loss(const std::vector<LawFit>& fits) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < fits.size(); ++i)
    if (fits[i].loss < fits[best].loss) best = i;
  return fits[best];
}

Metrics metrics_where(const std::vector<double>& measured, const std::vector<double>& pred,
                      const std::vector<char>& usable) {
  std::vector<double> m, p;
  for (std::size_t i = 0; i < measured.size(); ++i) {
    if (!usable[i] || !std::isfinite(pred[i])) continue;
    m.push_back(measured[i]);
    p.push_back(pred[i]);
  }
  return metrics_of(m, p);
}

// Fits the candidates of one layer type on any set of training rows.
class Fitting {
 public:
  Fitting(const std::vector<Sample>& samples, const FitOptions& options, const std::vector<int>& fold_of, int folds,
          double cache_bytes)
      : s_(samples), o_(options), fold_of_(fold_of), folds_(folds), cache_(cache_bytes) {}

  TimeModel fit_time(const std::vector<int>& train, int rounds) const {
    TimeFitOptions to;
    to.corrector_rounds = rounds;
    to.p = exponents_.p, to.q = exponents_.q;
    return fit_time_model(s_, at_nominal_clock(train), cache_, o_.units, to);
  }
  // The soft-max exponents of every later time fit: like the cache knee, a discrete shape choice made once on all
  // rows (the folds would pick them by their own training loss; it costs six fits each).
  void fix_exponents(const Exponents& e) { exponents_ = e; }

  TimeModel add_corrector(const TimeModel& base, const std::vector<int>& train, int rounds) const {
    return with_time_corrector(base, s_, at_nominal_clock(train), rounds);
  }

  // The rows the time model learns from: those the power limit did not slow (all of them when none did).
  std::vector<int> at_nominal_clock(const std::vector<int>& train) const {
    std::vector<int> out;
    for (const int r : train)
      if (!s_[static_cast<std::size_t>(r)].capped) out.push_back(r);
    return out.size() >= 3 ? out : train;
  }

  // Energy rows of `train`.
  std::vector<int> with_energy(const std::vector<int>& train) const {
    std::vector<int> out;
    for (const int r : train)
      if (s_[static_cast<std::size_t>(r)].energy > 0) out.push_back(r);
    return out;
  }

  // `estimates`: the time model's per row (time_estimates over at least train_all), shared by a training set's
  // candidates; computed here when null.
  FittedModel fit_energy(const EnergyCandidate& c, const std::vector<int>& train_all, const TimeModel* time,
                         const std::vector<TimeEstimate>* estimates = nullptr) const {
    const std::vector<int> train = with_energy(train_all);
    FittedModel m;
    m.kind = c.kind;
    switch (c.kind) {
      case ModelKind::paper:
        m.law = fit_law(c.law, k_stats(s_, &train));
        break;
      case ModelKind::affine:
        m = fit_affine(s_, train);
        break;
      case ModelKind::traffic: {
        const std::vector<KStat> stats = k_stats(s_, &train);
        std::vector<LawFit> fits;
        for (const Law law : laws()) fits.push_back(fit_law(law, stats));
        m = fit_traffic(s_, train, lowest_loss(fits));
        break;
      }
      case ModelKind::poly:
        m.poly = fit_poly_on(train, c.degree);
        break;
      case ModelKind::physical:
        m.physical = estimates ? fit_physical_energy(s_, train, *estimates, time->dram, c.rounds)
                               : fit_physical_energy(s_, train, *time, c.rounds);
        break;
    }
    return m;
  }

  std::vector<Law> laws() const {
    return s_.front().f.type == layers::LayerType::fc ? std::vector<Law>{Law::constant} : conv_laws();
  }

 private:
  // λ is chosen by CV over the training rows' own folds; per-fold sufficient statistics make that cheap.
  PolyModel fit_poly_on(const std::vector<int>& train, int degree) const {
    std::vector<std::vector<int>> by_fold(static_cast<std::size_t>(std::max(1, folds_)));
    for (const int r : train) by_fold[static_cast<std::size_t>(std::max(0, fold_of_[static_cast<std::size_t>(r)]))].push_back(r);
    std::vector<PolyStats> stats;
    std::vector<int> use;
    for (const std::vector<int>& rows : by_fold) {
      if (rows.empty()) continue;
      use.push_back(static_cast<int>(stats.size()));
      stats.push_back(poly_stats(s_, rows, degree));
    }
    return fit_poly(stats, use, degree);
  }

  const std::vector<Sample>& s_;
  const FitOptions& o_;
  const std::vector<int>& fold_of_;
  int folds_;
  double cache_;
  Exponents exponents_{0, -1};  // p 0, q < 0: each fit chooses
};

// Leave-one-level-out groups of one variable: its distinct values in at most 8 contiguous bins.
std::vector<std::vector<int>> level_bins(const std::vector<Sample>& samples, int var) {
  std::vector<double> values;
  for (const Sample& s : samples) values.push_back(s.f.level[static_cast<std::size_t>(var)]);
  std::vector<double> distinct(values);
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  if (distinct.size() < 3) return {};
  const std::size_t bins = std::min<std::size_t>(8, distinct.size());
  std::vector<std::vector<int>> out(bins);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const std::size_t rank = static_cast<std::size_t>(std::lower_bound(distinct.begin(), distinct.end(), values[i]) - distinct.begin());
    out[rank * bins / distinct.size()].push_back(static_cast<int>(i));
  }
  return out;
}

std::vector<int> complement(std::size_t n, const std::vector<int>& rows) {
  std::vector<char> in(n, 0);
  for (const int r : rows) in[static_cast<std::size_t>(r)] = 1;
  std::vector<int> out;
  for (std::size_t i = 0; i < n; ++i)
    if (!in[i]) out.push_back(static_cast<int>(i));
  return out;
}

// Cross-conformal coverage: each fold's residuals against the quantile of the other folds' residuals, per interval
// cell as energy_predict takes it.
double cross_conformal_coverage(const std::vector<IntervalCell>& cells, const std::vector<double>& abs_r,
                                const std::vector<int>& fold_of, int folds, double level) {
  double inside = 0, n = 0;
  for (int k = 0; k < folds; ++k) {
    std::vector<double> others(abs_r);
    for (std::size_t i = 0; i < others.size(); ++i)
      if (fold_of[i] == k) others[i] = std::nan("");
    const CellResiduals calibration = cell_residuals(cells, others);
    for (std::size_t i = 0; i < abs_r.size(); ++i) {
      if (fold_of[i] != k || !std::isfinite(abs_r[i])) continue;
      const ResidualQuantiles& rq = calibration.for_cell(cells[i]);
      if (rq.empty()) continue;
      inside += abs_r[i] <= conformal_q(rq, level) ? 1 : 0;
      n += 1;
    }
  }
  return n > 0 ? inside / n : -1;
}

}  // namespace

std::string model_key_of_candidate(const std::string& candidate) {
  if (candidate.rfind("law:", 0) == 0) return "paper";
  if (candidate.rfind("poly:", 0) == 0) return "poly";
  return candidate;
}

TypeFit fit_type(const std::vector<Sample>& samples, const FitOptions& options) {
  if (samples.empty()) throw std::invalid_argument("fit_type: no samples");
  TypeFit fit;
  const std::size_t n = samples.size();
  fit.type = samples.front().f.type;
  fit.cases = n;
  std::vector<int> groups(n), all(n);
  std::vector<double> time(n), energy(n);
  std::vector<char> timed(n), powered(n);
  for (std::size_t i = 0; i < n; ++i) {
    groups[i] = samples[i].group;
    all[i] = static_cast<int>(i);
    time[i] = samples[i].time;
    energy[i] = samples[i].energy;
    timed[i] = samples[i].time > 0;
    powered[i] = samples[i].energy > 0;
    fit.timed += timed[i] ? 1 : 0;
    fit.with_energy += powered[i] ? 1 : 0;
  }
  fit.has_time = fit.timed >= 3;
  fit.has_energy = fit.with_energy > 0;
  fit.fold_of = assign_folds(groups, options.folds, options.seed);
  const int folds = fold_count(fit.fold_of);
  {
    std::vector<int> ids(groups);
    std::sort(ids.begin(), ids.end());
    fit.groups = static_cast<std::size_t>(std::unique(ids.begin(), ids.end()) - ids.begin());
  }
  const double cache = !fit.has_time ? 0 : options.cache_bytes >= 0 ? options.cache_bytes : choose_cache_knee(samples, all, options.units);
  Fitting fitting(samples, options, fit.fold_of, folds, cache);
  // The roofline on all rows chooses the exponent every later fit uses, and is the all-rows base itself (fitted with
  // that exponent it would come out the same).
  const TimeModel all_rows_base = fit.has_time ? fitting.fit_time(all, 0) : TimeModel();
  if (fit.has_time) fitting.fix_exponents(all_rows_base.exponents());

  // Time: nested CV over the time candidates; each training set's models kept for the energy pass.
  const std::vector<TimeCandidate> tc = time_candidates(options);
  // Fitted once per training set (the folds run in parallel: the map is guarded, the fits run outside the lock). The
  // roofline is fitted once; each corrected candidate adds its trees to it.
  std::map<std::vector<int>, std::vector<TimeModel>> time_of_train;
  std::mutex time_mutex;
  const auto fit_times = [&](const std::vector<int>& train) -> const std::vector<TimeModel>& {
    {
      const std::lock_guard<std::mutex> lock(time_mutex);
      auto it = time_of_train.find(train);
      if (it != time_of_train.end()) return it->second;
    }
    std::vector<TimeModel> models;
    const TimeModel base = train == all ? all_rows_base : fitting.fit_time(train, 0);
    for (const TimeCandidate& c : tc) models.push_back(c.rounds > 0 ? fitting.add_corrector(base, train, c.rounds) : base);
    const std::lock_guard<std::mutex> lock(time_mutex);
    return time_of_train.emplace(train, std::move(models)).first->second;
  };
  std::size_t time_choice = 0;
  if (fit.has_time && folds >= 2) {
    fit.folds = folds;
    const NestedResult r = run_nested_cv(
        fit.fold_of, folds, static_cast<int>(tc.size()), time, timed,
        [&](const std::vector<int>& train, const std::vector<int>& test, std::vector<std::vector<double>>* pred) {
          const std::vector<TimeModel>& models = fit_times(train);
          for (std::size_t c = 0; c < tc.size(); ++c)
            for (const int row : test) (*pred)[c][static_cast<std::size_t>(row)] = unseen_estimate(models[c], samples[static_cast<std::size_t>(row)]).t;
        });
    for (std::size_t c = 0; c < tc.size(); ++c) fit.time_cv[tc[c].name] = metrics_where(time, r.plain[c], timed);
    time_choice = static_cast<std::size_t>(r.chosen);
    fit.time_nested.predicted = r.nested;
    fit.time_nested.metrics = metrics_where(time, r.nested, timed);
    fit.nested_available = r.nested_available;
  }
  if (fit.has_time) {
    fit.time_chosen = tc[time_choice].name;
    fit.time = fit_times(all)[time_choice];
  }

  // Energy: nested CV over the forms; the physical ones use the chosen time model of the same training rows.
  const std::vector<EnergyCandidate> ec = energy_candidates(fit.type, options, fit.has_time);
  std::size_t energy_choice = 0;
  std::vector<double> abs_r(n, std::nan(""));
  std::vector<IntervalCell> cells(n);
  for (std::size_t i = 0; i < n; ++i) cells[i] = interval_cell(samples[i].k);
  if (fit.has_energy && folds >= 2) {
    fit.folds = folds;
    const NestedResult r = run_nested_cv(
        fit.fold_of, folds, static_cast<int>(ec.size()), energy, powered,
        [&](const std::vector<int>& train, const std::vector<int>& test, std::vector<std::vector<double>>* pred) {
          const TimeModel* t = fit.has_time ? &fit_times(train)[time_choice] : nullptr;
          // One time estimate per row for every candidate: the training rows as measured, the test rows as unseen.
          std::vector<TimeEstimate> est = t ? time_estimates(samples, train, *t) : std::vector<TimeEstimate>(n);
          if (t)
            for (const int row : test) est[static_cast<std::size_t>(row)] = unseen_estimate(*t, samples[static_cast<std::size_t>(row)]);
          for (std::size_t c = 0; c < ec.size(); ++c) {
            const FittedModel m = fitting.fit_energy(ec[c], train, t, &est);
            for (const int row : test) {
              const Sample& s = samples[static_cast<std::size_t>(row)];
              (*pred)[c][static_cast<std::size_t>(row)] = predict(m, s, unseen_features(s), est[static_cast<std::size_t>(row)]);
            }
          }
        });
    for (std::size_t c = 0; c < ec.size(); ++c) {
      fit.cv[ec[c].name] = metrics_where(energy, r.plain[c], powered);
      fit.heldout[ec[c].name] = r.plain[c];
    }
    energy_choice = static_cast<std::size_t>(r.chosen);
    for (const int k : r.choice_per_fold) fit.nested_choices.push_back(ec[static_cast<std::size_t>(k)].name);
    fit.nested.predicted = r.nested;
    fit.nested.metrics = metrics_where(energy, r.nested, powered);
    fit.nested_available = r.nested_available;
    for (std::size_t i = 0; i < n; ++i)
      if (powered[i] && r.nested[i] > 0) abs_r[i] = std::fabs(std::log(energy[i] / r.nested[i]));
    fit.nested.metrics.coverage = cross_conformal_coverage(cells, abs_r, fit.fold_of, folds, options.interval_level);
    // A held-out layer's time as energy_predict gives it: no shorter than its held-out energy over the power limit.
    if (fit.has_time && options.power_headroom_W > 0) {
      for (std::size_t i = 0; i < n; ++i)
        fit.time_nested.predicted[i] = time_under_cap(fit.time_nested.predicted[i], r.nested[i], options.power_headroom_W);
      fit.time_nested.metrics = metrics_where(time, fit.time_nested.predicted, timed);
      fit.power_limited = true;
    }
  }

  // Interval residuals per cell (a cell with too few joins its parent, then the type's pool).
  fit.residuals = cell_residuals(cells, abs_r);

  // Leave-one-level-out with the chosen procedures.
  if (options.level_out) {
    // Every (variable, left-out level) pair is one job; a variable's levels are disjoint, so its jobs write
    // disjoint rows of tp[v] and ep[v].
    struct LevelJob {
      int v;
      std::vector<int> test, train;
    };
    std::vector<LevelJob> jobs;
    for (int v = 0; v < 3; ++v) {
      for (std::vector<int>& test : level_bins(samples, v)) {
        std::vector<int> train = complement(n, test);
        if (train.size() >= 5) jobs.push_back({v, std::move(test), std::move(train)});
      }
    }
    std::vector<std::vector<double>> tps(3, std::vector<double>(n, std::nan(""))), eps = tps;
    parallel_for(jobs.size(), [&](std::size_t j, std::size_t) {
      const LevelJob& job = jobs[j];
      TimeModel t;
      if (fit.has_time) t = fitting.fit_time(job.train, tc[time_choice].rounds);
      std::vector<TimeEstimate> est = fit.has_time ? time_estimates(samples, job.train, t) : std::vector<TimeEstimate>(n);
      if (fit.has_time)
        for (const int row : job.test) est[static_cast<std::size_t>(row)] = unseen_estimate(t, samples[static_cast<std::size_t>(row)]);
      FittedModel m;
      if (fit.has_energy) m = fitting.fit_energy(ec[energy_choice], job.train, fit.has_time ? &t : nullptr, &est);
      for (const int row : job.test) {
        const Sample& s = samples[static_cast<std::size_t>(row)];
        const TimeEstimate& th = est[static_cast<std::size_t>(row)];
        double& tp = tps[static_cast<std::size_t>(job.v)][static_cast<std::size_t>(row)];
        tp = th.t;
        if (!fit.has_energy) continue;
        const double e = predict(m, s, unseen_features(s), th);
        eps[static_cast<std::size_t>(job.v)][static_cast<std::size_t>(row)] = e;
        tp = time_under_cap(tp, e, options.power_headroom_W);
      }
    });
    for (int v = 0; v < 3; ++v) {
      const bool any = std::any_of(jobs.begin(), jobs.end(), [v](const LevelJob& job) { return job.v == v; });
      if (!any) continue;
      const std::vector<double>& tp = tps[static_cast<std::size_t>(v)];
      const std::vector<double>& ep = eps[static_cast<std::size_t>(v)];
      const std::string name = level_name(fit.type, v);
      if (fit.has_time) fit.time_level_out[name] = metrics_where(time, tp, timed);
      if (fit.has_energy) fit.level_out[name] = metrics_where(energy, ep, powered);
    }
  }

  // Refit on all data.
  fit.region = fit_region(samples, all);
  if (!fit.has_energy) return fit;
  const std::vector<int> with_energy = fitting.with_energy(all);
  fit.per_k = k_stats(samples, &with_energy);
  for (const Law law : fitting.laws()) fit.laws.push_back(fit_law(law, fit.per_k));
  const TimeModel* t = fit.has_time ? &fit.time : nullptr;
  const std::vector<TimeEstimate> all_estimates = t ? time_estimates(samples, all, *t) : std::vector<TimeEstimate>();
  // The paper's law and the polynomial's degree: the candidates of their family with the lowest CV error.
  const auto best_of = [&](ModelKind kind) {
    const EnergyCandidate* best = nullptr;
    for (const EnergyCandidate& c : ec)
      if (c.kind == kind && (!best || (fit.cv.count(c.name) && fit.cv[c.name].mape < fit.cv[best->name].mape))) best = &c;
    return best;
  };
  fit.chosen_law = best_of(ModelKind::paper)->law;
  if (folds < 2) fit.chosen_law = lowest_loss(fit.laws).law;
  std::vector<const EnergyCandidate*> refit;
  for (const EnergyCandidate& c : ec) {
    if (c.kind == ModelKind::paper && c.law != fit.chosen_law) continue;
    if (c.kind == ModelKind::poly && c.name != best_of(ModelKind::poly)->name) continue;
    refit.push_back(&c);
  }
  std::vector<FittedModel> refitted(refit.size());
  parallel_for(refit.size(), [&](std::size_t i, std::size_t) {
    refitted[i] = fitting.fit_energy(*refit[i], all, t, t ? &all_estimates : nullptr);
  });
  for (std::size_t i = 0; i < refit.size(); ++i) {
    const EnergyCandidate& c = *refit[i];
    const std::string key = model_key_of_candidate(c.name);
    fit.models[key] = std::move(refitted[i]);
    if (fit.cv.count(c.name) && !fit.cv.count(key)) {
      fit.cv[key] = fit.cv[c.name];
      fit.heldout[key] = fit.heldout[c.name];
    }
  }
  fit.chosen = model_key_of_candidate(ec[energy_choice].name);
  if (folds < 2) fit.chosen = "paper";
  return fit;
}

}  // namespace layer_energy::analysis
