// The fitted region as a joint check, not per-field boxes: the Mahalanobis distance of a layer's log geometry from
// the fitted layers' mean, against the largest distance among the fitted layers themselves. A field that never
// varied in the fit (e.g. groups = 1 throughout) must match exactly.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "analysis/features.hpp"

namespace layer_energy::analysis {

struct Region {
  bool fitted = false;
  Eigen::Matrix<double, kGeoVars, 1> mean = Eigen::Matrix<double, kGeoVars, 1>::Zero();
  Eigen::Matrix<double, kGeoVars, kGeoVars> inverse = Eigen::Matrix<double, kGeoVars, kGeoVars>::Zero();
  std::array<bool, kGeoVars> constant{};  // the variable did not vary among the fitted layers
  double max_distance = 0;                // largest distance of a fitted layer
};

Region fit_region(const std::vector<Sample>& samples, const std::vector<int>& rows);
double region_distance(const Region& region, const KernelFeatures& f);

struct RegionCheck {
  bool inside = true;
  double ratio = 0;    // distance / largest fitted distance
  std::string reason;  // empty when inside
};

// `names`: the geometry variables' names for the layer's type (for the reason).
RegionCheck check_region(const Region& region, const KernelFeatures& f);

}  // namespace layer_energy::analysis
