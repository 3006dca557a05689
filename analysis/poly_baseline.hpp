// NeuralPower-style baseline: log energy as a sparse polynomial (degree 2 or 3) of log-geometry, fitted by Lasso
// (coordinate descent on sufficient statistics) with the penalty chosen by cross-validation over folds.
#pragma once

#include <Eigen/Dense>
#include <vector>

#include "analysis/features.hpp"

namespace layer_energy::analysis {

struct PolyTerm {
  int i = -1, j = -1, l = -1;  // indices into Features::shape; -1 = absent (product of the present ones)
  double c = 0;
};

struct PolyModel {
  int degree = 2;
  double intercept = 0;
  double smearing = 1;  // back-transform correction of exp(log-scale prediction)
  double lambda = 0;
  std::size_t candidates = 0;   // terms considered
  std::vector<PolyTerm> terms;  // the non-zero ones
};

// Sums over a set of rows of the design φ (all candidate terms) and y = log E.
struct PolyStats {
  double n = 0, u = 0, v = 0;  // count, Σy, Σy²
  Eigen::VectorXd s, t;        // Σφ, Σφy
  Eigen::MatrixXd g;           // Σφφᵀ
};

std::vector<PolyTerm> poly_terms(int degree);
PolyStats poly_stats(const std::vector<Sample>& samples, const std::vector<int>& rows, int degree);
// Fits on the union of folds[use]; λ picked by leave-one-fold-out over those folds (on log squared error).
PolyModel fit_poly(const std::vector<PolyStats>& folds, const std::vector<int>& use, int degree);
double predict_poly(const PolyModel& model, const Features& f);

}  // namespace layer_energy::analysis
