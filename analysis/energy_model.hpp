// Energy as physics: E = P_static·t̂ + e_MAC·MACs_exec + e_operand·operand bytes (tiles re-reading their inputs from
// the cache) + e_byte·bytes + e_DRAM·DRAM bytes + e_launch·launches, with
// t̂ from the time model. The power parameters are fitted on energy against the *measured* time (so P_static is the
// board's static power while a layer runs, in W, and e_MAC is in J per executed MAC); prediction uses t̂. A
// boosted-tree corrector on log-residuals follows. For --target dynamic, P_static is the excess over idle.
#pragma once

#include "analysis/boosted_trees.hpp"
#include "analysis/features.hpp"
#include "analysis/time_model.hpp"

namespace layer_energy::analysis {

struct PhysicalEnergy {
  bool fitted = false;
  double p_static = 0, e_mac = 0, e_mac_exec = 0, e_operand = 0, e_byte = 0, e_dram = 0, e_launch = 0;
  DramKnee dram;  // the time model's knee and form (DRAM bytes: dram_knee.hpp)
  BoostedTrees corrector;

  // `est`: the time (measured or predicted) and the kernel whose work is counted.
  double raw(const KernelFeatures& f, const TimeEstimate& est) const;
  double predict(const KernelFeatures& f, const TreeInput& x, const TimeEstimate& est) const;
};

// The time model's estimate per sample (indexed like `samples`; filled for `rows` only; the heuristic's kernel at t = 0
// when the model is not fitted). A training set computes these once and shares them among its energy candidates.
std::vector<TimeEstimate> time_estimates(const std::vector<Sample>& samples, const std::vector<int>& rows,
                                         const TimeModel& time);

// Rows with energy > 0; `time` gives t̂ for rows without a measured time and for the corrector.
PhysicalEnergy fit_physical_energy(const std::vector<Sample>& samples, const std::vector<int>& rows,
                                   const TimeModel& time, int corrector_rounds);
// The same with the estimates precomputed (time_estimates over at least `rows`).
PhysicalEnergy fit_physical_energy(const std::vector<Sample>& samples, const std::vector<int>& rows,
                                   const std::vector<TimeEstimate>& estimates, const DramKnee& dram,
                                   int corrector_rounds);

}  // namespace layer_energy::analysis
