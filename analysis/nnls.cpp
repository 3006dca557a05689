#include "analysis/nnls.hpp"

#include <cmath>
#include <vector>

namespace layer_energy::analysis {

RelativeNnls::RelativeNnls(int columns)
    : g_(Eigen::MatrixXd::Zero(columns, columns)), h_(Eigen::VectorXd::Zero(columns)) {}

void RelativeNnls::add(const double* x, double y, double weight) {
  if (!(y > 0) || !std::isfinite(y)) return;
  const Eigen::Index p = h_.size();
  for (Eigen::Index a = 0; a < p; ++a) {
    const double xa = x[a] / y;
    h_[a] += weight * xa;
    for (Eigen::Index b = 0; b <= a; ++b) g_(a, b) += weight * xa * x[b] / y;
  }
}

Eigen::VectorXd RelativeNnls::solve() const {
  Eigen::MatrixXd g = g_.selfadjointView<Eigen::Lower>();
  return nnls_gram(g, h_);
}

Eigen::VectorXd nnls_gram(const Eigen::MatrixXd& g_in, const Eigen::VectorXd& h_in) {
  const Eigen::Index p = h_in.size();
  // Scale columns to unit diagonal: the columns differ by 20 orders of magnitude (seconds vs MACs).
  Eigen::VectorXd scale = Eigen::VectorXd::Zero(p);
  for (Eigen::Index j = 0; j < p; ++j) scale[j] = g_in(j, j) > 0 ? 1 / std::sqrt(g_in(j, j)) : 0;
  const Eigen::MatrixXd g = scale.asDiagonal() * g_in * scale.asDiagonal();
  const Eigen::VectorXd h = scale.cwiseProduct(h_in);
  Eigen::VectorXd x = Eigen::VectorXd::Zero(p);
  std::vector<char> passive(static_cast<std::size_t>(p), 0);
  const auto solve_passive = [&](Eigen::VectorXd* z) {
    std::vector<Eigen::Index> idx;
    for (Eigen::Index j = 0; j < p; ++j)
      if (passive[static_cast<std::size_t>(j)]) idx.push_back(j);
    z->setZero(p);
    if (idx.empty()) return;
    const Eigen::Index m = static_cast<Eigen::Index>(idx.size());
    Eigen::MatrixXd a(m, m);
    Eigen::VectorXd b(m);
    for (Eigen::Index r = 0; r < m; ++r) {
      b[r] = h[idx[static_cast<std::size_t>(r)]];
      for (Eigen::Index c = 0; c < m; ++c) a(r, c) = g(idx[static_cast<std::size_t>(r)], idx[static_cast<std::size_t>(c)]);
      a(r, r) += 1e-12;
    }
    const Eigen::VectorXd s = a.ldlt().solve(b);
    for (Eigen::Index r = 0; r < m; ++r) (*z)[idx[static_cast<std::size_t>(r)]] = s[r];
  };
  Eigen::VectorXd z(p);
  for (int outer = 0; outer < 3 * p + 3; ++outer) {
    const Eigen::VectorXd w = h - g * x;
    Eigen::Index best = -1;
    double best_w = 1e-10;
    for (Eigen::Index j = 0; j < p; ++j)
      if (!passive[static_cast<std::size_t>(j)] && scale[j] > 0 && w[j] > best_w) best_w = w[j], best = j;
    if (best < 0) break;
    passive[static_cast<std::size_t>(best)] = 1;
    for (int inner = 0; inner < 3 * p + 3; ++inner) {
      solve_passive(&z);
      double alpha = 1;
      bool feasible = true;
      for (Eigen::Index j = 0; j < p; ++j) {
        if (passive[static_cast<std::size_t>(j)] && z[j] <= 0) {
          feasible = false;
          const double d = x[j] - z[j];
          if (d > 0) alpha = std::min(alpha, x[j] / d);
        }
      }
      if (feasible) {
        x = z;
        break;
      }
      x += alpha * (z - x);
      for (Eigen::Index j = 0; j < p; ++j)
        if (passive[static_cast<std::size_t>(j)] && x[j] <= 1e-14) passive[static_cast<std::size_t>(j)] = 0, x[j] = 0;
    }
  }
  return x.cwiseProduct(scale);
}

}  // namespace layer_energy::analysis
