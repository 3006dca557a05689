#include "analysis/fit_pipeline.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <unordered_map>

#include "analysis/diagnostics.hpp"
#include "analysis/parallel.hpp"
#include "analysis/pass_cost.hpp"
#include "analysis/power_cap.hpp"
#include "analysis/predict.hpp"
#include "analysis/range_fields.hpp"
#include "analysis/row_sample.hpp"
#include "layers/networks.hpp"

namespace layer_energy::analysis {
namespace {

const std::vector<double>& values(const Case& c, const std::string& target) {
  return target == "dynamic" ? c.energy_dynamic_J : c.energy_J;
}

void set_range(std::map<std::string, Range, std::less<>>* ranges, const std::string& key, double v) {
  auto it = ranges->find(key);
  if (it == ranges->end()) {
    ranges->emplace(key, Range{v, v});
  } else {
    it->second.lo = std::min(it->second.lo, v);
    it->second.hi = std::max(it->second.hi, v);
  }
}

std::map<std::string, Range, std::less<>> ranges_of(const TypeData& data) {
  std::map<std::string, Range, std::less<>> r;
  for (const Case* c : data.cases) {
    double values[kMaxRangeFields];
    const std::size_t n = range_values(c->layer, c->macs, values);
    const char* const* names = range_field_names(c->layer.type);
    for (std::size_t i = 0; i < n; ++i) set_range(&r, names[i], values[i]);
  }
  return r;
}

nlohmann::json metrics_json(const Metrics& m) {
  nlohmann::json j = {{"mape", m.mape},   {"median_ape", m.median_ape}, {"max_ape", m.max_ape},
                      {"wmape", m.wmape}, {"r2", m.r2},                 {"n", m.n}};
  if (m.coverage >= 0) j["coverage"] = m.coverage;
  return j;
}

nlohmann::json metrics_map_json(const std::map<std::string, Metrics>& m) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& kv : m) j[kv.first] = metrics_json(kv.second);
  return j;
}

TypeModel type_model(const TypeData& data) {
  TypeModel tm;
  const TypeFit& f = data.fit;
  tm.chosen = f.has_energy ? f.chosen : std::string();
  tm.models = f.models;
  tm.laws = f.laws;
  tm.ranges = ranges_of(data);
  tm.has_time = f.has_time;
  tm.time_chosen = f.time_chosen;
  tm.time = f.time;
  tm.residuals = f.residuals;
  tm.region = f.region;
  return tm;
}

std::string context_value(const std::map<std::string, std::string>& context, const char* key) {
  const auto it = context.find(key);
  return it == context.end() ? std::string() : it->second;
}

// The nvpmodel power mode a Jetson result was measured in: the contract's `nvpmodel_mode` (layer_bench writes the
// mode's name from /etc/nvpmodel.conf there) and the id of `nvpmodel_status` ("pmode:0002", the only record where a
// board has no nvpmodel.conf). Both empty: not a Jetson, or the mode was unreadable.
struct PowerMode {
  std::string id, name;
  bool known() const { return !id.empty() || !name.empty(); }
  std::string text() const {
    if (!known()) return "no nvpmodel mode";
    if (id.empty()) return "nvpmodel mode " + name;
    return "nvpmodel mode " + id + (name.empty() ? "" : " (" + name + ")");
  }
};

PowerMode power_mode(const std::map<std::string, std::string>& context) {
  PowerMode mode;
  mode.name = context_value(context, "nvpmodel_mode");
  const std::string status = context_value(context, "nvpmodel_status");
  if (status.rfind("pmode:", 0) == 0) {
    std::size_t digits = 6;
    while (digits + 1 < status.size() && status[digits] == '0') ++digits;  // "pmode:0002" -> "2"
    std::size_t end = digits;
    while (end < status.size() && std::isdigit(static_cast<unsigned char>(status[end]))) ++end;
    if (end > digits) mode.id = status.substr(digits, end - digits);
  }
  return mode;
}

// By id where both files have one, else by name; a file with a mode never matches one without.
bool same_power_mode(const PowerMode& a, const PowerMode& b) {
  if (!a.id.empty() && !b.id.empty()) return a.id == b.id;
  if (!a.name.empty() && !b.name.empty()) return a.name == b.name;
  return a.known() == b.known();
}

// A run with a power source: time and energy. Without one (--power=none, or nothing usable) it is time only.
bool measures_power(const std::map<std::string, std::string>& context) {
  const std::string source = context_value(context, "power_source");
  return !source.empty() && source != "none";
}

bool network_run(const std::map<std::string, std::string>& context) {
  const std::string cmd = context_value(context, "command_line");
  return cmd.find("--network") != std::string::npos || cmd.find("--onnx") != std::string::npos;
}

void fill_features(std::vector<Sample>* samples, const std::vector<const Case*>& cases, const Hardware& hw,
                   double units, const TileSet& tiles = {}) {
  parallel_for(samples->size(), [&](std::size_t i, std::size_t) {
    Sample& s = (*samples)[i];
    const Case& c = *cases[i];
    s.k = kernel_features(c.layer, c.macs, c.bytes, hw, units, c.kernels, tiles);
    s.tx = tree_input(s.k);
    s.k_unseen = c.kernels > 0 ? std::make_shared<const KernelFeatures>(
                                     kernel_features(c.layer, c.macs, c.bytes, hw, units, 0, tiles))
                               : nullptr;
  });
}

// A CPU's GEMM blocks shrink to the rows there are, in micro-kernels of 8 rows. The rows were also chosen between 8
// and 6 (BLIS's Haswell kernel) by the held-out test below: on two simulated CPUs (micro-kernels of 6) and this VM's
// oneDNN the two scored within 3% of each other, too close to learn, so 8 is fixed.
TileSet default_tile_set(const Hardware& hw) {
  return hw.backend == "cpu" ? TileSet{0, 8} : TileSet{};
}

// GPU: the smallest CTA tile the library has (TileSet::min_tile_area), by held-out time error. For each candidate
// tile list the roofline time model is fitted on the even configurations and scored on the odd ones and the other
// way round (log errors of the layers as unmeasured ones are seen). A larger minimum must beat the smaller by 2%:
// every tile stays the default. At most 2,000 configurations take part (row_sample), so large runs pay little.
TileSet choose_tile_set(const TypeData& data, const Hardware& hw, double units) {
  if (hw.backend == "cpu") return default_tile_set(hw);
  const std::vector<TileSet> candidates = {default_tile_set(hw), {2048, 0}};
  std::vector<int> timed;
  for (std::size_t i = 0; i < data.samples.size(); ++i)
    if (data.samples[i].time > 0) timed.push_back(static_cast<int>(i));
  if (timed.size() < 40) return candidates[0];
  std::vector<Sample> picked;
  std::vector<const Case*> cases;
  for (const int r : row_sample(timed, 2000)) {
    picked.push_back(data.samples[static_cast<std::size_t>(r)]);
    cases.push_back(data.cases[static_cast<std::size_t>(r)]);
  }
  std::vector<int> halves[2];
  for (std::size_t i = 0; i < picked.size(); ++i) halves[picked[i].group % 2].push_back(static_cast<int>(i));
  if (halves[0].size() < 16 || halves[1].size() < 16) return candidates[0];
  TileSet chosen = candidates[0];
  double chosen_loss = HUGE_VAL;
  for (const TileSet& tiles : candidates) {
    fill_features(&picked, cases, hw, units, tiles);
    TimeFitOptions o;
    o.p = 2, o.q = 0;  // a shape choice: the DRAM join is chosen later, with the model
    double loss = 0;
    for (int h = 0; h < 2; ++h)
      loss += squared_log_error(fit_time_model(picked, halves[h], 0, units, o), picked, halves[1 - h], true);
    if (std::isfinite(loss) && loss < 0.98 * chosen_loss) chosen_loss = loss, chosen = tiles;
  }
  return chosen;
}

// The parallel units when the context lacks them: the count whose roofline fit of the measured times is best.
double choose_units(TypeData* data, const Hardware& hw) {
  double best = 0, best_loss = HUGE_VAL;
  std::vector<int> rows;
  for (std::size_t i = 0; i < data->samples.size(); ++i)
    if (data->samples[i].time > 0) rows.push_back(static_cast<int>(i));
  if (rows.size() < 8) return hw.backend == "cpu" ? 1 : 16;
  const std::vector<double> candidates = hw.backend == "cpu" ? std::vector<double>{1, 2, 4, 6, 8, 12, 16, 32, 64}
                                                             : std::vector<double>{4, 8, 16, 28, 46, 68, 80, 108, 132};
  for (const double u : candidates) {
    fill_features(&data->samples, data->cases, hw, u, default_tile_set(hw));
    TimeFitOptions o;
    o.p = 2, o.q = 0;  // a shape choice: the DRAM join is chosen later, with the model
    const double loss = squared_log_error(fit_time_model(data->samples, rows, 0, u, o), data->samples, rows);
    if (loss < best_loss) best_loss = loss, best = u;
  }
  return best;
}

}  // namespace

FitOutcome run_fit(const FitRequest& request) {
  if (request.target != "total" && request.target != "dynamic")
    throw FitError("--target must be total or dynamic, not '" + request.target + "'");
  FitOutcome out;
  std::vector<std::vector<Case>> per_file;
  bool have_context = false;
  std::string first_path;  // of the first readable file, whose context is out.context
  for (const std::string& path : request.files) {
    try {
      const ResultFile file = read_result_file(path);
      out.warnings.insert(out.warnings.end(), file.warnings.begin(), file.warnings.end());
      // The model's context (power source, idle power, hardware) is the first file that measured energy: a time-only
      // sweep (--power=none) listed before the calibration run that pins the power must not make the model time-only.
      if (!have_context || (!measures_power(out.context) && measures_power(file.context)))
        out.context = file.context, have_context = true, first_path = path;
      // A model describes one power mode: its static power and clocks are the mode's (run-sweep.sh --modes).
      const PowerMode mode = power_mode(file.context), first_mode = power_mode(out.context);
      if (!same_power_mode(mode, first_mode))
        throw FitError(path + " records " + mode.text() + " but " + first_path + " records " + first_mode.text() +
                       ": fit one model per mode (one energy_fit run per mode's files)");
      for (const char* key : {"board", "power_source"}) {
        const std::string mine = context_value(file.context, key), first = context_value(out.context, key);
        const bool time_only_file = std::string(key) == "power_source" && !measures_power(file.context);
        if (mine != first && !time_only_file)
          out.warnings.push_back(path + ": context '" + key + "' is \"" + mine + "\" but \"" + first +
                                 "\" in the first file; fitted together anyway");
      }
      std::vector<Case> cases = cases_of(file, &out.warnings);
      const bool from_network = network_run(file.context);
      for (Case& c : cases) c.network_run = from_network;
      per_file.push_back(std::move(cases));
    } catch (const ReadError& e) {
      out.warnings.push_back(e.what());
    }
  }
  out.cases = merge_cases(per_file, &out.warnings);
  algorithm_warnings(out.cases, &out.warnings);
  throttle_warnings(out.cases, &out.warnings);
  contention_warnings(out.cases, &out.warnings);
  out.hardware = hardware_from_context(out.context);
  const PowerCap cap = learn_power_cap(out.cases, out.hardware.clock_MHz);
  out.hardware.power_cap_W = cap.watts;
  out.hardware.power_cap_cases = cap.cases;
  if (!cap.note.empty()) out.hardware.notes.push_back(cap.note);

  // The precision with the most usable cases: a model is for one precision.
  std::map<layers::Precision, std::size_t> by_precision;
  bool any_energy = false, any_dynamic = false;
  for (const Case& c : out.cases) {
    if (!c.has_geometry || (c.energy_J.empty() && c.time_s.empty())) continue;
    ++by_precision[c.precision];
    any_energy = any_energy || !c.energy_J.empty();
    any_dynamic = any_dynamic || !c.energy_dynamic_J.empty();
  }
  if (request.target == "dynamic" && any_energy && !any_dynamic)
    throw FitError("--target dynamic: no case in the input has 'energy_dynamic_J' (was the run made with --idle_s=0?)");
  layers::Precision precision = layers::Precision::fp32;
  std::size_t most = 0;
  for (const auto& kv : by_precision)
    if (kv.second > most) most = kv.second, precision = kv.first;

  // Time only when the run says so (layer_bench --power=none, or another harness's data without a power source);
  // a run with a power source whose energy is missing is a problem to report, not a time-only model.
  const std::string source = context_value(out.context, "power_source");
  const bool time_only = !any_energy && (source == "none" || source.empty());
  std::unordered_map<std::string, int> group_ids;
  std::vector<double> noise;
  const char* field = request.target == "dynamic" ? "energy_dynamic_J" : "energy_J";
  for (const Case& c : out.cases) {
    if (c.kind != CaseKind::conv && c.kind != CaseKind::fc) continue;
    const std::vector<double>& v = values(c, request.target);
    if (!c.has_geometry || (v.empty() && (!time_only || c.time_s.empty()))) {
      if (c.problems.empty() && c.contended == 0)  // contended cases: one warning for all of them
        out.warnings.push_back(c.file + ": " + c.name + ": no usable '" + field + "'; not fitted");
      continue;
    }
    if (c.precision != precision) {
      out.warnings.push_back(c.file + ": " + c.name + ": precision " + layers::to_string(c.precision) +
                             " differs from the model's " + layers::to_string(precision) + "; not fitted");
      continue;
    }
    Measured m;
    m.energy_J = v.empty() ? std::nan("") : mean_of(v);
    m.time_s = c.time_s.empty() ? std::nan("") : mean_of(c.time_s);
    m.rel_sd = c.from_aggregate || v.empty() ? 0 : relative_sd(v);
    out.model.measured[c.name] = m;
    if (c.network_run && !request.train_on_networks) {
      ++out.network_layers_held_out;
      continue;
    }
    Sample s;
    s.f = features_of(c.layer, c.macs, c.bytes);
    s.energy = v.empty() ? 0 : mean_of(v);
    s.time = c.time_s.empty() ? 0 : mean_of(c.time_s);
    s.capped = cap.watts > 0 && clock_fell(c, out.hardware.clock_MHz);
    s.noise = v.empty() ? 0 : c.from_aggregate ? c.aggregate_energy_sd / s.energy : relative_sd(v);
    s.group = group_ids.emplace(c.group, static_cast<int>(group_ids.size())).first->second;
    if (v.size() >= 2) noise.push_back(s.noise);
    TypeData& data = c.kind == CaseKind::conv ? out.conv : out.fc;
    data.samples.push_back(s);
    data.cases.push_back(&c);
  }
  if (out.conv.samples.empty() && out.fc.samples.empty()) {
    std::string why = out.network_layers_held_out
                          ? "no usable conv or FC case outside network runs (pass --train-on-networks to fit on them)"
                          : "no usable conv or FC case in the input";
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
  out.model.has_energy = any_energy;
  out.model.interval_level = request.options.interval_level;
  out.model.cv["folds"] = request.options.folds;
  out.model.cv["nested"] = "outer grouped k-fold; the form is chosen by an inner CV over the other folds";
  for (TypeData* data : {&out.conv, &out.fc}) {
    const bool conv = data == &out.conv;
    const char* type = conv ? "conv" : "fc";
    if (data->samples.empty()) {
      out.warnings.push_back(std::string("no ") + type + " data: the model has no " + type + " part");
      out.model.cv[type] = nullptr;
      continue;
    }
    FitOptions options = request.options;
    options.units = out.hardware.units > 0 ? out.hardware.units : choose_units(data, out.hardware);
    options.cache_bytes = out.hardware.cache_bytes > 0 ? out.hardware.cache_bytes : -1;
    options.power_headroom_W = power_headroom_W(out.hardware, request.target);
    const TileSet tiles = choose_tile_set(*data, out.hardware, options.units);
    fill_features(&data->samples, data->cases, out.hardware, options.units, tiles);
    data->fit = fit_type(data->samples, options);
    data->fit.time.tiles = tiles;
    data->fitted = true;
    if (data->fit.folds < 2)
      out.warnings.push_back(std::string(type) + ": fewer than 2 configurations; no cross-validation");
    if (any_energy) power_regime_warnings(data->samples, data->cases, &out.warnings);
    const TypeFit& f = data->fit;
    nlohmann::json cv = {{"cases", f.cases}, {"groups", f.groups}, {"folds", f.folds}, {"nested", f.nested_available}};
    if (f.has_energy) {
      cv["chosen"] = f.chosen;
      cv["chosen_law"] = law_name(f.chosen_law);
      cv["metrics"] = metrics_map_json(f.cv);
      cv["nested_metrics"] = metrics_json(f.nested.metrics);
      cv["nested_choices"] = f.nested_choices;
      cv["leave_one_level_out"] = metrics_map_json(f.level_out);
    }
    if (f.has_time) {
      cv["time"] = {{"chosen", f.time_chosen},
                    {"metrics", metrics_map_json(f.time_cv)},
                    {"nested_metrics", metrics_json(f.time_nested.metrics)},
                    {"leave_one_level_out", metrics_map_json(f.time_level_out)}};
    }
    out.model.cv[type] = cv;
    (conv ? out.model.has_conv : out.model.has_fc) = true;
    (conv ? out.model.conv : out.model.fc) = type_model(*data);
  }
  out.model.hardware = out.hardware;
  index_for_prediction(&out.model);
  if (out.model.has_conv && out.model.conv.has_time) out.model.hardware.units = out.model.conv.time.units;

  // Network cases against the sum of the model's per-layer predictions (the model's, never the lookup's). Each is
  // predicted inside one pass, as Net/ runs them (every layer's own buffers between two calls of any one), with the
  // pass cost calibrated on the other networks' Net/ cases (held out: never on its own).
  PredictOptions model_only;
  model_only.use_measured = false;
  model_only.level = request.options.interval_level;
  std::map<std::string, const Case*> layer_cases;
  for (const Case& c : out.cases)
    if (c.kind == CaseKind::conv || c.kind == CaseKind::fc) layer_cases.emplace(c.name, &c);
  // The layer as this run measured it alone (null when it did not).
  const auto measured_alone = [&layer_cases](const layers::Layer& l) -> const Case* {
    const auto found = layer_cases.find(layers::case_name(l));
    return found == layer_cases.end() ? nullptr : found->second;
  };
  struct NetRun {
    const Case* net;
    std::vector<layers::Layer> layers;
    double working_set = 0;
  };
  std::vector<NetRun> runs;
  for (const Case& c : out.cases) {
    if (c.kind != CaseKind::net || (values(c, request.target).empty() && c.time_s.empty())) continue;
    try {
      NetRun run{&c, layers::network_layers(c.name.substr(4, c.name.find('/', 4) - 4)), 0};
      for (const layers::Layer& l : run.layers) run.working_set += layers::bytes(l, precision_of(out.model));
      runs.push_back(std::move(run));
    } catch (const std::exception& e) {
      out.warnings.push_back(c.file + ": " + c.name + ": not checked: " + e.what());
    }
  }
  std::vector<NetworkPass> passes(runs.size());
  for (std::size_t i = 0; i < runs.size(); ++i) {
    passes[i].name = runs[i].net->name;
    passes[i].net_s = runs[i].net->time_s.empty() ? std::nan("") : mean_of(runs[i].net->time_s);
    for (const layers::Layer& l : runs[i].layers) {
      const Case* measured = measured_alone(l);
      passes[i].alone_s += measured && !measured->time_s.empty()
                               ? mean_of(measured->time_s)
                               : predict_layer(out.model, l, l.label, model_only).time_s;
      passes[i].layers.push_back(pass_terms_of(out.model, l, runs[i].working_set));
    }
  }
  const auto set_pass = [&out](const PassCost& cost) {
    if (out.model.has_conv) out.model.conv.time.pass = cost;
    if (out.model.has_fc) out.model.fc.time.pass = cost;
  };
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const Case& c = *runs[i].net;
    const PassCost cost = request.train_on_networks ? fit_pass_cost(passes) : fit_pass_cost(passes, i);
    set_pass(cost);
    NetCheck check;
    check.name = c.name;
    check.pass_networks = cost.networks;
    const std::vector<double> net_energy = values(c, request.target);
    check.measured_J = net_energy.empty() ? std::nan("") : mean_of(net_energy);
    check.measured_rel_se = net_energy.size() >= 2 && !c.from_aggregate
                                ? relative_sd(net_energy) / std::sqrt(static_cast<double>(net_energy.size()))
                                : std::nan("");
    check.measured_s = c.time_s.empty() ? std::nan("") : mean_of(c.time_s);
    check.layers = runs[i].layers.size();
    check.held_out = !request.train_on_networks;
    PredictOptions in_pass = model_only;
    in_pass.working_set_bytes = runs[i].working_set;
    for (const layers::Layer& l : runs[i].layers) {
      const Prediction p = predict_layer(out.model, l, l.label, in_pass);
      check.predicted_J += p.energy_J, check.predicted_s += p.time_s;
      check.predicted_lo_J += p.energy_lo_J, check.predicted_hi_J += p.energy_hi_J;
      const Case* measured = measured_alone(l);
      const bool has_energy = measured && !values(*measured, request.target).empty();
      const bool has_time = measured && !measured->time_s.empty();
      check.layers_measured_J += has_energy ? mean_of(values(*measured, request.target)) : std::nan("");
      check.layers_measured_s += has_time ? mean_of(measured->time_s) : std::nan("");
    }
    out.net_checks.push_back(check);
  }
  // The model keeps the pass cost of every network measured.
  out.pass = fit_pass_cost(passes);
  set_pass(out.pass);
  return out;
}

}  // namespace layer_energy::analysis
