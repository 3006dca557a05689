#include "analysis/fit_pipeline.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "analysis/predict.hpp"
#include "layers/networks.hpp"

namespace layer_energy::analysis {
namespace {

const std::vector<double>& values(const Case& c, const std::string& target) {
  return target == "dynamic" ? c.energy_dynamic_J : c.energy_J;
}

void set_range(std::map<std::string, Range>* ranges, const std::string& key, double v) {
  auto it = ranges->find(key);
  if (it == ranges->end()) {
    ranges->emplace(key, Range{v, v});
  } else {
    it->second.lo = std::min(it->second.lo, v);
    it->second.hi = std::max(it->second.hi, v);
  }
}

std::map<std::string, Range> ranges_of(const TypeData& data) {
  std::map<std::string, Range> r;
  for (const Case* c : data.cases) {
    set_range(&r, "macs", c->macs);
    if (c->layer.type == layers::LayerType::conv) {
      const layers::ConvShape& s = c->layer.conv;
      const std::pair<const char*, int64_t> fields[] = {
          {"N", s.N}, {"C", s.C}, {"H", s.H},           {"W", s.W},     {"K", s.K},
          {"R", s.R}, {"S", s.S}, {"stride", s.stride}, {"pad", s.pad}, {"groups", s.groups}};
      for (const auto& f : fields) set_range(&r, f.first, static_cast<double>(f.second));
    } else {
      const layers::FcShape& s = c->layer.fc;
      const std::pair<const char*, int64_t> fields[] = {{"N", s.N}, {"in", s.in}, {"out", s.out}};
      for (const auto& f : fields) set_range(&r, f.first, static_cast<double>(f.second));
    }
  }
  return r;
}

nlohmann::json metrics_json(const Metrics& m) {
  return {{"mape", m.mape}, {"median_ape", m.median_ape}, {"max_ape", m.max_ape}, {"r2", m.r2}, {"n", m.n}};
}

TypeModel type_model(const TypeData& data) {
  TypeModel tm;
  tm.chosen = data.fit.chosen;
  tm.models = data.fit.models;
  tm.laws = data.fit.laws;
  tm.ranges = ranges_of(data);
  return tm;
}

std::string context_value(const std::map<std::string, std::string>& context, const char* key) {
  const auto it = context.find(key);
  return it == context.end() ? std::string() : it->second;
}

}  // namespace

FitOutcome run_fit(const FitRequest& request) {
  if (request.target != "total" && request.target != "dynamic")
    throw FitError("--target must be total or dynamic, not '" + request.target + "'");
  FitOutcome out;
  std::vector<std::vector<Case>> per_file;
  bool have_context = false;
  for (const std::string& path : request.files) {
    try {
      const ResultFile file = read_result_file(path);
      out.warnings.insert(out.warnings.end(), file.warnings.begin(), file.warnings.end());
      if (!have_context) out.context = file.context, have_context = true;
      for (const char* key : {"board", "power_source"}) {
        const std::string mine = context_value(file.context, key), first = context_value(out.context, key);
        if (mine != first)
          out.warnings.push_back(path + ": context '" + key + "' is \"" + mine + "\" but \"" + first +
                                 "\" in the first file; fitted together anyway");
      }
      per_file.push_back(cases_of(file, &out.warnings));
    } catch (const ReadError& e) {
      out.warnings.push_back(e.what());
    }
  }
  out.cases = merge_cases(per_file, &out.warnings);

  // The precision with the most usable cases: a model is for one precision.
  std::map<layers::Precision, std::size_t> by_precision;
  bool any_dynamic = false;
  for (const Case& c : out.cases) {
    if (!c.has_geometry || c.energy_J.empty()) continue;
    ++by_precision[c.precision];
    any_dynamic = any_dynamic || !c.energy_dynamic_J.empty();
  }
  if (request.target == "dynamic" && !by_precision.empty() && !any_dynamic)
    throw FitError("--target dynamic: no case in the input has 'energy_dynamic_J' (was the run made with --idle_s=0?)");
  layers::Precision precision = layers::Precision::fp32;
  std::size_t most = 0;
  for (const auto& kv : by_precision)
    if (kv.second > most) most = kv.second, precision = kv.first;

  std::unordered_map<std::string, int> group_ids;
  std::vector<double> noise;
  for (const Case& c : out.cases) {
    if (c.kind != CaseKind::conv && c.kind != CaseKind::fc) continue;
    const std::vector<double>& v = values(c, request.target);
    if (!c.has_geometry || v.empty()) {
      if (c.problems.empty())
        out.warnings.push_back(c.file + ": " + c.name + ": no usable '" +
                               (request.target == "dynamic" ? "energy_dynamic_J" : "energy_J") + "'; not fitted");
      continue;
    }
    if (c.precision != precision) {
      out.warnings.push_back(c.file + ": " + c.name + ": precision " + layers::to_string(c.precision) +
                             " differs from the model's " + layers::to_string(precision) + "; not fitted");
      continue;
    }
    Sample s;
    s.f = features_of(c.layer, c.macs, c.bytes);
    s.energy = mean_of(v);
    s.noise = c.from_aggregate ? c.aggregate_energy_sd / s.energy : relative_sd(v);
    s.group = group_ids.emplace(c.group, static_cast<int>(group_ids.size())).first->second;
    if (v.size() >= 2) noise.push_back(s.noise);
    TypeData& data = c.kind == CaseKind::conv ? out.conv : out.fc;
    data.samples.push_back(s);
    data.cases.push_back(&c);
  }
  if (out.conv.samples.empty() && out.fc.samples.empty()) {
    std::string why = "no usable conv or FC case in the input";
    std::size_t shown = 0;
    for (const std::string& w : out.warnings)
      if (shown++ < 20) why += "\n  " + w;
    if (shown > 20) why += "\n  ... and " + std::to_string(shown - 20) + " more";
    throw FitError(why);
  }
  if (!noise.empty()) {
    std::nth_element(noise.begin(), noise.begin() + static_cast<std::ptrdiff_t>(noise.size() / 2), noise.end());
    out.median_noise = noise[noise.size() / 2];
  }

  out.model.board = context_value(out.context, "board");
  out.model.power_source = context_value(out.context, "power_source");
  out.model.target = request.target;
  out.model.precision = layers::to_string(precision);
  out.model.cv["folds"] = request.options.folds;
  for (TypeData* data : {&out.conv, &out.fc}) {
    const bool conv = data == &out.conv;
    const char* type = conv ? "conv" : "fc";
    if (data->samples.empty()) {
      out.warnings.push_back(std::string("no ") + type + " data: the model has no " + type + " part");
      out.model.cv[type] = nullptr;
      continue;
    }
    data->fit = fit_type(data->samples, request.options);
    data->fitted = true;
    if (data->fit.folds < 2)
      out.warnings.push_back(std::string(type) + ": fewer than 2 configurations; no cross-validation");
    nlohmann::json cv = {{"cases", data->fit.cases},
                         {"groups", data->fit.groups},
                         {"folds", data->fit.folds},
                         {"chosen", data->fit.chosen},
                         {"chosen_law", law_name(data->fit.chosen_law)}};
    for (const auto& kv : data->fit.cv) cv["metrics"][kv.first] = metrics_json(kv.second);
    out.model.cv[type] = cv;
    (conv ? out.model.has_conv : out.model.has_fc) = true;
    (conv ? out.model.conv : out.model.fc) = type_model(*data);
  }

  // Network cases: measured against the sum of the model's per-layer predictions.
  for (const Case& c : out.cases) {
    if (c.kind != CaseKind::net || values(c, request.target).empty()) continue;
    try {
      const std::vector<layers::Layer> net = layers::network_layers(c.name.substr(4, c.name.find('/', 4) - 4));
      NetCheck check;
      check.name = c.name;
      check.measured_J = mean_of(values(c, request.target));
      check.layers = net.size();
      for (const layers::Layer& l : net) check.predicted_J += predict_layer(out.model, l, l.label).energy_J;
      out.net_checks.push_back(check);
    } catch (const std::exception& e) {
      out.warnings.push_back(c.file + ": " + c.name + ": not checked: " + e.what());
    }
  }
  return out;
}

}  // namespace layer_energy::analysis
