// The model file (schema "layer-energy-model/2"): {"schema", "board", "power_source", "target", "precision",
// "hardware", "models": {"conv", "fc"}, "time_models", "intervals", "measured", "ranges", "region", "cv"} — written
// by energy_fit, read by energy_predict. Schema 1 files (energy forms only) are still read.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "analysis/interval_cells.hpp"
#include "analysis/hardware.hpp"
#include "analysis/measured_index.hpp"
#include "analysis/models.hpp"
#include "analysis/range_fields.hpp"
#include "analysis/region.hpp"
#include "analysis/time_model.hpp"

namespace layer_energy::analysis {

constexpr const char* kModelSchema = "layer-energy-model/2";
constexpr const char* kModelSchemaV1 = "layer-energy-model/1";

struct Range {
  double lo = 0, hi = 0;
};

struct TypeModel {
  std::string chosen;                         // the energy form energy_predict uses ("" in a time-only model)
  std::map<std::string, FittedModel> models;  // by form name (paper, affine, traffic, poly, physical, ...)
  std::vector<LawFit> laws;                   // conv: every candidate law (reported)
  // Fitted input ranges by field (N, C, ..., macs); std::less<> so a prediction looks a field up without a string.
  std::map<std::string, Range, std::less<>> ranges;
  // `ranges` in range_fields.hpp's order for this part's type (index_for_prediction); unknown fields unchecked.
  struct RangeEntry {
    bool known = false;
    Range range;
  };
  bool range_table_built = false;
  std::array<RangeEntry, kMaxRangeFields> range_table{};
  bool has_time = false;
  std::string time_chosen;
  TimeModel time;
  CellResiduals residuals;  // interval residuals per cell (those too small: empty)
  Region region;
};

struct EnergyModel {
  int schema = 2;
  std::string board, power_source, target = "total", precision = "fp32";
  bool has_energy = true;  // false: a time-only model (fitted from --power=none results)
  Hardware hardware;
  bool has_conv = false, has_fc = false;
  TypeModel conv, fc;
  double interval_level = 0.9;  // the level the report checked
  std::unordered_map<std::string, Measured> measured;  // by case name (the model file's key)
  MeasuredIndex measured_index;  // the same by shape (index_for_prediction); what predictions look up
  nlohmann::json cv = nlohmann::json::object();
};

nlohmann::json law_to_json(const LawFit& law);
nlohmann::json model_to_json(const EnergyModel& model);
// Throws std::runtime_error naming the missing or bad field.
EnergyModel model_from_json(const nlohmann::json& doc);
EnergyModel read_model_file(const std::string& path);
// Builds what predictions read instead of the name-keyed maps: model->measured_index from model->measured, and
// each part's range_table from its ranges. Call after filling or changing them (reading and fitting do).
void index_for_prediction(EnergyModel* model);

}  // namespace layer_energy::analysis
