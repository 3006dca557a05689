#include "benchmarks/result_file.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "layers/atomic_file.hpp"
#include "layers/gbench_json_text.hpp"

namespace layer_energy::bench {
namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A case counts as finished when it ran: not an aggregate, not skipped or failed (1.7: error_occurred; 1.8+: skipped).
bool finished(const nlohmann::json& entry) {
  if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string()) return false;
  if (entry.value("error_occurred", false)) return false;
  const auto skipped = entry.find("skipped");
  if (skipped != entry.end() && (skipped->is_boolean() ? skipped->get<bool>() : true)) return false;
  return entry.value("run_type", std::string("iteration")) == "iteration";
}

}  // namespace

std::set<std::string> finished_cases(const std::string& path) {
  // Google Benchmark writes non-finite counters (e.g. a cv of all-zero values) as bare NaN: quote them first.
  const std::string text = layers::quote_nonfinite_tokens(read_all(path));
  std::vector<nlohmann::json> entries;
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_discarded() && json.is_object() && json.contains("benchmarks") && json["benchmarks"].is_array()) {
    entries.assign(json["benchmarks"].begin(), json["benchmarks"].end());
  } else {
    // Cut short by an interrupted run: the complete entries before the cut count.
    const layers::SalvagedText salvaged = layers::salvage_benchmarks(text);
    if (!salvaged.found_benchmarks) throw std::runtime_error(path + ": not a layer_bench result (no \"benchmarks\" list)");
    for (const auto& entry_text : salvaged.entries) {
      auto entry = nlohmann::json::parse(entry_text, nullptr, false);
      if (!entry.is_discarded()) entries.push_back(std::move(entry));
    }
  }
  std::set<std::string> names;
  for (const auto& entry : entries) {
    if (finished(entry)) names.insert(entry.value("run_name", entry["name"].get<std::string>()));
  }
  return names;
}

void add_to_context(const std::string& path, const std::map<std::string, std::string>& values) {
  // Inserted as text right after the context's opening brace: the rest of the file stays byte for byte what Google
  // Benchmark wrote. Written to a new file renamed over the old one: a kill or a full disk in this moment leaves the
  // finished sweep's file as it was, never empty.
  std::string text = read_all(path);
  const auto key = text.find("\"context\"");
  const auto brace = key == std::string::npos ? key : text.find('{', key);
  if (brace == std::string::npos) throw std::runtime_error(path + ": no \"context\" object, context not amended");
  std::string inserted;
  for (const auto& kv : values) {
    inserted += "\n    " + nlohmann::json(kv.first).dump() + ": " + nlohmann::json(kv.second).dump() + ",";
  }
  text.insert(brace + 1, inserted);
  if (!layers::write_file_atomically(path, text)) {
    throw std::runtime_error(path + ": cannot write the amended context (disk full?); the file is unchanged");
  }
}

}  // namespace layer_energy::bench
