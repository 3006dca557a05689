#include "analysis/poly_baseline.hpp"

#include <cmath>

namespace layer_energy::analysis {
namespace {

double term_value(const PolyTerm& t, const Features& f) {
  double v = 1;
  if (t.i >= 0) v *= f.shape[static_cast<std::size_t>(t.i)];
  if (t.j >= 0) v *= f.shape[static_cast<std::size_t>(t.j)];
  if (t.l >= 0) v *= f.shape[static_cast<std::size_t>(t.l)];
  return v;
}

PolyStats sum_of(const std::vector<PolyStats>& folds, const std::vector<int>& use) {
  PolyStats total = folds[static_cast<std::size_t>(use.front())];
  for (std::size_t k = 1; k < use.size(); ++k) {
    const PolyStats& f = folds[static_cast<std::size_t>(use[k])];
    total.n += f.n, total.u += f.u, total.v += f.v;
    total.s += f.s, total.t += f.t, total.g += f.g;
  }
  return total;
}

struct Lasso {
  Eigen::MatrixXd gc;  // centred Σφφᵀ
  Eigen::VectorXd tc;  // centred Σφy
  Eigen::VectorXd sd;  // column standard deviations (0: constant column, left out)
  Eigen::VectorXd mu;
  double n = 0, ybar = 0;
};

Lasso centred(const PolyStats& st) {
  Lasso l;
  l.n = st.n;
  l.mu = st.s / st.n;
  l.ybar = st.u / st.n;
  l.gc = st.g - st.n * l.mu * l.mu.transpose();
  l.tc = st.t - st.n * l.ybar * l.mu;
  l.sd = (l.gc.diagonal() / st.n).cwiseMax(0.0).cwiseSqrt();
  for (Eigen::Index j = 0; j < l.sd.size(); ++j)
    if (l.sd[j] < 1e-9) l.sd[j] = 0;
  return l;
}

void coordinate_descent(const Lasso& l, double lambda, Eigen::VectorXd* beta) {
  Eigen::VectorXd q = l.gc * *beta;
  const Eigen::Index p = beta->size();
  for (int sweep = 0; sweep < 500; ++sweep) {
    double change = 0;
    for (Eigen::Index j = 0; j < p; ++j) {
      if (l.sd[j] == 0) continue;
      const double gjj = l.gc(j, j);
      const double rho = l.tc[j] - q[j] + gjj * (*beta)[j];
      const double thr = l.n * lambda * l.sd[j];
      const double next = rho > thr ? (rho - thr) / gjj : rho < -thr ? (rho + thr) / gjj : 0.0;
      const double delta = next - (*beta)[j];
      if (delta != 0) {
        q += l.gc.col(j) * delta;
        (*beta)[j] = next;
        change = std::max(change, std::fabs(delta) * l.sd[j]);
      }
    }
    if (change < 1e-7) break;
  }
}

double validation_sse(const PolyStats& f, const Lasso& train, const Eigen::VectorXd& beta) {
  const double b0 = train.ybar - train.mu.dot(beta);
  return f.v - 2 * b0 * f.u - 2 * beta.dot(f.t) + f.n * b0 * b0 + 2 * b0 * f.s.dot(beta) + beta.dot(f.g * beta);
}

std::vector<double> lambda_path(const Lasso& l) {
  double lmax = 0;
  for (Eigen::Index j = 0; j < l.tc.size(); ++j)
    if (l.sd[j] > 0) lmax = std::max(lmax, std::fabs(l.tc[j]) / (l.n * l.sd[j]));
  std::vector<double> path;
  const int steps = 16;
  for (int i = 0; i < steps; ++i) path.push_back(lmax * std::pow(1e-4, static_cast<double>(i) / (steps - 1)));
  return path;
}

}  // namespace

std::vector<PolyTerm> poly_terms(int degree) {
  std::vector<PolyTerm> terms;
  for (int i = 0; i < kShapeVars; ++i) {
    terms.push_back({i, -1, -1, 0});
    if (degree < 2) continue;
    for (int j = i; j < kShapeVars; ++j) {
      terms.push_back({i, j, -1, 0});
      if (degree < 3) continue;
      for (int l = j; l < kShapeVars; ++l) terms.push_back({i, j, l, 0});
    }
  }
  return terms;
}

PolyStats poly_stats(const std::vector<Sample>& samples, const std::vector<int>& rows, int degree) {
  const std::vector<PolyTerm> terms = poly_terms(degree);
  const Eigen::Index p = static_cast<Eigen::Index>(terms.size());
  PolyStats st;
  st.s = Eigen::VectorXd::Zero(p);
  st.t = Eigen::VectorXd::Zero(p);
  st.g = Eigen::MatrixXd::Zero(p, p);
  // Blocks of rows through a dense matrix so the Gram update runs as one rank-k product.
  const Eigen::Index block = 512;
  Eigen::MatrixXd phi(p, block);
  Eigen::VectorXd y(block);
  std::size_t r = 0;
  while (r < rows.size()) {
    const Eigen::Index m = static_cast<Eigen::Index>(std::min<std::size_t>(rows.size() - r, block));
    for (Eigen::Index b = 0; b < m; ++b) {
      const Sample& s = samples[static_cast<std::size_t>(rows[r + static_cast<std::size_t>(b)])];
      for (Eigen::Index k = 0; k < p; ++k) phi(k, b) = term_value(terms[static_cast<std::size_t>(k)], s.f);
      y[b] = std::log(s.energy);
    }
    const auto cols = phi.leftCols(m);
    st.g.selfadjointView<Eigen::Lower>().rankUpdate(cols);
    st.s += cols.rowwise().sum();
    st.t += cols * y.head(m);
    st.u += y.head(m).sum();
    st.v += y.head(m).squaredNorm();
    st.n += static_cast<double>(m);
    r += static_cast<std::size_t>(m);
  }
  const Eigen::MatrixXd full = st.g.selfadjointView<Eigen::Lower>();
  st.g = full;
  return st;
}

PolyModel fit_poly(const std::vector<PolyStats>& folds, const std::vector<int>& use, int degree) {
  const PolyStats all = sum_of(folds, use);
  const Lasso full = centred(all);
  const std::vector<double> path = lambda_path(full);
  std::vector<double> sse(path.size(), 0.0);
  if (use.size() >= 2) {
    for (const int held : use) {
      std::vector<int> rest;
      for (const int k : use)
        if (k != held) rest.push_back(k);
      const Lasso train = centred(sum_of(folds, rest));
      Eigen::VectorXd beta = Eigen::VectorXd::Zero(all.s.size());
      for (std::size_t i = 0; i < path.size(); ++i) {
        coordinate_descent(train, path[i], &beta);
        sse[i] += validation_sse(folds[static_cast<std::size_t>(held)], train, beta);
      }
    }
  }
  std::size_t best = path.size() - 1;
  if (use.size() >= 2)
    for (std::size_t i = 0; i < path.size(); ++i)
      if (sse[i] < sse[best]) best = i;
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(all.s.size());
  for (std::size_t i = 0; i <= best; ++i) coordinate_descent(full, path[i], &beta);
  PolyModel model;
  model.degree = degree;
  model.lambda = path[best];
  std::vector<PolyTerm> terms = poly_terms(degree);
  model.candidates = terms.size();
  for (std::size_t k = 0; k < terms.size(); ++k) {
    const double c = beta[static_cast<Eigen::Index>(k)];
    if (c == 0) continue;
    terms[k].c = c;
    model.terms.push_back(terms[k]);
  }
  model.intercept = full.ybar - full.mu.dot(beta);
  // exp(E[log E]) is the median, not the mean: the lognormal smearing factor exp(σ²/2) of the training residuals.
  const double train_sse = (all.v - all.n * full.ybar * full.ybar) - 2 * beta.dot(full.tc) + beta.dot(full.gc * beta);
  model.smearing = std::exp(0.5 * std::max(0.0, train_sse / all.n));
  return model;
}

double predict_poly(const PolyModel& model, const Features& f) {
  double y = model.intercept;
  for (const PolyTerm& t : model.terms) y += t.c * term_value(t, f);
  return model.smearing * std::exp(y);
}

}  // namespace layer_energy::analysis
