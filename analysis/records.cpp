#include "analysis/records.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <unordered_map>

#include "reporters/result_format/entry_status.hpp"
#include "reporters/result_format/fields.hpp"

namespace layer_energy::analysis {

namespace field = result_format::field;
namespace {

using nlohmann::json;

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) parts.push_back(part);
  return parts;
}

bool starts_with(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

// Segments Google Benchmark appends to a run's name.
bool benchmark_suffix(const std::string& seg) {
  return starts_with(seg, "repeats:") || starts_with(seg, "iterations:") || starts_with(seg, "min_time:") ||
         starts_with(seg, "min_warmup_time:") || starts_with(seg, "threads:") || seg == field::real_time ||
         seg == "manual_time" || seg == "process_time";
}

bool precision_or_layout(const std::string& seg) {
  layers::Precision p;
  layers::Layout l;
  return layers::parse_precision(seg, &p) || layers::parse_layout(seg, &l);
}

// The case name: the run name without Google Benchmark's suffixes.
std::string case_key(const std::string& run_name) {
  std::string out;
  for (const std::string& seg : split(run_name, '/')) {
    if (benchmark_suffix(seg)) continue;
    out += out.empty() ? seg : "/" + seg;
  }
  return out;
}

double seconds_per_unit(const json& entry) {
  const auto unit = entry.find(field::time_unit);
  if (unit == entry.end() || !unit->is_string()) return 1e-9;  // Google Benchmark's default
  const std::string u = unit->get<std::string>();
  if (u == "s") return 1.0;
  if (u == "ms") return 1e-3;
  if (u == "us") return 1e-6;
  return 1e-9;
}

std::string text_of(const json& entry, const char* key) {
  const auto it = entry.find(key);
  return it != entry.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool integer_counter(const json& entry, const char* key, int64_t* out) {
  double v = 0;
  if (!number(entry, key, &v) || !std::isfinite(v) || v < 0 || std::fabs(v - std::round(v)) > 1e-6 || v > 9e15)
    return false;
  *out = static_cast<int64_t>(std::llround(v));
  return true;
}

// Geometry from the counters; an empty string when complete, else the first missing field.
std::string geometry_from_counters(const json& entry, CaseKind kind, layers::Layer* layer) {
  if (kind == CaseKind::conv) {
    layers::ConvShape& c = layer->conv;
    layer->type = layers::LayerType::conv;
    const std::pair<const char*, int64_t*> required[] = {{"N", &c.N}, {"C", &c.C}, {"H", &c.H}, {"W", &c.W},
                                                         {"K", &c.K}, {"R", &c.R}, {"S", &c.S}};
    for (const auto& field : required)
      if (!integer_counter(entry, field.first, field.second)) return field.first;
    if (!integer_counter(entry, "stride", &c.stride)) c.stride = 1;
    if (!integer_counter(entry, "pad", &c.pad)) c.pad = 0;
    if (!integer_counter(entry, "groups", &c.groups)) c.groups = 1;
    return "";
  }
  layers::FcShape& f = layer->fc;
  layer->type = layers::LayerType::fc;
  const std::pair<const char*, int64_t*> required[] = {{"N", &f.N}, {"in", &f.in}, {"out", &f.out}};
  for (const auto& field : required)
    if (!integer_counter(entry, field.first, field.second)) return field.first;
  return "";
}

std::string format_value(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// Geometry, MACs, bytes, precision and layout of a new case from its first entry.
void describe(Case* c, const json& entry, const ResultFile& file, std::vector<std::string>* warnings) {
  for (const std::string& seg : split(c->name, '/')) {
    layers::parse_precision(seg, &c->precision);
    layers::parse_layout(seg, &c->layout);
  }
  const auto context_precision = file.context.find("precision");
  if (c->name.find("/fp16") == std::string::npos && c->name.find("/tf32") == std::string::npos &&
      context_precision != file.context.end())
    layers::parse_precision(context_precision->second, &c->precision);
  if (c->kind != CaseKind::conv && c->kind != CaseKind::fc) return;
  const std::string missing = geometry_from_counters(entry, c->kind, &c->layer);
  if (!missing.empty()) {
    layers::Layer parsed;
    if (!layers::parse_case_name(c->name, &parsed)) {
      const std::string why = file.path + ": " + c->name + ": geometry counter '" + missing +
                              "' missing and the case name cannot be parsed";
      c->problems.push_back(why);
      warnings->push_back(why);
      return;
    }
    c->layer = parsed;
  }
  const std::string invalid = layers::validate(c->layer);
  if (!invalid.empty()) {
    const std::string why = file.path + ": " + c->name + ": invalid geometry: " + invalid;
    c->problems.push_back(why);
    warnings->push_back(why);
    return;
  }
  c->has_geometry = true;
  double v = 0;
  c->macs = number(entry, field::macs, &v) && std::isfinite(v) && v > 0 ? v : layers::macs(c->layer);
  c->bytes = number(entry, field::bytes, &v) && std::isfinite(v) && v > 0 ? v : layers::bytes(c->layer, c->precision);
}

// The implementation a label names: its first "; "-separated part, after the note a case without energy puts first
// ("time only; onednn convolution ...", "no energy: <why>; cudnn IMPLICIT_GEMM, ...").
std::string implementation_of(std::string label) {
  for (const char* note : {"time only", "no energy: "}) {
    if (label.rfind(note, 0) != 0) continue;
    const std::size_t end = label.find("; ");
    label = end == std::string::npos ? std::string() : label.substr(end + 2);
    break;
  }
  return label.substr(0, label.find(';'));
}

// What ran and how: the algorithm label, throttling, launches.
void note_run_facts(Case* c, const json& entry) {
  std::string label = implementation_of(text_of(entry, field::label));
  if (!label.empty() && std::find(c->algorithms.begin(), c->algorithms.end(), label) == c->algorithms.end())
    c->algorithms.push_back(label);
  double v = 0;
  if (number(entry, field::throttled, &v) && v > 0) c->throttled = true;
  if (number(entry, field::kernels, &v) && std::isfinite(v) && v > 0) c->kernels = v;
  if (number(entry, field::gpu_clock_MHz, &v) && std::isfinite(v) && v > 0) c->clock_MHz.push_back(v);
}

}  // namespace

std::string case_group(const std::string& name) {
  std::string out;
  for (const std::string& seg : split(name, '/')) {
    if (benchmark_suffix(seg) || precision_or_layout(seg)) continue;
    out += out.empty() ? seg : "/" + seg;
  }
  return out;
}

CaseKind case_kind(const std::string& name) {
  if (starts_with(name, "Conv/")) return CaseKind::conv;
  if (starts_with(name, "FC/")) return CaseKind::fc;
  if (starts_with(name, "Net/")) return CaseKind::net;
  return CaseKind::other;
}

bool number(const json& entry, const char* key, double* value) {
  const auto it = entry.find(key);
  if (it == entry.end()) return false;
  if (it->is_number()) {
    *value = it->get<double>();
    return true;
  }
  if (!it->is_string()) return false;
  const std::string s = it->get<std::string>();
  if (s == "NaN" || s == "-NaN" || s == "nan" || s == "-nan") {
    *value = std::nan("");
  } else if (s == "Infinity" || s == "inf") {
    *value = HUGE_VAL;
  } else if (s == "-Infinity" || s == "-inf") {
    *value = -HUGE_VAL;
  } else {
    return false;
  }
  return true;
}

std::vector<Case> cases_of(const ResultFile& file, std::vector<std::string>* warnings) {
  std::vector<Case> cases;
  std::unordered_map<std::string, std::size_t> index;
  struct Aggregate {
    bool has_mean = false;
    double energy = 0, energy_dynamic = 0, time = 0, sd = 0;
  };
  std::unordered_map<std::string, Aggregate> aggregates;
  // A time-only run (--power=none) has no energy by design: its rows are timed cases, not problems to report.
  const auto source = file.context.find("power_source");
  const bool time_only_run = source != file.context.end() && source->second == "none";
  // Repetitions timed while other processes held the CPUs are left out when they are a minority of the run; when most
  // of it was contended there is nothing clean to fit instead: all are kept and the run is warned of as a whole.
  std::size_t repetitions = 0, contended_repetitions = 0;
  for (const json& entry : file.entries) {
    if (result_format::entry_aggregate(entry) || result_format::entry_skipped(entry)) continue;
    double v = 0;
    ++repetitions;
    if (number(entry, field::contended, &v) && v > 0) ++contended_repetitions;
  }
  const bool drop_contended = 2 * contended_repetitions <= repetitions;
  if (contended_repetitions && !drop_contended) {
    warnings->push_back(file.path + ": " + std::to_string(contended_repetitions) + " of " +
                        std::to_string(repetitions) +
                        " repetitions were timed while their threads waited for a CPU (contended: other processes "
                        "ran); kept, as most of the run was: its times are those of a busy machine");
  }
  for (const json& entry : file.entries) {
    std::string run_name = text_of(entry, field::run_name);
    if (run_name.empty()) run_name = text_of(entry, "name");
    if (run_name.empty()) {
      warnings->push_back(file.path + ": a benchmark entry has no name; ignored");
      continue;
    }
    const std::string key = case_key(run_name);
    auto found = index.find(key);
    if (found == index.end()) {
      Case c;
      c.name = key;
      c.group = case_group(key);
      c.file = file.path;
      c.kind = case_kind(key);
      describe(&c, entry, file, warnings);
      found = index.emplace(key, cases.size()).first;
      cases.push_back(std::move(c));
    }
    Case& c = cases[found->second];
    const auto fail = [&](const std::string& why) {
      c.problems.push_back(file.path + ": " + c.name + ": " + why);
      warnings->push_back(c.problems.back());
    };
    const bool aggregate = result_format::entry_aggregate(entry);
    if (result_format::entry_skipped(entry)) {
      const std::string message = result_format::skip_message(entry);
      if (!aggregate) fail("skipped: " + (message.empty() ? std::string("no reason given") : message));
      continue;
    }
    double energy = 0, dynamic = 0, time = 0;
    const bool has_energy = number(entry, field::energy_J, &energy);
    const bool has_dynamic = number(entry, field::energy_dynamic_J, &dynamic);
    const bool has_time = number(entry, field::real_time, &time) && std::isfinite(time) && time >= 0;
    if (aggregate) {
      Aggregate& a = aggregates[key];
      const std::string which = text_of(entry, field::aggregate_name);
      if (which == "mean") {
        a.has_mean = has_energy || has_time;
        a.energy = has_energy ? energy : std::nan("");
        a.energy_dynamic = has_dynamic ? dynamic : std::nan("");
        a.time = has_time ? time * seconds_per_unit(entry) : std::nan("");
      } else if (which == "stddev" && has_energy) {
        a.sd = energy;
      }
      continue;
    }
    note_run_facts(&c, entry);
    // Other processes held the CPUs during the window: it timed them, not the layer. Left out, counted, warned of.
    double contended = 0;
    if (drop_contended && number(entry, field::contended, &contended) && contended > 0) {
      ++c.contended;
      continue;
    }
    if (has_time) c.time_s.push_back(time * seconds_per_unit(entry));
    if (!has_energy) {
      if (time_only_run) continue;
      const std::string label = text_of(entry, field::label);
      fail("field 'energy_J' missing" + (label.empty() ? std::string() : " (" + label + ")"));
      continue;
    }
    // isnormal: finite, non-zero and not subnormal (a subnormal joule count is no measurement, and a fit on it
    // overflows to parameters the model file cannot hold).
    if (!std::isnormal(energy) || energy < 0) {
      fail("field 'energy_J' = " + format_value(energy) + " (must be a finite, normal number > 0)");
      continue;
    }
    c.energy_J.push_back(energy);
    if (has_dynamic) {
      if (std::isnormal(dynamic) && dynamic > 0) {
        c.energy_dynamic_J.push_back(dynamic);
      } else {
        fail("field 'energy_dynamic_J' = " + format_value(dynamic) + " (must be a finite, normal number > 0)");
      }
    }
  }
  for (Case& c : cases) {
    const auto a = aggregates.find(c.name);
    // (Not for a case whose repetitions were left out as contended: their mean is no fallback.)
    if (a == aggregates.end() || !a->second.has_mean || !c.energy_J.empty() || !c.time_s.empty() || c.contended)
      continue;
    const Aggregate& agg = a->second;
    c.from_aggregate = true;
    if (std::isfinite(agg.time)) c.time_s.push_back(agg.time);
    if (std::isnormal(agg.energy) && agg.energy > 0) {
      c.energy_J.push_back(agg.energy);
      c.aggregate_energy_sd = agg.sd;
    }
    if (std::isnormal(agg.energy_dynamic) && agg.energy_dynamic > 0) c.energy_dynamic_J.push_back(agg.energy_dynamic);
  }
  return cases;
}

std::vector<Case> merge_cases(const std::vector<std::vector<Case>>& per_file, std::vector<std::string>* warnings) {
  std::vector<Case> merged;
  std::unordered_map<std::string, std::size_t> index;
  for (const auto& cases : per_file) {
    for (const Case& c : cases) {
      const auto found = index.find(c.name);
      if (found == index.end()) {
        index.emplace(c.name, merged.size());
        merged.push_back(c);
        continue;
      }
      Case& m = merged[found->second];
      if (m.has_geometry && c.has_geometry && m.macs != c.macs)
        warnings->push_back(c.file + ": " + c.name + ": MACs differ from " + m.file + "; repetitions merged anyway");
      if (!m.has_geometry && c.has_geometry) {
        m.layer = c.layer, m.macs = c.macs, m.bytes = c.bytes, m.has_geometry = true;
      }
      if (m.from_aggregate && !c.from_aggregate && !c.energy_J.empty()) {
        m.energy_J.clear(), m.energy_dynamic_J.clear(), m.time_s.clear(), m.from_aggregate = false;
      }
      if (!c.from_aggregate || m.from_aggregate) {
        m.energy_J.insert(m.energy_J.end(), c.energy_J.begin(), c.energy_J.end());
        m.energy_dynamic_J.insert(m.energy_dynamic_J.end(), c.energy_dynamic_J.begin(), c.energy_dynamic_J.end());
        m.time_s.insert(m.time_s.end(), c.time_s.begin(), c.time_s.end());
      }
      m.problems.insert(m.problems.end(), c.problems.begin(), c.problems.end());
      for (const std::string& a : c.algorithms)
        if (std::find(m.algorithms.begin(), m.algorithms.end(), a) == m.algorithms.end()) m.algorithms.push_back(a);
      m.throttled = m.throttled || c.throttled;
      m.clock_MHz.insert(m.clock_MHz.end(), c.clock_MHz.begin(), c.clock_MHz.end());
      m.contended += c.contended;
      if (m.kernels == 0) m.kernels = c.kernels;
    }
  }
  return merged;
}

double mean_of(const std::vector<double>& v) {
  if (v.empty()) return std::nan("");
  double s = 0;
  for (const double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double relative_sd(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  const double m = mean_of(v);
  double ss = 0;
  for (const double x : v) ss += (x - m) * (x - m);
  return std::sqrt(ss / static_cast<double>(v.size() - 1)) / m;
}

}  // namespace layer_energy::analysis
