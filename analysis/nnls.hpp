// Non-negative least squares on relative error — the fit every linear form here uses, since APE is the metric:
// minimise Σ_i (Σ_j c_j·x_ij / y_i − 1)² over c ≥ 0 (Lawson–Hanson active set on the Gram matrix).
#pragma once

#include <Eigen/Dense>

namespace layer_energy::analysis {

// Accumulates G = Σ (x/y)(x/y)ᵀ and h = Σ x/y, then solves.
class RelativeNnls {
 public:
  explicit RelativeNnls(int columns);
  void add(const double* x, double y, double weight = 1);
  // Columns with no data get 0.
  Eigen::VectorXd solve() const;
  int columns() const { return static_cast<int>(h_.size()); }

 private:
  Eigen::MatrixXd g_;
  Eigen::VectorXd h_;
};

// min ½cᵀGc − hᵀc over c ≥ 0 (G symmetric positive semi-definite).
Eigen::VectorXd nnls_gram(const Eigen::MatrixXd& g, const Eigen::VectorXd& h);

}  // namespace layer_energy::analysis
