#include "analysis/time_model.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

#include "analysis/nnls.hpp"

namespace layer_energy::analysis {
namespace {

constexpr int kParams = 4;  // launch, mac, byte, dram

std::array<double, kParams> columns(const KernelFeatures& f, double cache_bytes) {
  const double dram = cache_bytes > 0 ? std::max(0.0, f.bytes - cache_bytes) : 0;
  return {f.launches, f.crit_macs, f.bytes, dram};
}

double evaluate(const std::array<double, kParams>& c, const std::array<double, kParams>& x, double p) {
  const double a = c[1] * x[1], b = c[2] * x[2] + c[3] * x[3];
  double s = a + b;
  if (p != 1 && s > 0) {
    const double hi = std::max(a, b);
    s = hi * std::pow(std::pow(a / hi, p) + std::pow(b / hi, p), 1 / p);
  }
  return c[0] * x[0] + s;
}

std::array<double, kParams> as_array(const ClassTime& c) {
  return {c.launch, c.mac, c.byte, c.dram};
}

ClassTime from_array(const std::array<double, kParams>& c, std::size_t cases) {
  ClassTime t;
  t.fitted = true;
  t.launch = c[0], t.mac = c[1], t.byte = c[2], t.dram = c[3];
  t.cases = cases;
  return t;
}

// Sum of squared log errors.
double log_loss(const std::vector<std::array<double, kParams>>& x, const std::vector<double>& t,
                const std::array<double, kParams>& c, double p) {
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
                                      double p, double* loss_out) {
  RelativeNnls lin(kParams);
  for (std::size_t i = 0; i < x.size(); ++i) lin.add(x[i].data(), t[i]);
  const Eigen::VectorXd init = lin.solve();
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
    for (const auto& xi : x) col_max = std::max(col_max, xi[static_cast<std::size_t>(j)]);
    active[static_cast<std::size_t>(j)] = col_max > 0;
    floor[static_cast<std::size_t>(j)] = col_max > 0 ? 1e-6 * t_med / col_max : 0;
    const double c0 = std::max(init[j], floor[static_cast<std::size_t>(j)] * 1e3);
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
    Eigen::Matrix4d a = Eigen::Matrix4d::Zero();
    Eigen::Vector4d g = Eigen::Vector4d::Zero();
    for (std::size_t i = 0; i < x.size(); ++i) {
      const std::array<double, kParams>& xi = x[i];
      const double av = c[1] * xi[1], bv = c[2] * xi[2] + c[3] * xi[3];
      double s = av + bv, da = 1, db = 1;
      if (p != 1 && s > 0) {
        const double hi = std::max(av, bv);
        s = hi * std::pow(std::pow(av / hi, p) + std::pow(bv / hi, p), 1 / p);
        da = av > 0 ? std::pow(av / s, p - 1) : 0;
        db = bv > 0 ? std::pow(bv / s, p - 1) : 0;
      }
      const double e = c[0] * xi[0] + s;
      if (!(e > 0)) continue;
      const Eigen::Vector4d jac(c[0] * xi[0] / e, da * av / e, db * c[2] * xi[2] / e, db * c[3] * xi[3] / e);
      const double r = std::log(e / t[i]);
      a += jac * jac.transpose();
      g += jac * r;
    }
    bool improved = false;
    for (int attempt = 0; attempt < 8 && !improved; ++attempt) {
      Eigen::Matrix4d m = a;
      for (int j = 0; j < kParams; ++j) m(j, j) = active[static_cast<std::size_t>(j)] ? a(j, j) * (1 + mu) + 1e-12 : 1;
      Eigen::Vector4d rhs = -g;
      for (int j = 0; j < kParams; ++j)
        if (!active[static_cast<std::size_t>(j)]) rhs[j] = 0, m.row(j).setZero(), m.col(j).setZero(), m(j, j) = 1;
      const Eigen::Vector4d step = m.ldlt().solve(rhs);
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
        if (loss - l < 1e-10 * (1 + loss)) iter = 1000;
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

double TimeModel::raw(const KernelFeatures& f) const {
  const ClassTime& c = cls[static_cast<std::size_t>(f.cls)].fitted ? cls[static_cast<std::size_t>(f.cls)] : pooled;
  return evaluate(as_array(c), columns(f, cache_bytes), p);
}

double TimeModel::predict(const KernelFeatures& f, const TreeInput& x) const {
  const double t = raw(f);
  return corrector.empty() ? t : t * std::exp(corrector.predict(x));
}

TimeModel fit_time_model(const std::vector<Sample>& samples, const std::vector<int>& rows, double cache_bytes,
                         double units, const TimeFitOptions& options) {
  TimeModel m;
  m.units = units;
  m.cache_bytes = cache_bytes;
  std::vector<int> timed;
  for (const int r : rows)
    if (samples[static_cast<std::size_t>(r)].time > 0) timed.push_back(r);
  if (timed.empty()) return m;
  const auto gather = [&](const std::vector<int>& which, std::vector<std::array<double, kParams>>* x,
                          std::vector<double>* t) {
    x->clear(), t->clear();
    for (const int r : which) {
      x->push_back(columns(samples[static_cast<std::size_t>(r)].k, cache_bytes));
      t->push_back(samples[static_cast<std::size_t>(r)].time);
    }
  };
  std::vector<std::array<double, kParams>> x;
  std::vector<double> t;
  gather(timed, &x, &t);
  const std::vector<double> exponents = options.p > 0 ? std::vector<double>{options.p} : std::vector<double>{1, 2, 4};
  double best_loss = HUGE_VAL;
  for (const double p : exponents) {
    double loss = 0;
    const std::array<double, kParams> c = fit_class(x, t, p, &loss);
    if (loss < best_loss) best_loss = loss, m.p = p, m.pooled = from_array(c, x.size());
  }
  for (int k = 0; k < kLayerClasses; ++k) {
    std::vector<int> members;
    for (const int r : timed)
      if (static_cast<int>(samples[static_cast<std::size_t>(r)].k.cls) == k) members.push_back(r);
    if (members.size() < kMinClassCases) continue;
    gather(members, &x, &t);
    double loss = 0;
    m.cls[static_cast<std::size_t>(k)] = from_array(fit_class(x, t, m.p, &loss), members.size());
  }
  m.fitted = true;
  if (options.corrector_rounds > 0) {
    std::vector<TreeInput> inputs(samples.size());
    std::vector<double> y(samples.size(), 0);
    for (const int r : timed) {
      const Sample& s = samples[static_cast<std::size_t>(r)];
      inputs[static_cast<std::size_t>(r)] = s.tx;
      y[static_cast<std::size_t>(r)] = std::log(s.time / m.raw(s.k));
    }
    TreeOptions to;
    to.rounds = options.corrector_rounds;
    to.min_leaf = std::max(3, static_cast<int>(timed.size() / 200));
    m.corrector = fit_boosted_trees(inputs, y, timed, to);
  }
  return m;
}

double choose_cache_knee(const std::vector<Sample>& samples, const std::vector<int>& rows, double units) {
  double best = 0, best_loss = HUGE_VAL;
  for (const double mib : {0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0}) {
    TimeFitOptions o;
    o.p = 2;
    const TimeModel m = fit_time_model(samples, rows, mib * 1024 * 1024, units, o);
    double loss = 0;
    for (const int r : rows) {
      const Sample& s = samples[static_cast<std::size_t>(r)];
      if (s.time > 0) loss += std::pow(std::log(m.raw(s.k) / s.time), 2);
    }
    if (loss < best_loss * (1 - 1e-3)) best_loss = loss, best = mib * 1024 * 1024;
  }
  return best;
}

}  // namespace layer_energy::analysis
