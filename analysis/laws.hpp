// Laws for the energy per MAC as a function of the kernel count K (the paper's conv form E = α(K)·MACs), fitted on
// relative error: with x = MACs/E per case, the loss Σ (α(K)·x − 1)² depends on the data only through per-K sums.
#pragma once

#include <string>
#include <vector>

#include "analysis/features.hpp"

namespace layer_energy::analysis {

enum class Law { constant, power, inverse, tile };  // a | a·K^−b | a + b/K | a·w·⌈K/w⌉/K

const char* law_name(Law law);
const char* law_formula(Law law);
bool parse_law(const std::string& name, Law* law);
// The candidates for conv, in report order.
const std::vector<Law>& conv_laws();

struct LawFit {
  Law law = Law::constant;
  double a = 0, b = 0;
  double w = 1;     // tile width (tile law)
  double loss = 0;  // Σ relative squared error on the data it was fitted on
};

double law_alpha(const LawFit& fit, double k);

// Per distinct K: sxx = Σ x², sx = Σ x, n; the best free slope for that K is sx / sxx.
struct KStat {
  double k = 0, sxx = 0, sx = 0, n = 0;
  double log_k = 0;  // log(k): the power law's α evaluates exp(−b·log k) (no pow per K and step)
  double slope() const { return sx / sxx; }
};

// Statistics over the rows `rows` of `samples` (all rows when `rows` is null), sorted by K.
std::vector<KStat> k_stats(const std::vector<Sample>& samples, const std::vector<int>* rows);
LawFit fit_law(Law law, const std::vector<KStat>& stats);
double law_loss(const LawFit& fit, const std::vector<KStat>& stats);

}  // namespace layer_energy::analysis
