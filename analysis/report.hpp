// The Markdown report of a fit: data, every form's held-out error per layer type, the conv laws, the chosen models.
#pragma once

#include <string>

#include "analysis/fit_pipeline.hpp"

namespace layer_energy::analysis {

std::string markdown_report(const FitOutcome& outcome, const FitRequest& request);

}  // namespace layer_energy::analysis
