#include "benchmarks/case_selection.hpp"

#include <iostream>
#include <stdexcept>

#include "benchmarks/grids.hpp"
#include "layers/networks.hpp"
#include "layers/onnx/onnx_import.hpp"

namespace layer_energy::bench {
namespace {

std::string add_onnx(const BenchOptions& options, const std::set<std::string>& done, Harness* harness) {
  layers::OnnxOptions onnx_options;
  onnx_options.fold_bn = options.onnx_fold == "bn";
  layers::OnnxImport onnx;
  try {
    onnx = layers::import_onnx(options.onnx, onnx_options);
  } catch (const std::exception& e) {
    throw std::invalid_argument(std::string("--onnx: ") + e.what());
  }
  for (const auto& note : onnx.notes) std::cerr << "layer_bench: --onnx: " << note << "\n";
  std::string skipped;
  for (const auto& kv : onnx.skipped_ops) {
    skipped += (skipped.empty() ? "" : ", ") + kv.first + " x" + std::to_string(kv.second);
  }
  // Never silent: what the Net/ case leaves out is said on stderr and in the context.
  if (!skipped.empty()) std::cerr << "layer_bench: --onnx: operators with no case (not measured): " << skipped << "\n";
  harness->add_network(onnx.stem, onnx.layers, done);
  return "onnx " + onnx.stem + ": every node with a case" + (onnx_options.fold_bn ? " (bn folded into conv)" : "") +
         (skipped.empty() ? "" : "; not measured: " + skipped);
}

}  // namespace

std::string add_cases(const BenchOptions& options, const std::set<std::string>& done, Harness* harness) {
  if (!options.onnx.empty()) return add_onnx(options, done, harness);
  if (!options.network.empty()) {
    const auto which = options.network_layers == "all" ? layers::NetworkLayers::all : layers::NetworkLayers::weights;
    harness->add_network(options.network, layers::network_layers(options.network, 1, which), done);
    return layers::network_parts(which);
  }
  harness->add_layers(grid_layers(options.grid), done);
  return "";
}

}  // namespace layer_energy::bench
