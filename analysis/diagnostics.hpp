// Warnings about the data rather than the fit: one configuration measured with different algorithms, a run whose
// cases split into distinct power regimes (board state not fixed), throttled cases.
#pragma once

#include <string>
#include <vector>

#include "analysis/features.hpp"
#include "analysis/records.hpp"

namespace layer_energy::analysis {

void algorithm_warnings(const std::vector<Case>& cases, std::vector<std::string>* warnings);
void throttle_warnings(const std::vector<Case>& cases, std::vector<std::string>* warnings);
// Repetitions flagged `contended` (layer_bench: the threads waited for a CPU), which the reader leaves out.
void contention_warnings(const std::vector<Case>& cases, std::vector<std::string>* warnings);
// Mean power of each case against a static + dynamic power fit on the same cases (measured times): a large gap
// that splits the cases into two sizeable groups means two board states. `names`: case name per sample.
void power_regime_warnings(const std::vector<Sample>& samples, const std::vector<const Case*>& cases,
                           std::vector<std::string>* warnings);

}  // namespace layer_energy::analysis
