#include "analysis/models.hpp"

#include <Eigen/Dense>
#include <cmath>

namespace layer_energy::analysis {
namespace {

std::array<double, 3> solve_nonneg(const Eigen::Matrix3d& g, const Eigen::Vector3d& h, int p) {
  std::array<bool, 3> active{};
  for (int j = 0; j < p; ++j) active[static_cast<std::size_t>(j)] = g(j, j) > 0;
  std::array<double, 3> coef{};
  for (int round = 0; round < p + 1; ++round) {
    std::vector<int> idx;
    for (int j = 0; j < p; ++j)
      if (active[static_cast<std::size_t>(j)]) idx.push_back(j);
    coef = {};
    if (idx.empty()) return coef;
    const Eigen::Index m = static_cast<Eigen::Index>(idx.size());
    Eigen::MatrixXd a(m, m);
    Eigen::VectorXd b(m), scale(m);
    for (Eigen::Index r = 0; r < m; ++r)
      scale[r] = 1 / std::sqrt(g(idx[static_cast<std::size_t>(r)], idx[static_cast<std::size_t>(r)]));
    for (Eigen::Index r = 0; r < m; ++r) {
      b[r] = h[idx[static_cast<std::size_t>(r)]] * scale[r];
      for (Eigen::Index c = 0; c < m; ++c)
        a(r, c) = g(idx[static_cast<std::size_t>(r)], idx[static_cast<std::size_t>(c)]) * scale[r] * scale[c];
    }
    const Eigen::VectorXd x = a.completeOrthogonalDecomposition().solve(b);
    int worst = -1;
    double worst_value = 0;
    for (Eigen::Index r = 0; r < m; ++r) {
      const double v = x[r] * scale[r];
      coef[static_cast<std::size_t>(idx[static_cast<std::size_t>(r)])] = v;
      if (v < worst_value) worst_value = v, worst = idx[static_cast<std::size_t>(r)];
    }
    if (worst < 0) return coef;
    active[static_cast<std::size_t>(worst)] = false;
  }
  return coef;
}

template <typename Columns>
std::array<double, 3> fit_relative_nonneg(const std::vector<Sample>& samples, const std::vector<int>& rows, int p,
                                          Columns columns);

}  // namespace

const char* model_name(ModelKind kind) {
  switch (kind) {
    case ModelKind::paper:
      return "paper";
    case ModelKind::affine:
      return "affine";
    case ModelKind::traffic:
      return "traffic";
    case ModelKind::poly:
      return "poly";
    case ModelKind::physical:
      return "physical";
  }
  return "?";
}

bool parse_model_kind(const std::string& name, ModelKind* kind) {
  if (name == "better") return *kind = ModelKind::traffic, true;  // schema 1's name of the traffic form
  for (const ModelKind k : model_kinds()) {
    if (name == model_name(k)) {
      *kind = k;
      return true;
    }
  }
  return false;
}

const std::vector<ModelKind>& model_kinds() {
  static const std::vector<ModelKind> kinds = {ModelKind::paper, ModelKind::affine, ModelKind::traffic, ModelKind::poly,
                                                 ModelKind::physical};
  return kinds;
}

double predict(const FittedModel& model, const Sample& s, const TimeEstimate& est) {
  return predict(model, s, s.k, est);
}

double predict(const FittedModel& model, const Sample& s, const KernelFeatures& k, const TimeEstimate& est) {
  const Features& f = s.f;
  switch (model.kind) {
    case ModelKind::paper:
      return law_alpha(model.law, f.k) * f.macs;
    case ModelKind::affine:
      return model.coef[0] + model.coef[1] * f.macs;
    case ModelKind::traffic:
      return model.coef[0] + model.coef[1] * law_alpha(model.law, f.k) * f.macs + model.coef[2] * f.bytes;
    case ModelKind::poly:
      return predict_poly(model.poly, f);
    case ModelKind::physical:
      return model.physical.predict(k, tree_input_of(s, k), est);
  }
  return 0;
}

namespace {

// Non-negative least squares on relative error: minimise Σ (Σ_j c_j·x_ij / E_i − 1)² over c ≥ 0 (p ≤ 3 columns).
template <typename Columns>
std::array<double, 3> fit_relative_nonneg(const std::vector<Sample>& samples, const std::vector<int>& rows, int p,
                                          Columns columns) {
  Eigen::Matrix3d g = Eigen::Matrix3d::Zero();
  Eigen::Vector3d h = Eigen::Vector3d::Zero();
  double x[3] = {0, 0, 0};
  for (const int r : rows) {
    const Sample& s = samples[static_cast<std::size_t>(r)];
    columns(s, x);
    const double inv = 1 / s.energy;
    for (int a = 0; a < p; ++a) {
      const double xa = x[a] * inv;
      h[a] += xa;
      for (int b = 0; b <= a; ++b) g(a, b) += xa * x[b] * inv;
    }
  }
  for (int a = 0; a < p; ++a)
    for (int b = 0; b < a; ++b) g(b, a) = g(a, b);
  return solve_nonneg(g, h, p);
}

}  // namespace

FittedModel fit_affine(const std::vector<Sample>& samples, const std::vector<int>& rows) {
  FittedModel m;
  m.kind = ModelKind::affine;
  m.coef = fit_relative_nonneg(samples, rows, 2, [](const Sample& s, double* x) {
    x[0] = 1;
    x[1] = s.f.macs;
  });
  return m;
}

FittedModel fit_traffic(const std::vector<Sample>& samples, const std::vector<int>& rows, const LawFit& shape) {
  FittedModel m;
  m.kind = ModelKind::traffic;
  m.law = shape;
  m.coef = fit_relative_nonneg(samples, rows, 3, [&shape](const Sample& s, double* x) {
    x[0] = 1;
    x[1] = law_alpha(shape, s.f.k) * s.f.macs;
    x[2] = s.f.bytes;
  });
  return m;
}

}  // namespace layer_energy::analysis
