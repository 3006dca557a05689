// The model file: {"schema": "layer-energy-model/1", "board", "power_source", "target", "models": {"conv", "fc"},
// "ranges": {...}, "cv": {...}} — written by energy_fit, read by energy_predict.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "analysis/models.hpp"

namespace layer_energy::analysis {

constexpr const char* kModelSchema = "layer-energy-model/1";

struct Range {
  double lo = 0, hi = 0;
};

struct TypeModel {
  std::string chosen;                         // the model energy_predict uses
  std::map<std::string, FittedModel> models;  // by model name (paper, affine, better, poly)
  std::vector<LawFit> laws;                   // conv: every candidate law (reported)
  std::map<std::string, Range> ranges;        // fitted input ranges by field (N, C, ..., macs)
};

struct EnergyModel {
  std::string board, power_source, target = "total", precision = "fp32";
  bool has_conv = false, has_fc = false;
  TypeModel conv, fc;
  nlohmann::json cv = nlohmann::json::object();
};

nlohmann::json law_to_json(const LawFit& law);
nlohmann::json model_to_json(const EnergyModel& model);
// Throws std::runtime_error naming the missing or bad field.
EnergyModel model_from_json(const nlohmann::json& doc);
EnergyModel read_model_file(const std::string& path);

}  // namespace layer_energy::analysis
