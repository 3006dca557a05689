// What a result entry is, the same for Google Benchmark 1.7 and 1.8+ files: 1.7 marks a failed or skipped case with
// "error_occurred", 1.8+ with "skipped" (a bool, or a string naming the kind); the reason is "error_message" or
// "skip_message". The one place that knows; resume and analysis both ask it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace layer_energy::result_format {

// Skipped or failed: the case did not measure.
bool entry_skipped(const nlohmann::json& entry);
// Why, as the file says ("" when it gives none).
std::string skip_message(const nlohmann::json& entry);
// An aggregate over repetitions (mean, median, stddev, cv), not a measured run.
bool entry_aggregate(const nlohmann::json& entry);
// The case's name: "run_name" (the same for a case's runs and aggregates), else "name"; "" when neither is text.
std::string case_name_of(const nlohmann::json& entry);
// A case measured: a named run that was not skipped, or the mean of its repetitions (a file written with
// --benchmark_report_aggregates_only holds no run). Resume keeps these cases.
bool entry_finished(const nlohmann::json& entry);

}  // namespace layer_energy::result_format
