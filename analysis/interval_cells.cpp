#include "analysis/interval_cells.hpp"

#include <cmath>

namespace layer_energy::analysis {
namespace {

IntervalCell parent(IntervalCell c) {
  return c == IntervalCell::conv_1x1 ? IntervalCell::conv : c;
}

std::size_t at(IntervalCell c) {
  return static_cast<std::size_t>(c);
}

}  // namespace

const char* cell_name(IntervalCell c) {
  return c == IntervalCell::conv_1x1 ? "conv_1x1" : class_name(static_cast<LayerClass>(c));
}

IntervalCell interval_cell(const KernelFeatures& f) {
  // geo[5] is log(R·S) for a conv: 0 for a 1x1.
  if (f.cls == LayerClass::conv && std::fabs(f.geo[5]) < 1e-9) return IntervalCell::conv_1x1;
  return static_cast<IntervalCell>(f.cls);
}

const ResidualQuantiles& CellResiduals::for_cell(IntervalCell c) const {
  if (!cell[at(c)].empty()) return cell[at(c)];
  if (!cell[at(parent(c))].empty()) return cell[at(parent(c))];
  return pooled;
}

CellResiduals cell_residuals(const std::vector<IntervalCell>& cells, const std::vector<double>& abs_log_residuals) {
  std::array<std::vector<double>, kIntervalCells> by_cell;
  std::vector<double> pooled;
  for (std::size_t i = 0; i < cells.size() && i < abs_log_residuals.size(); ++i) {
    if (!std::isfinite(abs_log_residuals[i])) continue;
    pooled.push_back(abs_log_residuals[i]);
    by_cell[at(cells[i])].push_back(abs_log_residuals[i]);
  }
  // A child cell too small to stand alone is calibrated with its parent, so the parent keeps the whole class.
  for (int c = 0; c < kIntervalCells; ++c) {
    const IntervalCell cell = static_cast<IntervalCell>(c);
    if (parent(cell) == cell || by_cell[at(cell)].size() >= kMinCellResiduals) continue;
    by_cell[at(parent(cell))].insert(by_cell[at(parent(cell))].end(), by_cell[at(cell)].begin(), by_cell[at(cell)].end());
    by_cell[at(cell)].clear();
  }
  CellResiduals out;
  out.pooled = residual_quantiles(pooled);
  for (std::size_t c = 0; c < by_cell.size(); ++c)
    if (by_cell[c].size() >= kMinCellResiduals) out.cell[c] = residual_quantiles(std::move(by_cell[c]));
  return out;
}

}  // namespace layer_energy::analysis
