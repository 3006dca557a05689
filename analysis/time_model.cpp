#include "analysis/time_model.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

#include "analysis/nnls.hpp"
#include "analysis/parallel.hpp"
#include "analysis/row_sample.hpp"

namespace layer_energy::analysis {
namespace {

constexpr int kParams = 7;  // launch, wave, step, mac, feed, byte, dram

using Columns = std::array<double, kParams>;

// The layer called in a loop (its own bytes between two calls: every row the fit trains on). A network pass adds
// its cold bytes on top (pass_extra_s).
Columns columns(const KernelConfig& k, const KernelFeatures& f, const DramKnee& knee) {
  return {k.launches, k.waves, k.wave_steps, k.crit_macs, k.crit_feed, f.bytes, knee.dram_bytes(f.bytes)};
}

// The heuristic's kernel: the starting assignment of the fit.
Columns default_columns(const KernelFeatures& f, const DramKnee& knee) {
  return columns(f.heuristic, f, knee);
}

// Compute side A (per-wave fill, latency-bound reduction steps, throughput-bound MACs) and memory side B.
double compute_side(const std::array<double, kParams>& c, const std::array<double, kParams>& x) {
  return c[1] * x[1] + c[2] * x[2] + c[3] * x[3] + c[4] * x[4];
}

// The p-norm of (a, b) ≥ 0 that joins the two sides, and its partial derivatives (a/s)^(p−1), (b/s)^(p−1).
// The fitted exponents are 1, 2 and 4: those take no pow() (the fit evaluates this millions of times).
struct Joined {
  double s, da, db;
};
inline Joined join(double a, double b, double p) {
  const double sum = a + b;
  if (p == 1 || !(sum > 0)) return {sum, 1, 1};
  const double hi = std::max(a, b), ra = a / hi, rb = b / hi;
  if (p == 2) {
    const double n = std::sqrt(ra * ra + rb * rb);
    return {hi * n, ra / n, rb / n};
  }
  if (p == 4) {
    const double n = std::sqrt(std::sqrt(ra * ra * ra * ra + rb * rb * rb * rb));
    const double qa = ra / n, qb = rb / n;
    return {hi * n, qa * qa * qa, qb * qb * qb};
  }
  const double n = std::pow(std::pow(ra, p) + std::pow(rb, p), 1 / p);
  return {hi * n, a > 0 ? std::pow(ra / n, p - 1) : 0, b > 0 ? std::pow(rb / n, p - 1) : 0};
}

// The time and its partial derivatives in the compute side A, the on-chip bytes' side B and the DRAM side D.
// q = 0: D is part of the memory side (launch + join_p(A, B + D)); q > 0: the DRAM stream joins the on-chip roofline
// at its own exponent (launch + join_q(join_p(A, B), D)): a prefetched stream overlaps what the core does with
// cached data (q 4), or waits for it (q 1).
struct Evaluated {
  double e, da, db, dd;
};
inline Evaluated evaluate_parts(const Columns& c, const Columns& x, const Exponents& j) {
  const double a = compute_side(c, x), b = c[5] * x[5], d = c[6] * x[6];
  if (!(j.q > 0)) {
    const Joined s = join(a, b + d, j.p);
    return {c[0] * x[0] + s.s, s.da, s.db, s.db};
  }
  const Joined in = join(a, b, j.p), out = join(in.s, d, j.q);
  return {c[0] * x[0] + out.s, out.da * in.da, out.da * in.db, out.db};
}

double evaluate(const Columns& c, const Columns& x, const Exponents& j) {
  return evaluate_parts(c, x, j).e;
}

std::array<double, kParams> as_array(const ClassTime& c) {
  return {c.launch, c.wave, c.step, c.mac, c.feed, c.byte, c.dram};
}

ClassTime from_array(const std::array<double, kParams>& c, std::size_t cases) {
  ClassTime t;
  t.fitted = true;
  t.launch = c[0], t.wave = c[1], t.step = c[2], t.mac = c[3], t.feed = c[4], t.byte = c[5], t.dram = c[6];
  t.cases = cases;
  return t;
}

// Sum of squared log errors.
double log_loss(const std::vector<std::array<double, kParams>>& x, const std::vector<double>& t,
                const std::array<double, kParams>& c, const Exponents& p) {
  double loss = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double e = evaluate(c, x[i], p);
    const double r = e > 0 ? std::log(e / t[i]) : 50;
    loss += r * r;
  }
  return loss;
}

// Levenberg–Marquardt on log-parameters (so they stay positive), from the linear relative fit.
std::array<double, kParams> fit_class(const std::vector<std::array<double, kParams>>& x, const std::vector<double>& t,
                                      const Exponents& p, const std::array<double, kParams>* start, double* loss_out) {
  Eigen::VectorXd init(kParams);
  if (start) {
    for (int j = 0; j < kParams; ++j) init[j] = (*start)[static_cast<std::size_t>(j)];
  } else {
    RelativeNnls lin(kParams);
    for (std::size_t i = 0; i < x.size(); ++i) lin.add(x[i].data(), t[i]);
    init = lin.solve();
  }
  std::array<bool, kParams> active{};
  std::array<double, kParams> floor{}, theta{};
  double t_med = 0;
  {
    std::vector<double> tt(t);
    std::nth_element(tt.begin(), tt.begin() + static_cast<std::ptrdiff_t>(tt.size() / 2), tt.end());
    t_med = tt[tt.size() / 2];
  }
  for (int j = 0; j < kParams; ++j) {
    double col_max = 0;
    std::vector<double> col;
    for (const auto& xi : x) {
      col_max = std::max(col_max, xi[static_cast<std::size_t>(j)]);
      if (xi[static_cast<std::size_t>(j)] > 0) col.push_back(xi[static_cast<std::size_t>(j)]);
    }
    active[static_cast<std::size_t>(j)] = col_max > 0;
    floor[static_cast<std::size_t>(j)] = col_max > 0 ? 1e-6 * t_med / col_max : 0;
    // A term the linear fit dropped starts at a tenth of a typical time: in log-parameters a term at ~0 has no
    // gradient and could never come back.
    double x_med = 0;
    if (!col.empty()) {
      std::nth_element(col.begin(), col.begin() + static_cast<std::ptrdiff_t>(col.size() / 2), col.end());
      x_med = col[col.size() / 2];
    }
    const double revive = x_med > 0 ? 0.1 * t_med / x_med : 0;
    const double c0 = start ? std::max(init[j], floor[static_cast<std::size_t>(j)] * 1e3)
                            : std::max(init[j], revive);
    theta[static_cast<std::size_t>(j)] = active[static_cast<std::size_t>(j)] ? std::log(c0) : -HUGE_VAL;
  }
  const auto params = [&](const std::array<double, kParams>& th) {
    std::array<double, kParams> c{};
    for (int j = 0; j < kParams; ++j)
      c[static_cast<std::size_t>(j)] = active[static_cast<std::size_t>(j)] ? std::exp(th[static_cast<std::size_t>(j)]) : 0;
    return c;
  };
  // The linear fit is the optimum for p = 1 in relative error; keep whichever of it and the refined one is better.
  std::array<double, kParams> best = params(theta);
  double loss = log_loss(x, t, best, p);
  double mu = 1e-3;
  for (int iter = 0; iter < 60; ++iter) {
    const std::array<double, kParams> c = params(theta);
    using Mat = Eigen::Matrix<double, kParams, kParams>;
    using Vec = Eigen::Matrix<double, kParams, 1>;
    Mat a = Mat::Zero();
    Vec g = Vec::Zero();
    for (std::size_t i = 0; i < x.size(); ++i) {
      const std::array<double, kParams>& xi = x[i];
      const Evaluated v = evaluate_parts(c, xi, p);
      const double e = v.e, da = v.da, db = v.db, dd = v.dd;
      if (!(e > 0)) continue;
      Vec jac;
      jac << c[0] * xi[0] / e, da * c[1] * xi[1] / e, da * c[2] * xi[2] / e, da * c[3] * xi[3] / e,
          da * c[4] * xi[4] / e, db * c[5] * xi[5] / e, dd * c[6] * xi[6] / e;
      const double r = std::log(e / t[i]);
      a += jac * jac.transpose();
      g += jac * r;
    }
    bool improved = false;
    for (int attempt = 0; attempt < 8 && !improved; ++attempt) {
      Mat m = a;
      for (int j = 0; j < kParams; ++j) m(j, j) = active[static_cast<std::size_t>(j)] ? a(j, j) * (1 + mu) + 1e-12 : 1;
      Vec rhs = -g;
      for (int j = 0; j < kParams; ++j)
        if (!active[static_cast<std::size_t>(j)]) rhs[j] = 0, m.row(j).setZero(), m.col(j).setZero(), m(j, j) = 1;
      const Vec step = m.ldlt().solve(rhs);
      std::array<double, kParams> next = theta;
      for (int j = 0; j < kParams; ++j) {
        if (!active[static_cast<std::size_t>(j)]) continue;
        next[static_cast<std::size_t>(j)] = std::max(std::log(floor[static_cast<std::size_t>(j)]) - 20,
                                                     theta[static_cast<std::size_t>(j)] + std::max(-5.0, std::min(5.0, step[j])));
      }
      const std::array<double, kParams> cn = params(next);
      const double l = log_loss(x, t, cn, p);
      if (l < loss) {
        improved = true;
        theta = next;
        if (loss - l < 1e-9 * (1 + loss)) iter = 1000;  // converged
        loss = l;
        best = cn;
        mu = std::max(1e-9, mu / 3);
      } else {
        mu *= 4;
      }
    }
    if (!improved) break;
  }
  *loss_out = loss;
  return best;
}

}  // namespace

namespace {

// The fastest candidate kernel under parameters c (the library's algorithm search, as the model sees it), among
// those the split-K rule allows (all of them when it forbids every one).
double fastest(const Columns& c, const KernelFeatures& f, const DramKnee& knee, const Exponents& p, double split_min_reduction,
               int* which) {
  double best = HUGE_VAL;
  if (which) *which = -1;
  bool any_allowed = false;
  for (int k = 0; k < f.n_configs; ++k) any_allowed = any_allowed || f.configs[static_cast<std::size_t>(k)].splits == 1;
  const bool rule = any_allowed && f.reduction < split_min_reduction;
  for (int k = 0; k < f.n_configs; ++k) {
    if (rule && f.configs[static_cast<std::size_t>(k)].splits > 1) continue;
    const double t = evaluate(c, columns(f.configs[static_cast<std::size_t>(k)], f, knee), p);
    if (t < best) {
      best = t;
      if (which) *which = k;
    }
  }
  return f.n_configs > 0 ? best : evaluate(c, default_columns(f, knee), p);
}

// The rows of `rows` with a measured time: what every time fit trains on.
std::vector<int> timed_rows(const std::vector<Sample>& samples, const std::vector<int>& rows) {
  std::vector<int> timed;
  for (const int r : rows)
    if (samples[static_cast<std::size_t>(r)].time > 0) timed.push_back(r);
  return timed;
}

// The split-K rule from the rows that recorded their launches (their candidates are already those of the family
// that ran): the shortest reduction a split ran on; when none split, the longest reduction measured (beyond it the
// library's choice is unknown). 0 when no row recorded launches.
double split_rule(const std::vector<Sample>& samples, const std::vector<int>& rows) {
  double shortest_split = HUGE_VAL, longest_measured = 0;
  bool measured = false;
  for (const int r : rows) {
    const KernelFeatures& f = samples[static_cast<std::size_t>(r)].k;
    if (f.measured_launches <= 0 || f.n_configs == 0) continue;
    measured = true;
    longest_measured = std::max(longest_measured, f.reduction);
    bool split = true;
    for (int k = 0; k < f.n_configs; ++k) split = split && f.configs[static_cast<std::size_t>(k)].splits > 1;
    if (split) shortest_split = std::min(shortest_split, f.reduction);
  }
  if (!measured) return 0;
  return shortest_split < HUGE_VAL ? shortest_split : longest_measured * (1 + 1e-9);
}

// Fits one class: LM on each layer's assigned kernel, then every layer reassigned to its fastest kernel under the
// new parameters, a few rounds (the loss of the min-form never rises).
Columns fit_assigned(const std::vector<Sample>& samples, const std::vector<int>& rows, const DramKnee& knee, const Exponents& p,
                     double split_min_reduction, double* loss_out) {
  std::vector<Columns> x;
  std::vector<double> t;
  for (const int r : rows) {
    x.push_back(default_columns(samples[static_cast<std::size_t>(r)].k, knee));
    t.push_back(samples[static_cast<std::size_t>(r)].time);
  }
  double loss = 0;
  Columns c = fit_class(x, t, p, nullptr, &loss);
  Columns best = c;
  double best_loss = HUGE_VAL;
  for (int round = 0; round < 4; ++round) {
    double min_loss = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const KernelFeatures& f = samples[static_cast<std::size_t>(rows[i])].k;
      int which = -1;
      const double e = fastest(c, f, knee, p, split_min_reduction, &which);
      if (which >= 0) x[i] = columns(f.configs[static_cast<std::size_t>(which)], f, knee);
      const double r = e > 0 ? std::log(e / t[i]) : 50;
      min_loss += r * r;
    }
    if (min_loss < best_loss * (1 - 1e-6)) {
      best_loss = min_loss, best = c;
    } else {
      break;
    }
    c = fit_class(x, t, p, &c, &loss);
  }
  *loss_out = best_loss;
  return best;
}

}  // namespace

const ClassTime& TimeModel::params_for(LayerClass c) const {
  return cls[static_cast<std::size_t>(c)].fitted ? cls[static_cast<std::size_t>(c)] : pooled;
}

double pass_extra_s(const PassTerms& t, const PassCost& cost) {
  if (!(t.cold_bytes > 0)) return 0;
  const double cold = (cost.s_per_cold_byte >= 0 ? cost.s_per_cold_byte : t.loop_s_per_dram_byte) * t.cold_bytes;
  if (!(t.loop_q > 0)) {
    const double memory = t.memory_s + t.dram_s;
    return t.scale * (join(t.compute_s, memory + cold, t.loop_p).s - join(t.compute_s, memory, t.loop_p).s);
  }
  const double cached = join(t.compute_s, t.memory_s, t.loop_p).s;
  return t.scale * (join(cached, t.dram_s + cold, t.loop_q).s - join(cached, t.dram_s, t.loop_q).s);
}

TimeEstimate TimeModel::estimate_parts(const KernelFeatures& f, const TreeInput* x, PassTerms* terms) const {
  TimeEstimate e;
  int which = -1;
  const Columns c = as_array(params_for(f.cls));
  const double loop = fastest(c, f, dram, exponents(), split_min_reduction, &which);
  const double scale = x && !corrector.empty() ? std::exp(corrector.predict(*x)) : 1;
  e.kernel = which >= 0 ? f.configs[static_cast<std::size_t>(which)] : f.heuristic;
  e.t = loop * scale;
  if (f.working_set > f.bytes) {
    const Columns xs = columns(e.kernel, f, dram);
    PassTerms t;
    t.compute_s = compute_side(c, xs), t.memory_s = c[5] * xs[5], t.dram_s = c[6] * xs[6];
    t.cold_bytes = std::max(0.0, dram.dram_bytes(f.bytes, f.working_set) - xs[6]);
    t.loop_s_per_dram_byte = c[6], t.loop_p = p, t.loop_q = q, t.scale = scale;
    e.t += pass_extra_s(t, pass);
    if (terms) *terms = t;
  } else if (terms) {
    *terms = PassTerms{};
  }
  return e;
}

double TimeModel::raw(const KernelFeatures& f) const {
  return estimate_parts(f, nullptr, nullptr).t;
}

double TimeModel::predict(const KernelFeatures& f, const TreeInput& x) const {
  return estimate(f, x).t;
}

TimeEstimate TimeModel::estimate(const KernelFeatures& f, const TreeInput& x) const {
  return estimate_parts(f, &x, nullptr);
}

PassTerms TimeModel::pass_terms(const KernelFeatures& f, const TreeInput& x) const {
  PassTerms t;
  estimate_parts(f, &x, &t);
  return t;
}

TimeModel fit_time_model(const std::vector<Sample>& samples, const std::vector<int>& rows, double cache_bytes,
                         double units, const TimeFitOptions& options) {
  TimeModel m;
  m.units = units;
  m.dram = DramKnee{cache_bytes, false};  // new fits take the smooth step
  const DramKnee& knee = m.dram;
  const std::vector<int> timed = timed_rows(samples, rows);
  if (timed.empty()) return m;
  // A DRAM stream overlapped at q 4 is tried beside p 1 and 2 (at p 4 the one join already overlaps): four fits,
  // two rounds on two cores.
  std::vector<Exponents> exponents;
  for (const double p : options.p > 0 ? std::vector<double>{options.p} : std::vector<double>{1, 2, 4})
    for (const double q : options.q >= 0 ? std::vector<double>{options.q} : std::vector<double>{0, 4})
      if (q == 0 || p < 2 || options.p > 0) exponents.push_back({p, q});
  m.split_min_reduction = split_rule(samples, timed);
  const std::vector<int> pooled_rows = row_sample(timed, kTimeFitRowCap);
  std::vector<Columns> fits(exponents.size());
  std::vector<double> losses(exponents.size(), HUGE_VAL);
  parallel_for(exponents.size(), [&](std::size_t i, std::size_t) {
    fits[i] = fit_assigned(samples, pooled_rows, knee, exponents[i], m.split_min_reduction, &losses[i]);
  });
  double best_loss = HUGE_VAL;
  for (std::size_t i = 0; i < exponents.size(); ++i)
    if (losses[i] < best_loss)
      best_loss = losses[i], m.p = exponents[i].p, m.q = exponents[i].q, m.pooled = from_array(fits[i], timed.size());
  parallel_for(kLayerClasses, [&](std::size_t k, std::size_t) {
    std::vector<int> members;
    for (const int r : timed)
      if (static_cast<std::size_t>(samples[static_cast<std::size_t>(r)].k.cls) == k) members.push_back(r);
    if (members.size() < kMinClassCases) return;
    double loss = 0;
    m.cls[k] = from_array(fit_assigned(samples, row_sample(members, kTimeFitRowCap), knee, m.exponents(), m.split_min_reduction, &loss),
                          members.size());
  });
  m.fitted = true;
  return options.corrector_rounds > 0 ? with_time_corrector(m, samples, rows, options.corrector_rounds) : m;
}

TimeModel with_time_corrector(TimeModel m, const std::vector<Sample>& samples, const std::vector<int>& rows,
                              int rounds) {
  const std::vector<int> timed = timed_rows(samples, rows);
  if (!m.fitted || timed.empty() || rounds <= 0) return m;
  // Only the trained rows, packed (the trees index their inputs by position): no arrays the size of the run.
  std::vector<int> train;
  std::vector<TreeInput> inputs;
  std::vector<double> y;
  for (const int r : row_sample(timed)) {
    const Sample& s = samples[static_cast<std::size_t>(r)];
    train.push_back(static_cast<int>(inputs.size()));
    inputs.push_back(s.tx);
    y.push_back(std::log(s.time / m.raw(s.k)));
  }
  TreeOptions to;
  to.rounds = rounds;
  to.min_leaf = std::max(3, static_cast<int>(train.size() / 200));
  m.corrector = fit_boosted_trees(inputs, y, train, to);
  return m;
}

double choose_cache_knee(const std::vector<Sample>& samples, const std::vector<int>& rows, double units) {
  const std::vector<double> mibs = {0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0};
  std::vector<double> losses(mibs.size(), 0);
  parallel_for(mibs.size(), [&](std::size_t i, std::size_t) {
    TimeFitOptions o;
    o.p = 2, o.q = 0;  // the knee under the form it was chosen with before the DRAM join
    losses[i] = squared_log_error(fit_time_model(samples, rows, mibs[i] * 1024 * 1024, units, o), samples, rows);
  });
  // In order, so a knee wins only by a clear margin over a smaller one (as if searched one after another).
  double best = 0, best_loss = HUGE_VAL;
  for (std::size_t i = 0; i < mibs.size(); ++i)
    if (losses[i] < best_loss * (1 - 1e-3)) best_loss = losses[i], best = mibs[i] * 1024 * 1024;
  return best;
}

double squared_log_error(const TimeModel& m, const std::vector<Sample>& samples, const std::vector<int>& rows,
                         bool as_unseen) {
  double loss = 0;
  for (const int r : rows) {
    const Sample& s = samples[static_cast<std::size_t>(r)];
    if (!(s.time > 0)) continue;
    const double log_ratio = std::log(m.raw(as_unseen ? unseen_features(s) : s.k) / s.time);
    loss += log_ratio * log_ratio;
  }
  return loss;
}

}  // namespace layer_energy::analysis
