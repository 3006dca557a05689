// energy_simulate --device gpu|cpu [--preset NAME] [--grid model|paper|random|network|FILE] [--network NAME]
//                 [--cases N] [--seed S] [--repetitions R] [--noise X] [--time-only] [--throttle-fraction F]
//                 [--no-aggregates] --out FILE
// Writes a simulated layer_bench result file (Google Benchmark JSON). Exit: 0 written; 2 bad arguments or an
// unwritable file (one line on stderr).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "analysis/simulator/device_specs.hpp"
#include "analysis/simulator/sim_grids.hpp"
#include "layers/grids.hpp"
#include "analysis/simulator/sim_json.hpp"
#include "layers/atomic_file.hpp"
#include "layers/layer_csv.hpp"
#include "layers/networks.hpp"

namespace {

using namespace layer_energy;

std::string compact(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

// The command line in one canonical `--flag=value` form: readers find a network run by "--network=<name>".
std::string canonical_command_line(const std::string& device, const std::string& preset, const std::string& grid,
                                   const std::string& network, std::size_t cases, uint64_t seed, int repetitions,
                                   double noise, bool time_only) {
  std::string s = "energy_simulate --device=" + device + " --preset=" + preset + " --grid=" + grid;
  if (grid == "network") s += " --network=" + network;
  if (grid == "random") s += " --cases=" + std::to_string(cases);
  s += " --seed=" + std::to_string(seed) + " --repetitions=" + std::to_string(repetitions) +
       " --noise=" + compact(noise);
  if (time_only) s += " --time-only";
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Writes a simulated layer_bench result (ground truth for the model fitter)", "energy_simulate"};
  std::string device = "gpu", preset, grid = "model", network, out_path;
  std::size_t cases = 200;
  uint64_t seed = 1;
  int repetitions = 3;
  double noise = 0.015, throttle_fraction = 0;
  bool time_only = false, no_aggregates = false;
  app.add_option("--device", device, "gpu or cpu")->check(CLI::IsMember({"gpu", "cpu"}))->capture_default_str();
  app.add_option("--preset", preset, "gpu: h200 (default), jetson_orin; cpu: xeon16 (default), laptop2");
  app.add_option("--grid", grid,
                 "model, calibrate, paper, quick, random, network (the first four: layer_bench's) or a layer CSV file")
      ->capture_default_str();
  app.add_option("--network", network, "built-in network for --grid network (alexnet, vgg16, resnet18, mobilenet_v2)");
  app.add_option("--cases", cases, "layers of --grid random")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--seed", seed, "seed of the noise and of --grid random")->capture_default_str();
  app.add_option("--repetitions", repetitions, "repetitions per case")->check(CLI::Range(1, 1000))->capture_default_str();
  app.add_option("--noise", noise, "relative sd of energy per repetition (time: a third of it)")
      ->check(CLI::Range(0.0, 0.5))
      ->capture_default_str();
  app.add_flag("--time-only", time_only, "no energy counters (as layer_bench --power=none)");
  app.add_option("--throttle-fraction", throttle_fraction, "GPU: share of cases run at 75% clock, flagged throttled")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_flag("--no-aggregates", no_aggregates, "no mean/median/stddev/cv entries");
  app.add_option("--out", out_path, "result JSON file")->required();
  try {
    app.parse(argc, argv);
    if (grid == "network" && network.empty()) throw CLI::RequiredError("--network (needed by --grid network)");
    if (grid != "network" && !network.empty()) throw CLI::ValidationError("--network", "needs --grid network");
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {
      std::cout << app.help();
      return 0;
    }
    std::cerr << "energy_simulate: " << e.what() << "\n";
    return 2;
  }
  sim::Device dev;
  try {
    if (device == "gpu") {
      if (preset.empty()) preset = "h200";
      dev = sim::gpu_device(sim::gpu_preset(preset));
    } else {
      if (preset.empty()) preset = "xeon16";
      dev = sim::cpu_device(sim::cpu_preset(preset));
    }
  } catch (const std::invalid_argument& e) {
    std::cerr << "energy_simulate: --preset: " << e.what() << "\n";
    return 2;
  }
  std::vector<layers::Layer> layer_list;
  try {
    if (grid == "model") layer_list = layers::model_grid();
    else if (grid == "calibrate") layer_list = layers::calibrate_grid();
    else if (grid == "paper") layer_list = layers::paper_grid();
    else if (grid == "quick") layer_list = layers::quick_grid();
    else if (grid == "random") layer_list = sim::random_layers(cases, seed);
    else if (grid == "network") layer_list = layers::network_layers(network);
    else layer_list = layers::read_layer_csv(grid);  // as layer_bench --grid=FILE: a user's own layers
  } catch (const std::exception& e) {
    std::cerr << "energy_simulate: " << (grid == "network" ? "--network: " : "--grid: ") << e.what() << "\n";
    return 2;
  }
  sim::RunOptions options;
  options.repetitions = repetitions;
  options.noise = noise;
  options.seed = seed;
  options.time_only = time_only;
  options.aggregates = !no_aggregates;
  options.throttle_fraction = throttle_fraction;
  options.network = grid == "network" ? network : "";
  options.command_line =
      canonical_command_line(device, preset, grid, network, cases, seed, repetitions, noise, time_only);
  if (!layers::write_file_atomically(out_path, sim::result_json(dev, layer_list, options) + "\n")) {
    std::cerr << "energy_simulate: --out " << out_path << ": cannot write\n";
    return 2;
  }
  std::cerr << "energy_simulate: " << layer_list.size() << " layers on " << preset << " -> " << out_path << "\n";
  return 0;
}
