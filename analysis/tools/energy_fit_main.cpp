// energy_fit FILES... [--out model.json] [--report report.md] [--plots DIR] [--target total|dynamic] [--folds K]
//            [--train-on-networks] [--level 0.9] [--corrector-rounds N]
// Exit: 0 a model was fitted; 1 nothing usable remains (the messages name file, case and field); 2 bad arguments.
#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

#include "analysis/fit_pipeline.hpp"
#include "analysis/plots.hpp"
#include "analysis/report.hpp"
#include "analysis/tools/tool_common.hpp"
#include "layers/atomic_file.hpp"

namespace {

// Atomically: a kill or a full disk never leaves a cut model or report behind.
bool write_text(const std::string& path, const std::string& text) {
  if (layer_energy::layers::write_file_atomically(path, text)) return true;
  std::cerr << "energy_fit: " << path << ": cannot write\n";
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace layer_energy::analysis;
  CLI::App app{"Fits layer energy models to layer_bench JSON results", "energy_fit"};
  FitRequest request;
  std::string out_path = "model.json", report_path, plots_dir;
  bool no_poly = false;
  app.add_option("files", request.files, "layer_bench JSON result files (merged)")->required();
  app.add_option("--out", out_path, "model JSON to write")->capture_default_str();
  app.add_option("--report", report_path, "Markdown report to write");
  app.add_option("--plots", plots_dir, "directory for the plots (PNG, via scripts/plot_fit.py) and their data");
  app.add_option("--target", request.target, "energy to model: total or dynamic (idle power removed)")
      ->check(CLI::IsMember({"total", "dynamic"}))
      ->capture_default_str();
  app.add_option("--folds", request.options.folds, "cross-validation folds, grouped by configuration")
      ->check(CLI::Range(2, 1000))
      ->capture_default_str();
  app.add_option("--seed", request.options.seed, "seed of the fold assignment")->capture_default_str();
  app.add_option("--poly-degree", request.options.poly_degree, "degree of the sparse polynomial baseline (2 or 3)")
      ->check(CLI::Range(1, 3))
      ->capture_default_str();
  app.add_flag("--no-poly", no_poly, "skip the sparse polynomial baseline");
  app.add_flag("--train-on-networks", request.train_on_networks,
               "also train on the layers of --network/--onnx runs (the network check is then not held out)");
  app.add_option("--level", request.options.interval_level, "prediction-interval level the report checks")
      ->check(CLI::Range(0.5, 0.999))
      ->capture_default_str();
  app.add_option("--corrector-rounds", request.options.corrector_rounds,
                 "boosted-tree rounds of the residual correctors (0: none)")
      ->check(CLI::Range(0, 2000))
      ->capture_default_str();
  if (const auto exit_code = tool::parse_command_line(app, argc, argv)) return *exit_code;
  request.options.poly = !no_poly;
  // A named input that cannot be opened is a bad argument, not data to fit around: fitting on less without
  // failing would hand a CI job a model of part of the sweep.
  for (const std::string& path : request.files) {
    std::ifstream in(path);
    if (!in) {
      std::cerr << "energy_fit: error: " << path << ": cannot open (" << std::strerror(errno) << ")\n";
      return 2;
    }
  }
  try {
    const FitOutcome outcome = run_fit(request);
    for (const std::string& w : outcome.warnings) std::cerr << "energy_fit: warning: " << w << "\n";
    const nlohmann::json model_json = model_to_json(outcome.model);
    // Never write a model energy_predict would refuse (a parameter that is not a finite number): read it back first.
    try {
      model_from_json(model_json);
    } catch (const std::exception& e) {
      std::cerr << "energy_fit: error: the fitted model cannot be read back (" << e.what() << "); nothing written\n";
      return 1;
    }
    const bool model_written = write_text(out_path, model_json.dump(2) + "\n");
    bool ok = model_written;
    if (!report_path.empty()) ok = write_text(report_path, markdown_report(outcome, request)) && ok;
    if (!plots_dir.empty()) {
      try {
        write_plot_data(outcome, plots_dir);
        const std::string why = run_plot_script(plots_dir);
        if (!why.empty()) std::cerr << "energy_fit: warning: no plots: " << why << "\n";
      } catch (const std::exception& e) {
        std::cerr << "energy_fit: warning: no plots: " << e.what() << "\n";
      }
    }
    for (const TypeData* data : {&outcome.conv, &outcome.fc}) {
      if (!data->fitted) continue;
      const TypeFit& f = data->fit;
      std::cerr << "energy_fit: " << (data == &outcome.conv ? "conv" : "fc") << ": " << f.cases << " cases";
      if (f.has_energy) std::cerr << ", energy form " << f.chosen;
      if (f.has_time) std::cerr << ", time form " << f.time_chosen;
      if (f.folds >= 2 && f.has_energy) std::cerr << ", held-out (nested) energy MAPE " << f.nested.metrics.mape << "%";
      if (f.folds >= 2 && f.has_time) std::cerr << ", time MAPE " << f.time_nested.metrics.mape << "%";
      std::cerr << "\n";
    }
    if (model_written) std::cerr << "energy_fit: model written to " << out_path << "\n";
    return ok ? 0 : 1;
  } catch (const FitError& e) {
    std::cerr << "energy_fit: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "energy_fit: internal error: " << e.what() << "\n";
    return 1;
  }
}
