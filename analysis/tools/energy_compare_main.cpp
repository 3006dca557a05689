// energy_compare BASE NEW [--threshold 5%|0.05] [--alpha 0.05] [--metric energy|time|both]
// Exit: 0 no regression; 1 a significant regression beyond the threshold; 2 an error (unreadable input, bad flags,
// or nothing compared: no case in both files with enough repetitions of the metric — a gate must not pass then).
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdlib>
#include <iostream>

#include "analysis/compare.hpp"
#include "analysis/tools/tool_common.hpp"

int main(int argc, char** argv) {
  using namespace layer_energy::analysis;
  CLI::App app{"Compares two layer_bench result files case by case (one-sided Mann-Whitney U)", "energy_compare"};
  std::string base_path, new_path, threshold = "5%", metric = "energy";
  CompareOptions options;
  app.add_option("BASE", base_path, "baseline result JSON")->required();
  app.add_option("NEW", new_path, "new result JSON")->required();
  app.add_option("--threshold", threshold, "smallest relative increase that counts: 5% or 0.05")->capture_default_str();
  app.add_option("--alpha", options.alpha, "significance level")
      ->check(CLI::Validator(
          [](std::string& text) {
            // CLI::Range lets NaN through (every comparison with it is false), and NaN would disable the gate.
            const double v = std::strtod(text.c_str(), nullptr);
            return std::isfinite(v) && v >= 1e-12 && v <= 0.5 ? std::string() : "must be a number in [1e-12, 0.5]";
          },
          "FLOAT in [1e-12, 0.5]"))
      ->capture_default_str();
  app.add_option("--metric", metric, "energy, time or both")
      ->check(CLI::IsMember({"energy", "time", "both"}))
      ->capture_default_str();
  if (const auto exit_code = tool::parse_command_line(app, argc, argv)) return *exit_code;
  if (!parse_threshold(threshold, &options.threshold)) {
    std::cerr << "energy_compare: --threshold '" << threshold << "' is not a percentage (5%) or a fraction (0.05)\n";
    return 2;
  }
  if (metric == "both") {
    options.metrics = {"energy", "time"};
  } else {
    options.metrics = {metric};
  }
  try {
    const ResultFile base = read_result_file(base_path);
    const ResultFile next = read_result_file(new_path);
    for (const ResultFile* f : {&base, &next}) {
      for (const std::string& w : f->warnings) std::cerr << "energy_compare: warning: " << w << "\n";
      if (f->entries.empty()) {
        std::cerr << "energy_compare: error: " << f->path << ": no benchmark results\n";
        return 2;
      }
    }
    std::vector<std::string> warnings;
    const Comparison comparison = compare_results(base, next, options, &warnings);
    for (const std::string& w : warnings) std::cerr << "energy_compare: warning: " << w << "\n";
    std::cout << comparison_table(comparison, options);
    const std::string nothing = nothing_compared_reason(comparison, options);
    if (!nothing.empty()) {
      std::cerr << "energy_compare: error: " << nothing << "\n";
      return 2;
    }
    return comparison.regression ? 1 : 0;
  } catch (const ReadError& e) {
    std::cerr << "energy_compare: error: " << e.what() << "\n";
    return 2;
  }
}
