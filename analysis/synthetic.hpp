// Synthetic layer_bench data from a known ground truth (seeded): for the fitter's tests and its benchmark.
#pragma once

#include <string>
#include <vector>

#include "analysis/features.hpp"
#include "analysis/laws.hpp"
#include "layers/layer.hpp"

namespace layer_energy::analysis {

struct SyntheticTruth {
  LawFit conv_law;          // α(K) of conv layers
  double fc_alpha = 2e-11;  // J per MAC of FC layers
  double offset_J = 0;      // constant energy per call added to every layer
  double per_byte_J = 0;    // energy per compulsory byte
  double noise = 0.02;      // relative sd of the multiplicative Gaussian noise
};

double true_energy(const SyntheticTruth& truth, const layers::Layer& layer);

// Random, valid conv and FC layers (groups 1, fp32); K drawn from a set of counts that separates the laws.
std::vector<layers::Layer> random_layers(std::size_t conv, std::size_t fc, unsigned seed);

// One sample per layer (group = index), energy = truth·(1 + noise·N(0,1)).
std::vector<Sample> synthetic_samples(const SyntheticTruth& truth, const std::vector<layers::Layer>& layers,
                                      unsigned seed);

// A Google Benchmark JSON result with `repetitions` iteration records per layer (counters as layer_bench writes
// them), the context's board and power source set.
std::string synthetic_result_json(const SyntheticTruth& truth, const std::vector<layers::Layer>& layers,
                                  int repetitions, unsigned seed);

}  // namespace layer_energy::analysis
