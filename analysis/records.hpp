// Benchmark entries → cases: repetitions grouped, skipped/error runs and bad counters rejected with a reason that
// names file, case and field; geometry from counters, else from the case name.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reporters/result_format/reader.hpp"
#include "layers/layer.hpp"

namespace layer_energy::analysis {

// The one result-file reader (reporters/result_format), as analysis reads it.
using result_format::ReadError;
using result_format::read_result_file;
using result_format::ResultFile;


enum class CaseKind { conv, fc, net, other };

struct Case {
  std::string name;   // full case name, suffixes included (the key comparisons match on)
  std::string group;  // layer configuration: name without precision/layout/Google Benchmark suffixes
  std::string file;   // the file it was first read from
  CaseKind kind = CaseKind::other;
  bool has_geometry = false;
  layers::Layer layer;
  layers::Precision precision = layers::Precision::fp32;
  layers::Layout layout = layers::Layout::nchw;
  double macs = 0, bytes = 0;
  // Per repetition (iteration records); a case with only aggregates holds the mean once and from_aggregate = true.
  std::vector<double> energy_J, energy_dynamic_J, time_s;
  double aggregate_energy_sd = 0;  // stddev aggregate, when only aggregates exist
  bool from_aggregate = false;
  std::vector<std::string> problems;  // "FILE: CASE: ..." for every rejected record or field
  std::vector<std::string> algorithms;  // distinct algorithm labels (the label up to its first ';')
  bool throttled = false;               // a repetition had the clock move during its window
  std::vector<double> clock_MHz;        // the GPU clock each record read (gpu_clock_MHz; empty: not recorded)
  int contended = 0;                    // repetitions timed while the threads waited for a CPU: left out
  double kernels = 0;                   // launches per call (the "kernels" counter; 0 = not recorded)
  bool network_run = false;             // read from a --network/--onnx run (kept out of training by default)
};

// Where the case's name comes from and what stays of it as a configuration.
std::string case_group(const std::string& name);
CaseKind case_kind(const std::string& name);

// A counter as a number: JSON numbers and the quoted "NaN"/"Infinity" tokens; false when absent or not a number.
bool number(const nlohmann::json& entry, const char* key, double* value);

// Cases of one file, in first-appearance order. Warnings (file, case, field) are appended to `warnings`.
std::vector<Case> cases_of(const ResultFile& file, std::vector<std::string>* warnings);

// Merges cases of several files by name: repetitions concatenated (a warning when the same case has different
// geometry). Keeps first-appearance order.
std::vector<Case> merge_cases(const std::vector<std::vector<Case>>& per_file, std::vector<std::string>* warnings);

// Mean and relative standard deviation (sd/mean; 0 with one value) of a sample.
double mean_of(const std::vector<double>& v);
double relative_sd(const std::vector<double>& v);

}  // namespace layer_energy::analysis
