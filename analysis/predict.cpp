#include "analysis/predict.hpp"

#include <fmt/format.h>

#include <cmath>

#include "analysis/features.hpp"

namespace layer_energy::analysis {
namespace {

layers::Precision precision_of(const EnergyModel& model) {
  layers::Precision p = layers::Precision::fp32;
  layers::parse_precision(model.precision, &p);
  return p;
}

const TypeModel* part_for(const EnergyModel& model, layers::LayerType type, std::string* reason) {
  const bool conv = type == layers::LayerType::conv;
  if (conv && model.has_conv) return &model.conv;
  if (!conv && model.has_fc) return &model.fc;
  *reason = conv ? "no conv part in the model; its fc model used" : "no fc part in the model; its conv model used";
  return conv ? &model.fc : &model.conv;
}

void check_range(const TypeModel& part, const char* field, double v, std::string* reason) {
  const auto it = part.ranges.find(field);
  if (it == part.ranges.end()) return;
  if (v >= it->second.lo * (1 - 1e-9) && v <= it->second.hi * (1 + 1e-9)) return;
  if (!reason->empty()) *reason += "; ";
  *reason += fmt::format("{}={:g} outside fitted [{:g}, {:g}]", field, v, it->second.lo, it->second.hi);
}

// True when the layer is certainly valid (cheap); layers::validate gives the message otherwise.
bool quick_valid(const layers::Layer& l) {
  if (l.type == layers::LayerType::fc) return l.fc.N >= 1 && l.fc.in >= 1 && l.fc.out >= 1;
  const layers::ConvShape& c = l.conv;
  const int64_t limit = 1 << 30;
  for (const int64_t v : {c.N, c.C, c.H, c.W, c.K, c.R, c.S, c.stride, c.groups})
    if (v < 1 || v > limit) return false;
  return c.pad >= 0 && c.pad <= limit && c.C % c.groups == 0 && c.K % c.groups == 0 && layers::output_height(c) >= 1 &&
         layers::output_width(c) >= 1;
}

}  // namespace

Prediction predict_layer(const EnergyModel& model, const layers::Layer& layer, const std::string& name) {
  Prediction p;
  p.name = name;
  p.type = layer.type;
  const std::string invalid = quick_valid(layer) ? std::string() : layers::validate(layer);
  if (!invalid.empty()) {
    p.covered = false;
    p.reason = "invalid layer: " + invalid;
    p.energy_J = 0;
    return p;
  }
  p.macs = layers::macs(layer);
  const double bytes = layers::bytes(layer, precision_of(model));
  std::string reason;
  const TypeModel* part = part_for(model, layer.type, &reason);
  const auto chosen = part->models.find(part->chosen);
  p.energy_J = chosen == part->models.end() ? 0 : predict(chosen->second, features_of(layer, p.macs, bytes));
  if (reason.empty()) {
    check_range(*part, "macs", p.macs, &reason);
    if (layer.type == layers::LayerType::conv) {
      const layers::ConvShape& c = layer.conv;
      const std::pair<const char*, int64_t> fields[] = {
          {"N", c.N}, {"C", c.C}, {"H", c.H},           {"W", c.W},     {"K", c.K},
          {"R", c.R}, {"S", c.S}, {"stride", c.stride}, {"pad", c.pad}, {"groups", c.groups}};
      for (const auto& f : fields) check_range(*part, f.first, static_cast<double>(f.second), &reason);
    } else {
      const layers::FcShape& f = layer.fc;
      const std::pair<const char*, int64_t> fields[] = {{"N", f.N}, {"in", f.in}, {"out", f.out}};
      for (const auto& fl : fields) check_range(*part, fl.first, static_cast<double>(fl.second), &reason);
    }
  }
  if (!std::isfinite(p.energy_J) || p.energy_J < 0) {
    reason += std::string(reason.empty() ? "" : "; ") + "the model gave no finite non-negative energy";
    p.energy_J = 0;
  }
  p.covered = reason.empty();
  p.reason = reason;
  return p;
}

Predictor::Predictor(const EnergyModel& model) : precision_(precision_of(model)) {
  if (model.has_conv) conv_ = &model.conv.models.at(model.conv.chosen);
  if (model.has_fc) fc_ = &model.fc.models.at(model.fc.chosen);
  if (!conv_) conv_ = fc_;
  if (!fc_) fc_ = conv_;
}

double Predictor::energy(const layers::Layer& layer) const {
  const double macs = layers::macs(layer);
  const Features f = features_of(layer, macs, layers::bytes(layer, precision_));
  return predict(layer.type == layers::LayerType::conv ? *conv_ : *fc_, f);
}

nlohmann::ordered_json predictions_json(const EnergyModel& model, const std::string& model_path,
                                        const std::vector<Prediction>& predictions) {
  nlohmann::ordered_json layers_json = nlohmann::ordered_json::array();
  double total = 0;
  for (const Prediction& p : predictions) {
    layers_json.push_back({{"name", p.name},
                           {"type", p.type == layers::LayerType::conv ? "conv" : "fc"},
                           {"macs", p.macs},
                           {"energy_J", p.energy_J},
                           {"covered", p.covered},
                           {"reason", p.reason}});
    total += p.energy_J;
  }
  const nlohmann::ordered_json model_info = {{"path", model_path},
                                             {"board", model.board},
                                             {"power_source", model.power_source},
                                             {"target", model.target},
                                             {"precision", model.precision}};
  nlohmann::ordered_json out;
  out["model"] = model_info;
  out["layers"] = layers_json;
  out["total_J"] = total;
  return out;
}

std::string predictions_table(const std::vector<Prediction>& predictions) {
  std::string out = "| # | layer | type | MACs | energy (J) | covered |\n|---:|---|---|---:|---:|---|\n";
  double total = 0;
  std::size_t uncovered = 0;
  for (std::size_t i = 0; i < predictions.size(); ++i) {
    const Prediction& p = predictions[i];
    total += p.energy_J;
    uncovered += p.covered ? 0 : 1;
    out += fmt::format("| {} | {} | {} | {:.4g} | {:.4g} | {} |\n", i + 1, p.name,
                       p.type == layers::LayerType::conv ? "conv" : "fc", p.macs, p.energy_J,
                       p.covered ? std::string("yes") : "no: " + p.reason);
  }
  out += fmt::format("| | **total** | | | **{:.4g}** | {} of {} layers outside the fitted ranges |\n", total, uncovered,
                     predictions.size());
  return out;
}

}  // namespace layer_energy::analysis
