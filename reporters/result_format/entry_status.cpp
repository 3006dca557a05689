#include "reporters/result_format/entry_status.hpp"

#include "reporters/result_format/fields.hpp"

namespace layer_energy::result_format {

namespace {

// A flag as either version writes it: true, a non-zero number, or (1.8+ "skipped") a non-empty kind string.
bool flag_set(const nlohmann::json& entry, const char* key) {
  const auto it = entry.find(key);
  if (it == entry.end()) return false;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_number()) return it->get<double>() != 0;
  if (it->is_string()) return !it->get<std::string>().empty();
  return false;
}

}  // namespace

bool entry_skipped(const nlohmann::json& entry) {
  return flag_set(entry, field::error_occurred) || flag_set(entry, field::skipped);
}

std::string skip_message(const nlohmann::json& entry) {
  for (const char* key : {field::error_message, field::skip_message}) {
    const auto it = entry.find(key);
    if (it != entry.end() && it->is_string() && !it->get<std::string>().empty()) return it->get<std::string>();
  }
  return "";
}

bool entry_aggregate(const nlohmann::json& entry) {
  const auto type = entry.find(field::run_type);
  return type != entry.end() && type->is_string() && type->get<std::string>() == "aggregate";
}

std::string case_name_of(const nlohmann::json& entry) {
  for (const char* key : {field::run_name, field::name}) {
    const auto it = entry.find(key);
    if (it != entry.end() && it->is_string()) return it->get<std::string>();
  }
  return "";
}

bool entry_finished(const nlohmann::json& entry) {
  if (!entry.is_object() || case_name_of(entry).empty() || entry_skipped(entry)) return false;
  if (!entry_aggregate(entry)) return true;
  // --benchmark_report_aggregates_only writes no run: the mean stands for the case's repetitions.
  const auto which = entry.find(field::aggregate_name);
  return which != entry.end() && which->is_string() && which->get<std::string>() == "mean";
}

}  // namespace layer_energy::result_format
