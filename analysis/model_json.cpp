#include "analysis/model_json.hpp"

#include <fstream>

namespace layer_energy::analysis {
namespace {

using nlohmann::json;

const char* const kShapeNames[2][kShapeVars] = {
    {"log N", "log C/groups", "log H*W", "log K", "log R*S", "log stride", "log groups", "log MACs", "log bytes"},
    {"log N", "log in", "log out", "log MACs", "log bytes", "-", "-", "-", "-"}};

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
    case ModelKind::better:
      j = {{"form", "c0 + c1*alpha(K)*MACs + c2*bytes"},
           {"c0", m.coef[0]},
           {"c1", m.coef[1]},
           {"c2", m.coef[2]},
           {"alpha", law_to_json(m.law)}};
      break;
    case ModelKind::poly: {
      j = {{"form", "exp(intercept + sum c*product(vars))"},
           {"degree", m.poly.degree},
           {"lambda", m.poly.lambda},
           {"intercept", m.poly.intercept},
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
  }
  return j;
}

double need_number(const json& j, const char* key, const std::string& where) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number())
    throw std::runtime_error(where + ": field '" + key + "' missing or not a number");
  return it->get<double>();
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
  if (!parse_model_kind(name, &m.kind)) throw std::runtime_error(where + ": unknown model '" + name + "'");
  switch (m.kind) {
    case ModelKind::paper:
      m.law = law_from_json(j, where);
      break;
    case ModelKind::affine:
      m.coef = {need_number(j, "c0", where), need_number(j, "c1", where), 0};
      break;
    case ModelKind::better:
      m.coef = {need_number(j, "c0", where), need_number(j, "c1", where), need_number(j, "c2", where)};
      if (!j.contains("alpha")) throw std::runtime_error(where + ": field 'alpha' missing");
      m.law = law_from_json(j["alpha"], where + ".alpha");
      break;
    case ModelKind::poly: {
      m.poly.degree = static_cast<int>(need_number(j, "degree", where));
      m.poly.intercept = need_number(j, "intercept", where);
      m.poly.lambda = need_number(j, "lambda", where);
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
  }
  return m;
}

std::string text(const json& doc, const char* key) {
  const auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

json law_to_json(const LawFit& law) {
  return {{"law", law_name(law.law)}, {"formula", law_formula(law.law)}, {"a", law.a}, {"b", law.b}, {"w", law.w}};
}

json model_to_json(const EnergyModel& model) {
  json doc = {{"schema", kModelSchema},
              {"board", model.board},
              {"power_source", model.power_source},
              {"target", model.target},
              {"precision", model.precision}};
  json models = json::object(), ranges = json::object();
  const std::pair<const char*, const TypeModel*> types[] = {{"conv", model.has_conv ? &model.conv : nullptr},
                                                            {"fc", model.has_fc ? &model.fc : nullptr}};
  for (int t = 0; t < 2; ++t) {
    const TypeModel* tm = types[t].second;
    if (!tm) {
      models[types[t].first] = nullptr;
      ranges[types[t].first] = nullptr;
      continue;
    }
    json forms = json::object();
    for (const auto& kv : tm->models) forms[kv.first] = fitted_to_json(kv.second, t);
    json laws = json::array();
    for (const LawFit& l : tm->laws) laws.push_back(law_to_json(l));
    models[types[t].first] = {{"chosen", tm->chosen}, {"forms", forms}, {"laws", laws}};
    json r = json::object();
    for (const auto& kv : tm->ranges) r[kv.first] = {kv.second.lo, kv.second.hi};
    ranges[types[t].first] = r;
  }
  doc["models"] = models;
  doc["ranges"] = ranges;
  doc["cv"] = model.cv;
  return doc;
}

EnergyModel model_from_json(const json& doc) {
  if (!doc.is_object()) throw std::runtime_error("model: not a JSON object");
  if (text(doc, "schema") != kModelSchema)
    throw std::runtime_error(std::string("model: field 'schema' is not \"") + kModelSchema + "\"");
  EnergyModel model;
  model.board = text(doc, "board");
  model.power_source = text(doc, "power_source");
  model.target = text(doc, "target");
  model.precision = text(doc, "precision");
  if (model.precision.empty()) model.precision = "fp32";
  if (!doc.contains("models") || !doc["models"].is_object()) throw std::runtime_error("model: field 'models' missing");
  for (const char* type : {"conv", "fc"}) {
    const json& m = doc["models"].value(type, json());
    if (m.is_null()) continue;
    const std::string where = std::string("model: models.") + type;
    TypeModel tm;
    tm.chosen = text(m, "chosen");
    if (!m.contains("forms") || !m["forms"].is_object()) throw std::runtime_error(where + ": field 'forms' missing");
    for (auto it = m["forms"].begin(); it != m["forms"].end(); ++it)
      tm.models[it.key()] = fitted_from_json(it.value(), it.key(), where + ".forms." + it.key());
    if (!tm.models.count(tm.chosen)) throw std::runtime_error(where + ": field 'chosen' names no fitted form");
    if (m.contains("laws") && m["laws"].is_array())
      for (const json& l : m["laws"]) tm.laws.push_back(law_from_json(l, where + ".laws"));
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
  if (!model.has_conv && !model.has_fc) throw std::runtime_error("model: neither models.conv nor models.fc is fitted");
  if (doc.contains("cv")) model.cv = doc["cv"];
  return model;
}

EnergyModel read_model_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  const json doc = json::parse(in, nullptr, false);
  if (doc.is_discarded()) throw std::runtime_error(path + ": not valid JSON");
  try {
    return model_from_json(doc);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

}  // namespace layer_energy::analysis
