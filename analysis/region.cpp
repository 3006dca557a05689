#include "analysis/region.hpp"

#include <fmt/format.h>

#include <cmath>
#include <iterator>

namespace layer_energy::analysis {
namespace {

const char* const kConvNames[kGeoVars] = {"N", "C/groups", "H", "W", "K", "R*S", "stride", "groups"};
const char* const kFcNames[kGeoVars] = {"N", "in", "out", "-", "-", "-", "-", "-"};

bool is_fc(const KernelFeatures& f) {
  return f.cls == LayerClass::fc_gemv || f.cls == LayerClass::fc_gemm;
}

}  // namespace

Region fit_region(const std::vector<Sample>& samples, const std::vector<int>& rows) {
  Region region;
  if (rows.empty()) return region;
  using Vec = Eigen::Matrix<double, kGeoVars, 1>;
  using Mat = Eigen::Matrix<double, kGeoVars, kGeoVars>;
  Vec sum = Vec::Zero();
  for (const int r : rows) sum += Eigen::Map<const Vec>(samples[static_cast<std::size_t>(r)].k.geo.data());
  region.mean = sum / static_cast<double>(rows.size());
  Mat cov = Mat::Zero();
  for (const int r : rows) {
    const Vec d = Eigen::Map<const Vec>(samples[static_cast<std::size_t>(r)].k.geo.data()) - region.mean;
    cov += d * d.transpose();
  }
  cov /= static_cast<double>(rows.size());
  for (int j = 0; j < kGeoVars; ++j) {
    region.constant[static_cast<std::size_t>(j)] = cov(j, j) < 1e-12;
    if (region.constant[static_cast<std::size_t>(j)]) {
      cov.row(j).setZero(), cov.col(j).setZero();
      cov(j, j) = 1;
    }
  }
  // A small ridge: grids leave some directions nearly flat.
  cov += 1e-6 * (cov.trace() / kGeoVars) * Mat::Identity();
  region.inverse = cov.inverse();
  for (int j = 0; j < kGeoVars; ++j)
    if (region.constant[static_cast<std::size_t>(j)]) region.inverse.row(j).setZero(), region.inverse.col(j).setZero();
  region.fitted = true;
  for (const int r : rows) region.max_distance = std::max(region.max_distance, region_distance(region, samples[static_cast<std::size_t>(r)].k));
  return region;
}

double region_distance(const Region& region, const KernelFeatures& f) {
  const Eigen::Matrix<double, kGeoVars, 1> d = Eigen::Map<const Eigen::Matrix<double, kGeoVars, 1>>(f.geo.data()) - region.mean;
  return std::sqrt(std::max(0.0, d.dot(region.inverse * d)));
}

RegionCheck check_region(const Region& region, const KernelFeatures& f) {
  RegionCheck out;
  if (!region.fitted) return out;
  const char* const* names = is_fc(f) ? kFcNames : kConvNames;
  for (int j = 0; j < kGeoVars; ++j) {
    if (!region.constant[static_cast<std::size_t>(j)]) continue;
    if (std::fabs(f.geo[static_cast<std::size_t>(j)] - region.mean[j]) > 1e-9) {
      out.inside = false;
      fmt::format_to(std::back_inserter(out.reason), "{}{}={:g} but every fitted layer has {}={:g}",
                     out.reason.empty() ? "" : "; ", names[j], std::exp(f.geo[static_cast<std::size_t>(j)]), names[j],
                     std::exp(region.mean[j]));
    }
  }
  const double d = region_distance(region, f);
  out.ratio = region.max_distance > 0 ? d / region.max_distance : (d > 0 ? HUGE_VAL : 0);
  if (d > region.max_distance * 1.05 + 1e-9) {
    out.inside = false;
    fmt::format_to(std::back_inserter(out.reason),
                   "{}outside the fitted region (distance {:.2f}, fitted layers at most {:.2f})",
                   out.reason.empty() ? "" : "; ", d, region.max_distance);
  }
  if (!out.inside) out.ratio = std::max(out.ratio, 1.0);
  return out;
}

}  // namespace layer_energy::analysis
