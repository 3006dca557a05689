// The cells split-conformal intervals are calibrated in (Mondrian conformal prediction): the contract's layer
// classes, with the dense convs split into pointwise (1x1) and spatial ones. Pointwise convs are most of a modern
// network's convs and are harder to predict than the 3x3 ones (little reuse, latency- and memory-bound at small
// maps): calibrated together, the spatial convs' small residuals set the interval, and real networks' 1x1 layers
// fell outside it far more often than 10% of the time.
#pragma once

#include <array>
#include <vector>

#include "analysis/conformal.hpp"
#include "analysis/kernel_features.hpp"

namespace layer_energy::analysis {

// The first four are the LayerClass values (their names too: a model written before the split reads as is).
enum class IntervalCell { conv, grouped, fc_gemv, fc_gemm, conv_1x1 };
constexpr int kIntervalCells = 5;
constexpr std::size_t kMinCellResiduals = 20;  // fewer: the cell's rows join its parent's (conv_1x1 -> conv), then the pool

const char* cell_name(IntervalCell c);
IntervalCell interval_cell(const KernelFeatures& f);

struct CellResiduals {
  std::array<ResidualQuantiles, kIntervalCells> cell;  // empty where too few
  ResidualQuantiles pooled;                            // every residual of the type
  // The cell's own, else its parent's, else the pool's.
  const ResidualQuantiles& for_cell(IntervalCell c) const;
};

// `abs_log_residuals[i]` of row i in cell `cells[i]`; non-finite ones are skipped.
CellResiduals cell_residuals(const std::vector<IntervalCell>& cells, const std::vector<double>& abs_log_residuals);

}  // namespace layer_energy::analysis
