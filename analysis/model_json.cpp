#include "analysis/model_json.hpp"

#include <cmath>
#include <fstream>

namespace layer_energy::analysis {
namespace {

using nlohmann::json;

// DRAM bytes (dram_knee.hpp): "smooth" (bytes * x^4 / (1 + x^4), x = bytes / cache_bytes) or "hinge"
// (max(0, bytes - cache_bytes)); a model without the field was written before the smooth step: hinge.
const char* dram_form_name(bool hinge) {
  return hinge ? "hinge" : "smooth";
}

bool dram_hinge_of(const json& j, const std::string& where) {
  if (!j.contains("dram_form")) return true;
  const json& v = j.at("dram_form");
  if (v.is_string() && v.get<std::string>() == "hinge") return true;
  if (v.is_string() && v.get<std::string>() == "smooth") return false;
  throw std::runtime_error(where + ": field 'dram_form' must be \"smooth\" or \"hinge\"");
}

const char* const kShapeNames[2][kShapeVars] = {
    {"log N", "log C/groups", "log H*W", "log K", "log R*S", "log stride", "log groups", "log MACs", "log bytes"},
    {"log N", "log in", "log out", "log MACs", "log bytes", "-", "-", "-", "-"}};

json number_or_null(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
}

double need_number(const json& j, const char* key, const std::string& where) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number())
    throw std::runtime_error(where + ": field '" + key + "' missing or not a number");
  return it->get<double>();
}

double optional_number(const json& j, const char* key, double fallback) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}

const json& need_object(const json& j, const char* key, const std::string& where) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_object()) throw std::runtime_error(where + ": field '" + key + "' missing or not an object");
  return *it;
}

json trees_to_json(const BoostedTrees& t) {
  json nodes = json::array();
  for (const TreeNode& n : t.nodes) nodes.push_back({n.var, n.threshold, n.left, n.right, n.value});
  return {{"roots", t.roots}, {"nodes", nodes}, {"node_format", "[var, threshold, left, right, value]"}};
}

BoostedTrees trees_from_json(const json& j, const std::string& where) {
  BoostedTrees t;
  if (j.is_null()) return t;
  if (!j.is_object() || !j.contains("roots") || !j.contains("nodes") || !j["roots"].is_array() || !j["nodes"].is_array())
    throw std::runtime_error(where + ": 'roots' and 'nodes' arrays expected");
  for (const json& n : j["nodes"]) {
    if (!n.is_array() || n.size() != 5) throw std::runtime_error(where + ": a node is not [var, threshold, left, right, value]");
    TreeNode node;
    node.var = n[0].get<int>(), node.threshold = n[1].get<double>(), node.left = n[2].get<int>(),
    node.right = n[3].get<int>(), node.value = n[4].get<double>();
    if (node.var >= kTreeVars) throw std::runtime_error(where + ": node variable out of range");
    t.nodes.push_back(node);
  }
  const int count = static_cast<int>(t.nodes.size());
  for (const TreeNode& node : t.nodes)
    if (node.var >= 0 && (node.left < 0 || node.left >= count || node.right < 0 || node.right >= count))
      throw std::runtime_error(where + ": node child out of range");
  for (const json& r : j["roots"]) {
    const int root = r.get<int>();
    if (root < 0 || root >= count) throw std::runtime_error(where + ": root out of range");
    t.roots.push_back(root);
  }
  // Children must come after their parent (as written): no cycles.
  for (int i = 0; i < count; ++i) {
    const TreeNode& node = t.nodes[static_cast<std::size_t>(i)];
    if (node.var >= 0 && (node.left <= i || node.right <= i)) throw std::runtime_error(where + ": node order broken");
  }
  t.flatten();
  return t;
}

json class_time_to_json(const ClassTime& c) {
  return {{"launch_s", c.launch},   {"s_per_wave", c.wave},           {"s_per_wave_step", c.step},
          {"s_per_mac", c.mac},      {"s_per_feed_byte", c.feed},      {"s_per_byte", c.byte},           {"s_per_dram_byte", c.dram},
          {"cases", c.cases}};
}

ClassTime class_time_from_json(const json& j, const std::string& where) {
  ClassTime c;
  c.fitted = true;
  c.launch = need_number(j, "launch_s", where);
  c.wave = need_number(j, "s_per_wave", where);
  c.step = need_number(j, "s_per_wave_step", where);
  c.mac = need_number(j, "s_per_mac", where);
  c.feed = need_number(j, "s_per_feed_byte", where);
  c.byte = need_number(j, "s_per_byte", where);
  c.dram = need_number(j, "s_per_dram_byte", where);
  c.cases = static_cast<std::size_t>(optional_number(j, "cases", 0));
  return c;
}

// The in-pass cost (time_model.hpp PassCost); a null price: the loop fit's s_per_dram_byte.
json pass_to_json(const PassCost& c) {
  return {{"form", "pass time = loop time + the time model's form with D + s_per_cold_byte*cold DRAM bytes in place "
                   "of D (B + D + ... where q = 0), less the form as it is; times exp(corrector)"},
          {"s_per_cold_byte", c.s_per_cold_byte >= 0 ? json(c.s_per_cold_byte) : json(nullptr)},
          {"networks", c.networks}};
}

PassCost pass_from_json(const json& j, const std::string& where) {
  PassCost c;
  if (j.is_null()) return c;  // models written before it: uncalibrated
  if (!j.is_object()) throw std::runtime_error(where + ": field 'pass' must be an object");
  if (j.contains("s_per_cold_byte") && !j["s_per_cold_byte"].is_null()) {
    c.s_per_cold_byte = need_number(j, "s_per_cold_byte", where);
    if (!(c.s_per_cold_byte >= 0)) throw std::runtime_error(where + ": field 's_per_cold_byte' must be >= 0");
  }
  c.networks = static_cast<int>(optional_number(j, "networks", 0));
  return c;
}

// The time model's form as the file states it: with the DRAM stream joined at q, or its bytes in the memory side.
std::string time_form(bool dram_stream) {
  const std::string compute = "A = s_per_wave*waves + s_per_wave_step*waves*steps + s_per_mac*critical-path MACs + "
                              "s_per_feed_byte*critical-path operand bytes";
  const std::string dram = "s_per_dram_byte*DRAM bytes (dram_form); times exp(corrector)";
  return dram_stream ? "launches*launch_s + (C^q + D^q)^(1/q), C = (A^p + B^p)^(1/p), " + compute +
                           ", B = s_per_byte*bytes, D = " + dram
                     : "launches*launch_s + (A^p + B^p)^(1/p), " + compute + ", B = s_per_byte*bytes + " + dram;
}

json time_to_json(const TypeModel& tm) {
  const TimeModel& t = tm.time;
  json classes = json::object();
  for (int c = 0; c < kLayerClasses; ++c)
    if (t.cls[static_cast<std::size_t>(c)].fitted) classes[class_name(static_cast<LayerClass>(c))] = class_time_to_json(t.cls[static_cast<std::size_t>(c)]);
  return {{"chosen", tm.time_chosen},
          {"form", time_form(t.q > 0)},
          {"dram_form", dram_form_name(t.dram.hinge)},
          {"units", t.units},
          {"cache_bytes", t.dram.cache_bytes},
          {"p", t.p},
          {"q", t.q},
          {"split_min_reduction", t.split_min_reduction},
          {"min_tile_area", t.tiles.min_tile_area},
          {"cpu_micro_rows", t.tiles.cpu_micro_rows},
          {"pooled", class_time_to_json(t.pooled)},
          {"classes", classes},
          {"corrector", t.corrector.empty() ? json(nullptr) : trees_to_json(t.corrector)},
          {"pass", pass_to_json(t.pass)}};
}

TimeModel time_from_json(const json& j, const std::string& where) {
  TimeModel t;
  t.fitted = true;
  t.units = need_number(j, "units", where);
  t.dram = {need_number(j, "cache_bytes", where), dram_hinge_of(j, where)};
  t.p = need_number(j, "p", where);
  if (!(t.p >= 1)) throw std::runtime_error(where + ": field 'p' must be >= 1");
  // Absent in models written before it: DRAM bytes in the memory side.
  if (j.contains("q")) t.q = need_number(j, "q", where);
  if (!(t.q == 0 || t.q >= 1)) throw std::runtime_error(where + ": field 'q' must be 0 or >= 1");
  // Absent in models written before the split-K rule: no rule.
  if (j.contains("split_min_reduction")) t.split_min_reduction = need_number(j, "split_min_reduction", where);
  // Absent in models written before it was learned: every tile.
  if (j.contains("min_tile_area")) t.tiles.min_tile_area = need_number(j, "min_tile_area", where);
  // Absent in models written before it: CPU blocks keep their size.
  if (j.contains("cpu_micro_rows")) t.tiles.cpu_micro_rows = need_number(j, "cpu_micro_rows", where);
  if (!(t.tiles.cpu_micro_rows >= 0)) throw std::runtime_error(where + ": field 'cpu_micro_rows' must be >= 0");
  t.pooled = class_time_from_json(need_object(j, "pooled", where), where + ".pooled");
  if (j.contains("classes") && j["classes"].is_object()) {
    for (auto it = j["classes"].begin(); it != j["classes"].end(); ++it) {
      LayerClass c;
      if (!parse_class(it.key(), &c)) throw std::runtime_error(where + ".classes: unknown class '" + it.key() + "'");
      t.cls[static_cast<std::size_t>(c)] = class_time_from_json(it.value(), where + ".classes." + it.key());
    }
  }
  t.corrector = trees_from_json(j.value("corrector", json()), where + ".corrector");
  t.pass = pass_from_json(j.value("pass", json()), where + ".pass");
  return t;
}

json fitted_to_json(const FittedModel& m, int type_index) {
  json j;
  switch (m.kind) {
    case ModelKind::paper:
      j = law_to_json(m.law);
      j["form"] = "alpha(K)*MACs";
      break;
    case ModelKind::affine:
      j = {{"form", "c0 + c1*MACs"}, {"c0", m.coef[0]}, {"c1", m.coef[1]}};
      break;
    case ModelKind::traffic:
      j = {{"form", "c0 + c1*alpha(K)*MACs + c2*bytes"},
           {"c0", m.coef[0]},
           {"c1", m.coef[1]},
           {"c2", m.coef[2]},
           {"alpha", law_to_json(m.law)}};
      break;
    case ModelKind::poly: {
      j = {{"form", "smearing*exp(intercept + sum c*product(vars))"},
           {"degree", m.poly.degree},
           {"lambda", m.poly.lambda},
           {"intercept", m.poly.intercept},
           {"smearing", m.poly.smearing},
           {"candidates", m.poly.candidates}};
      json terms = json::array();
      for (const PolyTerm& t : m.poly.terms) {
        json vars = json::array();
        std::string label;
        for (const int v : {t.i, t.j, t.l}) {
          if (v < 0) continue;
          vars.push_back(v);
          label += (label.empty() ? "" : " * ") + std::string(kShapeNames[type_index][v]);
        }
        terms.push_back({{"vars", vars}, {"c", t.c}, {"label", label}});
      }
      j["terms"] = terms;
      break;
    }
    case ModelKind::physical: {
      const PhysicalEnergy& p = m.physical;
      j = {{"form", "(P_static_W*t + e_mac_J*MACs + e_mac_exec_J*MACs_exec of the time model's kernel + e_operand_J*operand_bytes + e_byte_J*bytes + e_dram_J*dram_bytes"
                    " + e_launch_J*launches)"
                    " * exp(corrector), t from time_models"},
           {"P_static_W", p.p_static},
           {"e_mac_J", p.e_mac},
           {"e_mac_exec_J", p.e_mac_exec},
           {"e_operand_J", p.e_operand},
           {"e_byte_J", p.e_byte},
           {"e_dram_J", p.e_dram},
           {"e_launch_J", p.e_launch},
           {"cache_bytes", p.dram.cache_bytes},
           {"dram_form", dram_form_name(p.dram.hinge)},
           {"corrector", p.corrector.empty() ? json(nullptr) : trees_to_json(p.corrector)}};
      break;
    }
  }
  return j;
}

LawFit law_from_json(const json& j, const std::string& where) {
  LawFit law;
  const auto name = j.find("law");
  if (name == j.end() || !name->is_string() || !parse_law(name->get<std::string>(), &law.law))
    throw std::runtime_error(where + ": field 'law' missing or unknown");
  law.a = need_number(j, "a", where);
  law.b = need_number(j, "b", where);
  law.w = need_number(j, "w", where);
  return law;
}

FittedModel fitted_from_json(const json& j, const std::string& name, const std::string& where) {
  FittedModel m;
  const std::string base = name.substr(0, name.find('+'));
  if (!parse_model_kind(base, &m.kind)) throw std::runtime_error(where + ": unknown model '" + name + "'");
  switch (m.kind) {
    case ModelKind::paper:
      m.law = law_from_json(j, where);
      break;
    case ModelKind::affine:
      m.coef = {need_number(j, "c0", where), need_number(j, "c1", where), 0};
      break;
    case ModelKind::traffic:
      m.coef = {need_number(j, "c0", where), need_number(j, "c1", where), need_number(j, "c2", where)};
      if (!j.contains("alpha")) throw std::runtime_error(where + ": field 'alpha' missing");
      m.law = law_from_json(j["alpha"], where + ".alpha");
      break;
    case ModelKind::poly: {
      m.poly.degree = static_cast<int>(need_number(j, "degree", where));
      m.poly.intercept = need_number(j, "intercept", where);
      m.poly.lambda = need_number(j, "lambda", where);
      m.poly.smearing = optional_number(j, "smearing", 1.0);
      if (!j.contains("terms") || !j["terms"].is_array()) throw std::runtime_error(where + ": field 'terms' missing");
      for (const json& t : j["terms"]) {
        PolyTerm term;
        term.c = need_number(t, "c", where + ".terms");
        const json vars = t.value("vars", json::array());
        int* slots[3] = {&term.i, &term.j, &term.l};
        if (!vars.is_array() || vars.size() > 3) throw std::runtime_error(where + ".terms: bad 'vars'");
        for (std::size_t k = 0; k < vars.size(); ++k) {
          if (!vars[k].is_number_integer() || vars[k].get<int>() < 0 || vars[k].get<int>() >= kShapeVars)
            throw std::runtime_error(where + ".terms: bad variable index");
          *slots[k] = vars[k].get<int>();
        }
        m.poly.terms.push_back(term);
      }
      break;
    }
    case ModelKind::physical: {
      PhysicalEnergy& p = m.physical;
      p.fitted = true;
      p.p_static = need_number(j, "P_static_W", where);
      p.e_mac = need_number(j, "e_mac_J", where);
      p.e_mac_exec = need_number(j, "e_mac_exec_J", where);
      p.e_operand = need_number(j, "e_operand_J", where);
      p.e_byte = need_number(j, "e_byte_J", where);
      p.e_dram = need_number(j, "e_dram_J", where);
      p.e_launch = need_number(j, "e_launch_J", where);
      p.dram = {need_number(j, "cache_bytes", where), dram_hinge_of(j, where)};
      p.corrector = trees_from_json(j.value("corrector", json()), where + ".corrector");
      break;
    }
  }
  return m;
}

json residuals_to_json(const ResidualQuantiles& r) {
  return {{"n", r.n}, {"abs_log_residual_quantiles", r.q}};
}

ResidualQuantiles residuals_from_json(const json& j, const std::string& where) {
  ResidualQuantiles r;
  r.n = static_cast<std::size_t>(need_number(j, "n", where));
  const json q = j.value("abs_log_residual_quantiles", json());
  if (!q.is_array() || (r.n > 0 && q.size() != kResidualQuantiles))
    throw std::runtime_error(where + ": 'abs_log_residual_quantiles' must hold " + std::to_string(kResidualQuantiles) + " numbers");
  for (const json& v : q) r.q.push_back(v.get<double>());
  if (r.n == 0) r.q.clear();
  return r;
}

json region_to_json(const Region& r) {
  json inverse = json::array();
  for (int i = 0; i < kGeoVars; ++i) {
    json row = json::array();
    for (int j = 0; j < kGeoVars; ++j) row.push_back(r.inverse(i, j));
    inverse.push_back(row);
  }
  std::vector<double> mean(r.mean.data(), r.mean.data() + kGeoVars);
  std::vector<bool> constant(r.constant.begin(), r.constant.end());
  return {{"variables", "log N, C/groups, H, W, K, R*S, stride, groups (fc: log N, in, out)"},
          {"mean", mean}, {"inverse_covariance", inverse}, {"constant", constant}, {"max_distance", r.max_distance}};
}

Region region_from_json(const json& j, const std::string& where) {
  Region r;
  const json mean = j.value("mean", json()), inverse = j.value("inverse_covariance", json()),
             constant = j.value("constant", json());
  if (!mean.is_array() || mean.size() != kGeoVars || !inverse.is_array() || inverse.size() != kGeoVars ||
      !constant.is_array() || constant.size() != kGeoVars)
    throw std::runtime_error(where + ": 'mean', 'inverse_covariance', 'constant' must have " + std::to_string(kGeoVars) + " entries");
  for (int i = 0; i < kGeoVars; ++i) {
    r.mean[i] = mean[static_cast<std::size_t>(i)].get<double>();
    r.constant[static_cast<std::size_t>(i)] = constant[static_cast<std::size_t>(i)].get<bool>();
    if (!inverse[static_cast<std::size_t>(i)].is_array() || inverse[static_cast<std::size_t>(i)].size() != kGeoVars)
      throw std::runtime_error(where + ": 'inverse_covariance' is not " + std::to_string(kGeoVars) + "x" + std::to_string(kGeoVars));
    for (int k = 0; k < kGeoVars; ++k) r.inverse(i, k) = inverse[static_cast<std::size_t>(i)][static_cast<std::size_t>(k)].get<double>();
  }
  r.max_distance = need_number(j, "max_distance", where);
  r.fitted = true;
  return r;
}

std::string text(const json& doc, const char* key) {
  const auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

json hardware_to_json(const Hardware& h) {
  json out = {{"backend", h.backend},         {"units", h.units},           {"clock_MHz", h.clock_MHz},
              {"cache_bytes", h.cache_bytes}, {"simd_lanes", h.simd_lanes}, {"idle_W", h.idle_W},
              {"notes", h.notes}};
  if (h.power_cap_W > 0) out["power_cap_W"] = h.power_cap_W, out["power_cap_cases"] = h.power_cap_cases;
  return out;
}

Hardware hardware_from_json(const json& j) {
  Hardware h;
  if (!j.is_object()) return h;
  h.backend = text(j, "backend");
  h.units = optional_number(j, "units", 0);
  h.clock_MHz = optional_number(j, "clock_MHz", 0);
  h.cache_bytes = optional_number(j, "cache_bytes", 0);
  h.simd_lanes = optional_number(j, "simd_lanes", 0);
  h.idle_W = optional_number(j, "idle_W", 0);
  h.power_cap_W = optional_number(j, "power_cap_W", 0);
  h.power_cap_cases = static_cast<int>(optional_number(j, "power_cap_cases", 0));
  if (h.power_cap_W < 0 || !std::isfinite(h.power_cap_W))
    throw std::runtime_error("hardware: field 'power_cap_W' must be a power in W (or absent), not " +
                             std::to_string(h.power_cap_W));
  return h;
}

}  // namespace

json law_to_json(const LawFit& law) {
  return {{"law", law_name(law.law)}, {"formula", law_formula(law.law)}, {"a", law.a}, {"b", law.b}, {"w", law.w}};
}

json model_to_json(const EnergyModel& model) {
  json doc = {{"schema", kModelSchema},
              {"board", model.board},
              {"power_source", model.power_source},
              {"target", model.has_energy ? json(model.target) : json(nullptr)},
              {"precision", model.precision},
              {"hardware", hardware_to_json(model.hardware)}};
  json models = json::object(), times = json::object(), ranges = json::object(), intervals = json::object(),
       regions = json::object();
  intervals["level"] = model.interval_level;
  intervals["method"] = "split-conformal on nested-CV held-out |log(measured/predicted)|, per layer class";
  const std::pair<const char*, const TypeModel*> types[] = {{"conv", model.has_conv ? &model.conv : nullptr},
                                                            {"fc", model.has_fc ? &model.fc : nullptr}};
  for (int t = 0; t < 2; ++t) {
    const char* type = types[t].first;
    const TypeModel* tm = types[t].second;
    if (!tm) {
      models[type] = nullptr, times[type] = nullptr, ranges[type] = nullptr, intervals[type] = nullptr, regions[type] = nullptr;
      continue;
    }
    if (tm->chosen.empty()) {
      models[type] = nullptr;
    } else {
      json forms = json::object();
      for (const auto& kv : tm->models) forms[kv.first] = fitted_to_json(kv.second, t);
      json laws = json::array();
      for (const LawFit& l : tm->laws) laws.push_back(law_to_json(l));
      models[type] = {{"chosen", tm->chosen}, {"forms", forms}, {"laws", laws}};
    }
    times[type] = tm->has_time ? time_to_json(*tm) : json(nullptr);
    json r = json::object();
    for (const auto& kv : tm->ranges) r[kv.first] = {kv.second.lo, kv.second.hi};
    ranges[type] = r;
    json iv = {{"pooled", residuals_to_json(tm->residuals.pooled)}};
    for (int c = 0; c < kIntervalCells; ++c)
      if (!tm->residuals.cell[static_cast<std::size_t>(c)].empty())
        iv[cell_name(static_cast<IntervalCell>(c))] = residuals_to_json(tm->residuals.cell[static_cast<std::size_t>(c)]);
    intervals[type] = iv;
    regions[type] = tm->region.fitted ? region_to_json(tm->region) : json(nullptr);
  }
  json measured = json::object();
  for (const auto& kv : model.measured)
    measured[kv.first] = {{"energy_J", number_or_null(kv.second.energy_J)},
                          {"time_s", number_or_null(kv.second.time_s)},
                          {"rel_sd", kv.second.rel_sd}};
  doc["models"] = models;
  doc["time_models"] = times;
  doc["intervals"] = intervals;
  doc["measured"] = measured;
  doc["ranges"] = ranges;
  doc["region"] = regions;
  doc["cv"] = model.cv;
  return doc;
}

EnergyModel model_from_json(const json& doc) {
  if (!doc.is_object()) throw std::runtime_error("model: not a JSON object");
  const std::string schema = text(doc, "schema");
  if (schema != kModelSchema && schema != kModelSchemaV1)
    throw std::runtime_error(std::string("model: field 'schema' is neither \"") + kModelSchema + "\" nor \"" +
                             kModelSchemaV1 + "\"");
  EnergyModel model;
  model.schema = schema == kModelSchema ? 2 : 1;
  model.board = text(doc, "board");
  model.power_source = text(doc, "power_source");
  model.target = text(doc, "target");
  model.precision = text(doc, "precision");
  if (model.precision.empty()) model.precision = "fp32";
  model.hardware = hardware_from_json(doc.value("hardware", json()));
  if (!doc.contains("models") || !doc["models"].is_object()) throw std::runtime_error("model: field 'models' missing");
  const json times = doc.value("time_models", json::object());
  const json intervals = doc.value("intervals", json::object());
  const json regions = doc.value("region", json::object());
  model.interval_level = intervals.is_object() ? optional_number(intervals, "level", 0.9) : 0.9;
  bool any_energy = false;
  for (const char* type : {"conv", "fc"}) {
    const json& m = doc["models"].value(type, json());
    const json t = times.is_object() ? times.value(type, json()) : json();
    if (m.is_null() && t.is_null()) continue;
    const std::string where = std::string("model: models.") + type;
    TypeModel tm;
    if (!m.is_null()) {
      tm.chosen = text(m, "chosen");
      if (!m.contains("forms") || !m["forms"].is_object()) throw std::runtime_error(where + ": field 'forms' missing");
      for (auto it = m["forms"].begin(); it != m["forms"].end(); ++it)
        tm.models[it.key()] = fitted_from_json(it.value(), it.key(), where + ".forms." + it.key());
      if (!tm.models.count(tm.chosen)) throw std::runtime_error(where + ": field 'chosen' names no fitted form");
      if (m.contains("laws") && m["laws"].is_array())
        for (const json& l : m["laws"]) tm.laws.push_back(law_from_json(l, where + ".laws"));
      any_energy = true;
    }
    if (!t.is_null()) {
      const std::string tw = std::string("model: time_models.") + type;
      if (!t.is_object()) throw std::runtime_error(tw + ": not an object");
      tm.time = time_from_json(t, tw);
      tm.time_chosen = text(t, "chosen");
      tm.has_time = true;
    }
    if (tm.models.count("physical") || tm.chosen.rfind("physical", 0) == 0)
      if (!tm.has_time) throw std::runtime_error(where + ": a physical form needs time_models." + type);
    const json iv = intervals.is_object() ? intervals.value(type, json()) : json();
    if (iv.is_object()) {
      const std::string iw = std::string("model: intervals.") + type;
      if (iv.contains("pooled")) tm.residuals.pooled = residuals_from_json(iv["pooled"], iw + ".pooled");
      for (int c = 0; c < kIntervalCells; ++c) {
        const char* name = cell_name(static_cast<IntervalCell>(c));
        if (iv.contains(name)) tm.residuals.cell[static_cast<std::size_t>(c)] = residuals_from_json(iv[name], iw + "." + name);
      }
    }
    const json rg = regions.is_object() ? regions.value(type, json()) : json();
    if (rg.is_object()) tm.region = region_from_json(rg, std::string("model: region.") + type);
    const json r = doc.contains("ranges") && doc["ranges"].is_object() ? doc["ranges"].value(type, json()) : json();
    if (r.is_object()) {
      for (auto it = r.begin(); it != r.end(); ++it) {
        if (!it.value().is_array() || it.value().size() != 2 || !it.value()[0].is_number() ||
            !it.value()[1].is_number())
          throw std::runtime_error(std::string("model: ranges.") + type + "." + it.key() + " is not [lo, hi]");
        tm.ranges[it.key()] = {it.value()[0].get<double>(), it.value()[1].get<double>()};
      }
    }
    if (std::string(type) == "conv") {
      model.conv = tm, model.has_conv = true;
    } else {
      model.fc = tm, model.has_fc = true;
    }
  }
  if (!model.has_conv && !model.has_fc)
    throw std::runtime_error("model: neither models.conv nor models.fc (nor a time model) is fitted");
  model.has_energy = any_energy;
  const json measured = doc.value("measured", json::object());
  if (measured.is_object()) {
    for (auto it = measured.begin(); it != measured.end(); ++it) {
      if (!it.value().is_object()) throw std::runtime_error("model: measured." + it.key() + " is not an object");
      Measured m;
      m.energy_J = optional_number(it.value(), "energy_J", std::nan(""));
      m.time_s = optional_number(it.value(), "time_s", std::nan(""));
      m.rel_sd = optional_number(it.value(), "rel_sd", 0);
      model.measured[it.key()] = m;
    }
  }
  if (doc.contains("cv")) model.cv = doc["cv"];
  index_for_prediction(&model);
  return model;
}

namespace {

void build_range_table(TypeModel* part, const char* const* fields, std::size_t count) {
  part->range_table = {};
  for (std::size_t i = 0; i < count; ++i) {
    const auto it = part->ranges.find(fields[i]);
    if (it != part->ranges.end()) part->range_table[i] = {true, it->second};
  }
  part->range_table_built = true;
}

}  // namespace

void index_for_prediction(EnergyModel* model) {
  model->measured_index.build(model->measured);
  build_range_table(&model->conv, kConvRangeField, kConvRangeFields);
  build_range_table(&model->fc, kFcRangeField, kFcRangeFields);
}

EnergyModel read_model_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  const json doc = json::parse(in, nullptr, false);
  if (doc.is_discarded()) throw std::runtime_error(path + ": not valid JSON");
  try {
    return model_from_json(doc);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

}  // namespace layer_energy::analysis
