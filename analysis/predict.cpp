#include "analysis/predict.hpp"

#include <fmt/format.h>

#include <cmath>
#include <iterator>

#include "analysis/features.hpp"
#include "analysis/power_cap.hpp"
#include "analysis/range_fields.hpp"

namespace layer_energy::analysis {

layers::Precision precision_of(const EnergyModel& model) {
  layers::Precision p = layers::Precision::fp32;
  layers::parse_precision(model.precision, &p);
  return p;
}

namespace {

const TypeModel* part_for(const EnergyModel& model, layers::LayerType type, std::string* reason) {
  const bool conv = type == layers::LayerType::conv;
  if (conv && model.has_conv) return &model.conv;
  if (!conv && model.has_fc) return &model.fc;
  *reason = conv ? "no conv part in the model; its fc model used" : "no fc part in the model; its conv model used";
  return conv ? &model.fc : &model.conv;
}

void append(std::string* reason, const std::string& why) {
  *reason += (reason->empty() ? "" : "; ") + why;
}

// `v` as {:g} writes it; the shape fields are integers, written as such (integer formatting is several times faster
// than a float's, and a far-off layer's reason names a dozen of them).
void append_number(std::string* out, double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e6) {
    fmt::format_to(std::back_inserter(*out), "{}", static_cast<int64_t>(v));
  } else {
    fmt::format_to(std::back_inserter(*out), "{:g}", v);
  }
}

// Per-field ranges: a layer beyond them is outside, whatever the joint check says.
bool check_range(const TypeModel& part, std::size_t index, const char* field, double v, std::string* reason) {
  Range range;
  if (part.range_table_built) {
    const TypeModel::RangeEntry& e = part.range_table[index];
    if (!e.known) return true;
    range = e.range;
  } else {  // a model assembled in code, never indexed
    const auto it = part.ranges.find(field);
    if (it == part.ranges.end()) return true;
    range = it->second;
  }
  if (v >= range.lo * (1 - 1e-9) && v <= range.hi * (1 + 1e-9)) return true;
  // Formatted in place: a layer far from the grid is outside in several fields, and each used to be a new string.
  fmt::format_to(std::back_inserter(*reason), "{}{}=", reason->empty() ? "" : "; ", field);
  append_number(reason, v);
  *reason += " outside fitted [";
  append_number(reason, range.lo);
  *reason += ", ";
  append_number(reason, range.hi);
  *reason += ']';
  return false;
}

bool check_ranges(const TypeModel& part, const layers::Layer& layer, double macs, std::string* reason) {
  double values[kMaxRangeFields];
  const std::size_t n = range_values(layer, macs, values);
  const char* const* names = range_field_names(layer.type);
  bool ok = true;
  for (std::size_t i = 0; i < n; ++i) ok = check_range(part, i, names[i], values[i], reason) && ok;
  return ok;
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

// By shape where the index is current; by case name where the map changed after indexing (a model built in code).
const Measured* measured_entry(const EnergyModel& model, const layers::Layer& layer, layers::Precision precision) {
  if (model.measured_index.source_size() == model.measured.size()) return model.measured_index.find(layer, precision);
  const auto found = model.measured.find(layers::case_name(layer, precision));
  return found == model.measured.end() ? nullptr : &found->second;
}

Sample sample_of(const EnergyModel& model, const TypeModel& part, const layers::Layer& layer, double macs,
                 double bytes, double working_set = 0) {
  Sample s;
  s.f = features_of(layer, macs, bytes);
  s.k = kernel_features(layer, macs, bytes, model.hardware, part.has_time ? part.time.units : model.hardware.units, 0,
                        part.has_time ? part.time.tiles : TileSet{});
  s.k.working_set = working_set;
  s.tx = tree_input(s.k);
  return s;
}

// z of the two-sided normal interval at `level` (for a measurement's own spread). Bisection on erf, remembered for
// the last level asked (a run asks for one level, once per layer).
double normal_z(double level) {
  thread_local double last_level = -1, last_z = 0;
  if (level == last_level) return last_z;
  double lo = 0, hi = 10;
  for (int i = 0; i < 60; ++i) {
    const double mid = 0.5 * (lo + hi);
    (std::erf(mid / std::sqrt(2.0)) < level ? lo : hi) = mid;
  }
  last_level = level, last_z = 0.5 * (lo + hi);
  return last_z;
}

// The conv that reads and writes like a pooling, add, activation or batch-norm layer: a depthwise conv (one weight
// per channel and window element, memory-bound like them) over the same planes. Pooling: the same window, stride
// and pad, so the same MACs; activation and batch-norm: 1x1, one operation per element; add: 1x1 over 1.5 C
// channels, so that its bytes are the add's three tensors.
layers::Layer depthwise_equivalent(const layers::Layer& layer) {
  const layers::TensorOpShape& s = layer.op;
  layers::Layer conv;
  conv.type = layers::LayerType::conv;
  conv.conv.N = s.N, conv.conv.H = s.H, conv.conv.W = s.W;
  conv.conv.C = layer.type == layers::LayerType::add ? (3 * s.C + 1) / 2 : s.C;
  conv.conv.K = conv.conv.groups = conv.conv.C;
  if (layer.type == layers::LayerType::pool) {
    const bool global = s.mode == layers::PoolMode::global;
    conv.conv.R = global ? s.H : s.R;
    conv.conv.S = global ? s.W : s.R;
    conv.conv.stride = global ? 1 : s.stride;
    conv.conv.pad = global ? 0 : s.pad;
  }
  return conv;
}

}  // namespace

PassTerms pass_terms_of(const EnergyModel& model, const layers::Layer& layer, double working_set_bytes) {
  if (layer.type != layers::LayerType::conv && layer.type != layers::LayerType::fc) return PassTerms{};
  std::string reason;
  const TypeModel* part = part_for(model, layer.type, &reason);
  if (!part || !part->has_time) return PassTerms{};
  const layers::Precision precision = precision_of(model);
  const Sample s =
      sample_of(model, *part, layer, layers::macs(layer), layers::bytes(layer, precision), working_set_bytes);
  return part->time.pass_terms(s.k, s.tx);
}

Prediction predict_layer(const EnergyModel& model, const layers::Layer& layer, const std::string& name,
                         const PredictOptions& options) {
  if (!layers::has_weights(layer.type) && layers::validate(layer).empty()) {
    // Not a layer type the model is fitted on: its memory-bound equivalent's figures, never "covered".
    const layers::Layer proxy = depthwise_equivalent(layer);
    PredictOptions model_only = options;
    model_only.use_measured = false;
    Prediction p = predict_layer(model, proxy, name, model_only);
    p.type = layer.type;
    p.macs = layers::macs(layer);
    p.covered = false;
    p.reason = std::string(layers::to_string(layer.type)) +
               " layer: not fitted; predicted as its memory-bound depthwise-conv equivalent " +
               layers::case_name(proxy) + (p.reason.empty() ? "" : " (" + p.reason + ")");
    return p;
  }
  Prediction p;
  p.name = name;
  p.type = layer.type;
  p.time_s = p.energy_J = p.energy_lo_J = p.energy_hi_J = std::nan("");
  const std::string invalid = quick_valid(layer) ? std::string() : layers::validate(layer);
  if (!invalid.empty()) {
    p.covered = false;
    p.reason = "invalid layer: " + invalid;
    return p;
  }
  const layers::Precision precision = precision_of(model);
  p.macs = layers::macs(layer);
  if (options.use_measured) {
    const Measured* found = measured_entry(model, layer, precision);
    if (found) {
      const Measured& m = *found;
      p.source = "measured";
      p.time_s = m.time_s;
      p.energy_J = model.has_energy ? m.energy_J : std::nan("");
      const double half = std::max(0.005, normal_z(options.level) * m.rel_sd);
      if (options.working_set_bytes > 0) {
        // Measured alone; inside the network it pays what the model says the pass's evictions cost.
        PredictOptions alone = options, inside = options;
        alone.use_measured = inside.use_measured = false;
        alone.working_set_bytes = 0;
        const Prediction a = predict_layer(model, layer, name, alone), n = predict_layer(model, layer, name, inside);
        if (a.time_s > 0 && n.time_s > 0) p.time_s *= n.time_s / a.time_s;
        if (a.energy_J > 0 && n.energy_J > 0) p.energy_J *= n.energy_J / a.energy_J;
      }
      if (std::isfinite(p.energy_J)) p.energy_lo_J = p.energy_J * (1 - half), p.energy_hi_J = p.energy_J * (1 + half);
      if (!model.has_energy) p.reason = "time-only model (no energy was measured)";
      return p;
    }
  }
  std::string reason;
  const TypeModel* part = part_for(model, layer.type, &reason);
  const bool other_type = !reason.empty();
  const Sample s = sample_of(model, *part, layer, p.macs, layers::bytes(layer, precision), options.working_set_bytes);
  TimeEstimate est;
  if (part->has_time) est = part->time.estimate(s.k, s.tx), p.time_s = est.t;
  bool inside = !other_type && check_ranges(*part, layer, p.macs, &reason);
  double widen = inside ? 1 : 2;
  if (!other_type && part->region.fitted) {
    const RegionCheck rc = check_region(part->region, s.k);
    if (!rc.inside) {
      inside = false;
      append(&reason, rc.reason);
      widen = std::max(widen, rc.ratio * rc.ratio);
    }
  }
  const auto chosen = part->models.find(part->chosen);
  if (!model.has_energy || chosen == part->models.end()) {
    append(&reason, "time-only model (no energy was measured)");
  } else {
    p.energy_J = predict(chosen->second, s, est);
    if (!std::isfinite(p.energy_J) || p.energy_J <= 0) {
      // A layer costs energy: zero is a model failure, not a prediction to trust.
      append(&reason, "the model gave no finite positive energy");
      p.energy_J = 0;
      inside = false;
    }
    // The board's power limit: a layer predicted to draw more than it runs at a lower clock, at about the limit.
    if (part->has_time) p.time_s = time_under_cap(p.time_s, p.energy_J, power_headroom_W(model.hardware, model.target));
    const ResidualQuantiles& r = part->residuals.for_cell(interval_cell(s.k));
    if (!r.empty()) {
      const double q = conformal_q(r, options.level) * widen;
      p.energy_lo_J = p.energy_J * std::exp(-q);
      p.energy_hi_J = p.energy_J * std::exp(q);
    }
  }
  p.covered = inside;
  p.reason = reason;
  return p;
}

Predictor::Predictor(const EnergyModel& model, double level) : model_(model), precision_(precision_of(model)) {
  for (int t = 0; t < 2; ++t) {
    const TypeModel& part = t == 0 ? (model.has_conv ? model.conv : model.fc) : (model.has_fc ? model.fc : model.conv);
    for (int c = 0; c < kIntervalCells; ++c) q_[t][c] = conformal_q(part.residuals.for_cell(static_cast<IntervalCell>(c)), level);
  }
}

double Predictor::energy_with_interval(const layers::Layer& layer, double* lo, double* hi) const {
  const bool conv = layer.type == layers::LayerType::conv;
  const TypeModel& part = conv ? (model_.has_conv ? model_.conv : model_.fc) : (model_.has_fc ? model_.fc : model_.conv);
  const double macs = layers::macs(layer);
  const Sample s = sample_of(model_, part, layer, macs, layers::bytes(layer, precision_));
  const TimeEstimate est = part.has_time ? part.time.estimate(s.k, s.tx) : TimeEstimate();
  const auto chosen = part.models.find(part.chosen);
  const double e = chosen == part.models.end() ? std::nan("") : predict(chosen->second, s, est);
  const double q = q_[conv ? 0 : 1][static_cast<int>(interval_cell(s.k))];
  *lo = e * std::exp(-q);
  *hi = e * std::exp(q);
  return e;
}

double Predictor::energy(const layers::Layer& layer) const {
  double lo = 0, hi = 0;
  return energy_with_interval(layer, &lo, &hi);
}

namespace {

nlohmann::ordered_json number_or_null(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}

}  // namespace

nlohmann::ordered_json predictions_json(const EnergyModel& model, const std::string& model_path,
                                        const std::vector<Prediction>& predictions, double level) {
  nlohmann::ordered_json layers_json = nlohmann::ordered_json::array();
  double total = 0, lo = 0, hi = 0, time = 0;
  bool energy_ok = true, interval_ok = true, time_ok = true;
  for (const Prediction& p : predictions) {
    layers_json.push_back({{"name", p.name},
                           {"type", layers::to_string(p.type)},
                           {"macs", p.macs},
                           {"time_s", number_or_null(p.time_s)},
                           {"energy_J", number_or_null(p.energy_J)},
                           {"energy_lo_J", number_or_null(p.energy_lo_J)},
                           {"energy_hi_J", number_or_null(p.energy_hi_J)},
                           {"covered", p.covered},
                           {"reason", p.reason},
                           {"source", p.source}});
    energy_ok = energy_ok && std::isfinite(p.energy_J);
    interval_ok = interval_ok && std::isfinite(p.energy_lo_J) && std::isfinite(p.energy_hi_J);
    time_ok = time_ok && std::isfinite(p.time_s);
    total += p.energy_J, lo += p.energy_lo_J, hi += p.energy_hi_J, time += p.time_s;
  }
  // A null json spelled out: nlohmann 3.9 has no conversion of nullptr in a ?: with a json.
  const nlohmann::ordered_json null_json;
  const nlohmann::ordered_json target = model.has_energy ? nlohmann::ordered_json(model.target) : null_json;
  const nlohmann::ordered_json model_info = {{"path", model_path},
                                             {"schema", model.schema},
                                             {"board", model.board},
                                             {"power_source", model.power_source},
                                             {"target", target},
                                             {"precision", model.precision},
                                             {"level", level}};
  nlohmann::ordered_json out;
  out["model"] = model_info;
  out["layers"] = layers_json;
  out["total_J"] = energy_ok ? number_or_null(total) : null_json;
  // Layer bounds added: the errors of one board's layers are correlated, so the sum is the safe network bound.
  out["total_lo_J"] = interval_ok ? number_or_null(lo) : null_json;
  out["total_hi_J"] = interval_ok ? number_or_null(hi) : null_json;
  out["total_time_s"] = time_ok ? number_or_null(time) : null_json;
  return out;
}

std::string predictions_table(const std::vector<Prediction>& predictions) {
  std::string out =
      "| # | layer | type | MACs | time (us) | energy (J) | interval (J) | source | covered |\n"
      "|---:|---|---|---:|---:|---:|---|---|---|\n";
  double total = 0, lo = 0, hi = 0, time = 0;
  std::size_t uncovered = 0;
  const auto num = [](double v, const char* f) { return std::isfinite(v) ? fmt::format(f, v) : std::string("-"); };
  for (std::size_t i = 0; i < predictions.size(); ++i) {
    const Prediction& p = predictions[i];
    total += p.energy_J, lo += p.energy_lo_J, hi += p.energy_hi_J, time += p.time_s;
    uncovered += p.covered ? 0 : 1;
    out += fmt::format("| {} | {} | {} | {:.4g} | {} | {} | {} | {} | {} |\n", i + 1, p.name,
                       layers::to_string(p.type), p.macs, num(p.time_s * 1e6, "{:.4g}"),
                       num(p.energy_J, "{:.4g}"),
                       std::isfinite(p.energy_lo_J) ? fmt::format("{:.4g} – {:.4g}", p.energy_lo_J, p.energy_hi_J) : "-",
                       p.source, p.covered ? std::string("yes") : "no: " + p.reason);
  }
  out += fmt::format("| | **total** | | | {} | **{}** | {} | | {} of {} layers outside the fitted region |\n",
                     num(time * 1e6, "{:.4g}"), num(total, "{:.4g}"),
                     std::isfinite(lo) ? fmt::format("{:.4g} – {:.4g}", lo, hi) : "-", uncovered, predictions.size());
  return out;
}

}  // namespace layer_energy::analysis
