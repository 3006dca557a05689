// Applies a model file to layers: energy per layer, and whether the layer lies within what the model was fitted on.
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
  double energy_J = 0;
  bool covered = true;
  std::string reason;  // why not covered (empty when covered)
};

// Every layer gets an energy; covered is false (with the reason) outside the fitted ranges, for an invalid layer, or
// when the model has no part for the layer's type (the other type's model is then used).
Prediction predict_layer(const EnergyModel& model, const layers::Layer& layer, const std::string& name);

// Faster path for repeated use: the chosen form and precision resolved once.
class Predictor {
 public:
  explicit Predictor(const EnergyModel& model);
  double energy(const layers::Layer& layer) const;

 private:
  const FittedModel* conv_ = nullptr;
  const FittedModel* fc_ = nullptr;
  layers::Precision precision_ = layers::Precision::fp32;
};

nlohmann::ordered_json predictions_json(const EnergyModel& model, const std::string& model_path,
                                        const std::vector<Prediction>& predictions);
std::string predictions_table(const std::vector<Prediction>& predictions);

}  // namespace layer_energy::analysis
