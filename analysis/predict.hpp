// Applies a model file to layers: time and energy per layer with a prediction interval, whether the layer lies in
// what the model was fitted on, and whether the figure is a measurement (a configuration the model's data holds)
// or the model's.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/model_json.hpp"
#include "layers/layer.hpp"

namespace layer_energy::analysis {

struct Prediction {
  std::string name;
  layers::LayerType type = layers::LayerType::conv;
  double macs = 0;
  double time_s = 0;                       // NaN: the model has no time part
  double energy_J = 0;                     // NaN: a time-only model
  double energy_lo_J = 0, energy_hi_J = 0;  // NaN: no interval (schema 1 model, time-only)
  bool covered = true;
  std::string reason;          // why not covered, or why a figure is missing (empty otherwise)
  std::string source = "model";  // "model" or "measured"
};

struct PredictOptions {
  double level = 0.9;      // interval level
  bool use_measured = true;  // false: always the model (the report's network check)
  // Bytes a network pass touches between two calls of the layer (Σ of its layers' bytes), 0: the layer alone, as
  // benchmarked in a loop. Inside a pass larger than the cache the layer's data comes from DRAM (DramKnee); a
  // measured configuration is then scaled by the model's ratio of the two.
  double working_set_bytes = 0;
};

// The precision the model's data was measured in (fp32 when the model does not say).
layers::Precision precision_of(const EnergyModel& model);

// Every layer gets a prediction; covered is false (with the reason) outside the fitted region, for an invalid
// layer, or when the model has no part for the layer's type (the other type's part is then used).
Prediction predict_layer(const EnergyModel& model, const layers::Layer& layer, const std::string& name,
                         const PredictOptions& options = PredictOptions());

// The layer's in-pass time terms under the model (what a pass calibration weighs; pass_cost.hpp). Empty for a layer
// type the model has no time part for.
PassTerms pass_terms_of(const EnergyModel& model, const layers::Layer& layer, double working_set_bytes);

// Faster path for repeated use (the benchmark's per-layer figure): energy with its interval.
class Predictor {
 public:
  explicit Predictor(const EnergyModel& model, double level = 0.9);
  double energy(const layers::Layer& layer) const;
  // Energy and the interval's bounds.
  double energy_with_interval(const layers::Layer& layer, double* lo, double* hi) const;

 private:
  const EnergyModel& model_;
  double q_[2][kIntervalCells] = {};
  layers::Precision precision_ = layers::Precision::fp32;
};

nlohmann::ordered_json predictions_json(const EnergyModel& model, const std::string& model_path,
                                        const std::vector<Prediction>& predictions, double level);
std::string predictions_table(const std::vector<Prediction>& predictions);

}  // namespace layer_energy::analysis
