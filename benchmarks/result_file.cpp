#include "benchmarks/result_file.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace layer_energy::bench {
namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A truncated result: keep everything up to the last complete entry of "benchmarks" and close the brackets.
nlohmann::json salvage(const std::string& text) {
  const auto list = text.find("\"benchmarks\"");
  if (list == std::string::npos) return nlohmann::json();
  for (auto cut = text.rfind('}'); cut != std::string::npos && cut > list; cut = text.rfind('}', cut - 1)) {
    auto candidate = nlohmann::json::parse(text.substr(0, cut + 1) + "]}", nullptr, false);
    if (!candidate.is_discarded()) return candidate;
  }
  return nlohmann::json::parse(text.substr(0, text.find('[', list) + 1) + "]}", nullptr, false);
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
  const std::string text = read_all(path);
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded()) json = salvage(text);
  if (!json.is_object() || !json.contains("benchmarks") || !json["benchmarks"].is_array()) {
    throw std::runtime_error(path + ": not a layer_bench result (no \"benchmarks\" list)");
  }
  std::set<std::string> names;
  for (const auto& entry : json["benchmarks"]) {
    if (finished(entry)) names.insert(entry.value("run_name", entry["name"].get<std::string>()));
  }
  return names;
}

void add_to_context(const std::string& path, const std::map<std::string, std::string>& values) {
  auto json = nlohmann::json::parse(read_all(path), nullptr, false);
  if (json.is_discarded() || !json.is_object()) throw std::runtime_error(path + ": not valid JSON, context not amended");
  for (const auto& kv : values) json["context"][kv.first] = kv.second;
  std::ofstream out(path);
  out << json.dump(2) << "\n";
  if (!out) throw std::runtime_error(path + ": cannot write");
}

}  // namespace layer_energy::bench
