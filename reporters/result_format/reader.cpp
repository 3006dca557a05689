#include "reporters/result_format/reader.hpp"

#include <fstream>
#include <sstream>

#include "reporters/result_format/entry_status.hpp"
#include "reporters/result_format/fields.hpp"
#include "reporters/result_format/json_text.hpp"

namespace layer_energy::result_format {
namespace {

using nlohmann::json;

std::map<std::string, std::string> context_of(const json& context) {
  std::map<std::string, std::string> out;
  if (!context.is_object()) return out;
  for (auto it = context.begin(); it != context.end(); ++it) {
    out[it.key()] = it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
  }
  return out;
}

bool only_space(const std::string& text) {
  for (const char c : text)
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return false;
  return true;
}

}  // namespace

ResultFile parse_result_text(const std::string& raw, const std::string& path) {
  ResultFile file;
  file.path = path;
  if (only_space(raw)) throw ReadError(path + ": empty file");
  const std::string text = quote_nonfinite_tokens(raw);
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_discarded()) {
    if (!doc.is_object() || !doc.contains("benchmarks") || !doc["benchmarks"].is_array())
      throw ReadError(path + ": not a Google Benchmark result file (no \"benchmarks\" array)");
    if (doc.contains("context")) file.context = context_of(doc["context"]);
    for (auto& entry : doc["benchmarks"]) {
      if (entry.is_object()) {
        file.entries.push_back(std::move(entry));
      } else {
        file.warnings.push_back(path + ": a \"benchmarks\" element is not an object; ignored");
      }
    }
    return file;
  }
  // Not valid JSON: keep the complete entries before the damage.
  const SalvagedText salvage = salvage_benchmarks(text);
  if (!salvage.found_benchmarks) throw ReadError(path + ": not valid JSON and no \"benchmarks\" array to salvage");
  if (!salvage.context.empty()) {
    const json context = json::parse(salvage.context, nullptr, false);
    if (!context.is_discarded()) file.context = context_of(context);
  }
  for (const std::string& entry_text : salvage.entries) {
    json entry = json::parse(entry_text, nullptr, false);
    if (entry.is_discarded() || !entry.is_object()) break;  // malformed: stop at the damage
    file.entries.push_back(std::move(entry));
  }
  file.salvaged = true;
  std::ostringstream note;
  note << path << ": truncated or malformed JSON (interrupted run?); salvaged " << file.entries.size()
       << " complete benchmark entries before byte " << salvage.stop_offset;
  file.warnings.push_back(note.str());
  return file;
}

ResultFile read_result_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ReadError(path + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ReadError(path + ": read error");
  return parse_result_text(text.str(), path);
}

std::set<std::string> finished_cases(const std::string& path) {
  const ResultFile file = read_result_file(path);
  // A run that had a power source measures energy: a case without it (the sensor was out) is not finished.
  const auto source = file.context.find(context_key::power_source);
  const bool energy_expected = source != file.context.end() && source->second != "none";
  struct Seen {
    int runs = 0;
    double repetitions = 1;
    bool mean = false;
    bool energy = true;
  };
  std::map<std::string, Seen> seen;
  for (const auto& entry : file.entries) {
    if (!entry_finished(entry)) continue;
    Seen& s = seen[case_name_of(entry)];
    if (entry_aggregate(entry)) {
      s.mean = true;
    } else {
      ++s.runs;
    }
    const auto repetitions = entry.find(field::repetitions);
    if (repetitions != entry.end() && repetitions->is_number()) s.repetitions = repetitions->get<double>();
    if (energy_expected && !entry.contains(field::energy_J)) s.energy = false;
  }
  std::set<std::string> names;
  for (const auto& kv : seen) {
    // Every repetition written (or their mean, for --benchmark_report_aggregates_only), each with its energy.
    if ((kv.second.mean || kv.second.runs >= kv.second.repetitions) && kv.second.energy) names.insert(kv.first);
  }
  return names;
}

}  // namespace layer_energy::result_format
