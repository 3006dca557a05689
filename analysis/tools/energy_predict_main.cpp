// energy_predict --model M (--network NAME [--network_layers weights|all] | --layers FILE | --onnx FILE
//                [--onnx_fold bn|none]) [--out FILE] [--batch N] [--level 0.9] [--context auto|network|alone]
// A table on stdout; with --out, JSON {"model", "layers": [{"name", "type", "macs", "time_s", "energy_J",
// "energy_lo_J", "energy_hi_J", "covered", "reason", "source"}], "total_J", "total_lo_J", "total_hi_J",
// "total_time_s"} in input order. Exit: 0 done; 2 bad arguments or unreadable model/layers.
#include <CLI/CLI.hpp>
#include <iostream>
#include <map>
#include <utility>

#include "analysis/predict.hpp"
#include "analysis/tools/tool_common.hpp"
#include "layers/atomic_file.hpp"
#include "layers/layer_csv.hpp"
#include "layers/networks.hpp"
#include "layers/onnx/onnx_import.hpp"

int main(int argc, char** argv) {
  using namespace layer_energy;
  using namespace layer_energy::analysis;
  CLI::App app{"Predicts layer energy from a model fitted by energy_fit", "energy_predict"};
  std::string model_path, network, layers_path, out_path;
  int64_t batch = 1;
  app.add_option("--model", model_path, "model JSON from energy_fit")->required();
  auto* net_opt = app.add_option("--network", network, "built-in network: alexnet, vgg16, resnet18, mobilenet_v2");
  auto* layers_opt = app.add_option("--layers", layers_path, "layer CSV (the layer_bench --grid format)");
  std::string onnx_path, onnx_fold = "bn", network_layers = "weights";
  auto* onnx_opt = app.add_option("--onnx", onnx_path, "the network in an ONNX file: every node with a case");
  app.add_option("--onnx_fold", onnx_fold, "bn: batch-norm folded into the conv before it; none: a layer")
      ->check(CLI::IsMember({"bn", "none"}))
      ->capture_default_str();
  app.add_option("--network_layers", network_layers, "weights: conv and FC; all: pooling, activations, adds too")
      ->check(CLI::IsMember({"weights", "all"}))
      ->capture_default_str();
  net_opt->excludes(layers_opt);
  onnx_opt->excludes(net_opt)->excludes(layers_opt);
  // A named range: CLI11's PositiveNumber prints the whole double range in its message.
  auto* batch_opt =
      app.add_option("--batch", batch, "batch size of --network (--onnx: the file's own unless given)")
          ->check(CLI::Range(1, 1 << 20))
          ->capture_default_str();
  app.add_option("--out", out_path, "JSON output file");
  PredictOptions options;
  bool model_only = false;
  app.add_flag("--model-only", model_only, "the model's figure even for configurations the model's data measured");
  app.add_option("--level", options.level, "prediction-interval level")
      ->check(CLI::Range(0.5, 0.999))
      ->capture_default_str();
  std::string context = "auto";
  app.add_option("--context", context,
                 "network: each layer inside one pass over all the input's layers (their data evicted between calls); "
                 "alone: each layer as benchmarked in a loop; auto: network for --network/--onnx, alone for --layers")
      ->check(CLI::IsMember({"auto", "network", "alone"}))
      ->capture_default_str();
  const auto check = [&] {
    if (network.empty() && layers_path.empty() && onnx_path.empty()) {
      throw CLI::RequiredError("--network, --layers or --onnx");
    }
  };
  if (const auto exit_code = tool::parse_command_line(app, argc, argv, check)) return *exit_code;
  try {
    options.use_measured = !model_only;
    const EnergyModel model = read_model_file(model_path);
    std::vector<layers::Layer> input;
    std::map<std::string, int> skipped_ops;
    if (!onnx_path.empty()) {
      layers::OnnxOptions onnx_options;
      onnx_options.fold_bn = onnx_fold == "bn";
      if (batch_opt->count() > 0) onnx_options.batch = batch;
      layers::OnnxImport onnx = layers::import_onnx(onnx_path, onnx_options);
      for (const auto& note : onnx.notes) std::cerr << "energy_predict: --onnx: " << note << "\n";
      input = std::move(onnx.layers);
      skipped_ops = std::move(onnx.skipped_ops);
    } else if (!network.empty()) {
      const auto which = network_layers == "all" ? layers::NetworkLayers::all : layers::NetworkLayers::weights;
      input = layers::network_layers(network, batch, which);
    } else {
      input = layers::read_layer_csv(layers_path);
    }
    if (context == "auto") context = layers_path.empty() ? "network" : "alone";
    if (context == "network") {
      const layers::Precision precision = precision_of(model);
      for (const layers::Layer& l : input) options.working_set_bytes += layers::bytes(l, precision);
    }
    std::vector<Prediction> predictions;
    predictions.reserve(input.size());
    for (std::size_t i = 0; i < input.size(); ++i) {
      const layers::Layer& l = input[i];
      const std::string name = !l.label.empty() ? l.label : layers::case_name(l);
      predictions.push_back(predict_layer(model, l, name, options));
    }
    std::cout << predictions_table(predictions);
    std::size_t uncovered = 0;
    for (const Prediction& p : predictions) uncovered += p.covered ? 0 : 1;
    if (uncovered) std::cerr << "energy_predict: warning: " << uncovered << " layer(s) outside the fitted region\n";
    if (!model.has_energy) std::cerr << "energy_predict: note: a time-only model: energy_J is null\n";
    if (model.schema == 1) std::cerr << "energy_predict: note: a schema 1 model: no time and no intervals\n";
    if (!skipped_ops.empty()) {
      // Never silent: operators with no case are not in the total.
      std::string listed;
      for (const auto& kv : skipped_ops) {
        listed += (listed.empty() ? "" : ", ") + kv.first + " x" + std::to_string(kv.second);
      }
      std::cerr << "energy_predict: --onnx: not predicted (no case), not in the total: " << listed << "\n";
    }
    if (!out_path.empty()) {
      auto json = predictions_json(model, model_path, predictions, options.level);
      if (!onnx_path.empty()) json["skipped_ops"] = skipped_ops;
      json["context"] = context;
      json["working_set_bytes"] = options.working_set_bytes;
      if (!layers::write_file_atomically(out_path, json.dump(2) + "\n")) {
        std::cerr << "energy_predict: " << out_path << ": cannot write\n";
        return 2;
      }
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "energy_predict: error: " << e.what() << "\n";
    return 2;
  }
}
