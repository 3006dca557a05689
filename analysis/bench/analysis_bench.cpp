// Fit and prediction speed of the v2 model on simulated runs written as layer_bench result files: energy_fit's whole
// pipeline (read, validate, kernel features, time model, energy forms under nested CV, leave-one-level-out,
// conformal residuals, refits) on the paper grid (2,172 cases) and on 100,000 random layers, and predict_layer
// (time, energy, interval, region check, measured lookup) per layer. The figures issue 11 sets: < 2 s, < 10 s and
// < 2 µs on 2 cores. The held-out error of each fit is a counter, so a speed-up that costs accuracy shows.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "analysis/fit_pipeline.hpp"
#include "analysis/predict.hpp"
#include "analysis/simulator/device_specs.hpp"
#include "analysis/simulator/sim_grids.hpp"
#include "analysis/simulator/sim_json.hpp"
#include "layers/grids.hpp"

namespace {

using namespace layer_energy::analysis;
namespace layers = layer_energy::layers;
namespace sim = layer_energy::sim;

// A simulated H200 run of `grid`, written once per process to a file removed at exit.
class SimulatedRun {
 public:
  SimulatedRun(const std::string& tag, std::vector<layers::Layer> grid) : layers_(std::move(grid)) {
    path_ = "/tmp/analysis_bench_" + tag + "_" + std::to_string(::getpid()) + ".json";
    sim::RunOptions options;
    options.seed = 7;
    std::ofstream(path_) << sim::result_json(sim::gpu_device(sim::gpu_preset("h200")), layers_, options);
  }
  ~SimulatedRun() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }
  const std::vector<layers::Layer>& layers() const { return layers_; }

 private:
  std::vector<layers::Layer> layers_;
  std::string path_;
};

const SimulatedRun& paper_run() {
  static const SimulatedRun run("paper", layers::paper_grid());
  return run;
}

const SimulatedRun& large_run() {
  static const SimulatedRun run("100k", sim::random_layers(100000, 11));
  return run;
}

FitOutcome fit(const SimulatedRun& run, bool poly) {
  FitRequest request;
  request.files = {run.path()};
  request.options.poly = poly;
  return run_fit(request);
}

void report_fit(benchmark::State& state, const FitOutcome& outcome) {
  state.counters["cases"] = static_cast<double>(outcome.conv.samples.size() + outcome.fc.samples.size());
  if (outcome.conv.fitted && outcome.conv.fit.nested_available) {
    state.counters["conv_nested_mape_pct"] = outcome.conv.fit.nested.metrics.mape;
  }
  if (outcome.fc.fitted && outcome.fc.fit.nested_available) {
    state.counters["fc_nested_mape_pct"] = outcome.fc.fit.nested.metrics.mape;
  }
}

// energy_fit's default (the sparse polynomial competes).
void BM_FitPaperGrid_NestedCV(benchmark::State& state) {
  const SimulatedRun& run = paper_run();
  FitOutcome outcome;
  for (auto _ : state) outcome = fit(run, true);
  report_fit(state, outcome);
}

// energy_fit --no-poly on 100k cases: the polynomial's nested degree search is the one part that grows with the
// number of features squared; users fitting this much data drop it.
void BM_Fit100k_NestedCV_NoPoly(benchmark::State& state) {
  const SimulatedRun& run = large_run();
  FitOutcome outcome;
  for (auto _ : state) outcome = fit(run, false);
  report_fit(state, outcome);
}

void BM_Fit100k_NestedCV(benchmark::State& state) {
  const SimulatedRun& run = large_run();
  FitOutcome outcome;
  for (auto _ : state) outcome = fit(run, true);
  report_fit(state, outcome);
}

// One layer through energy_predict's path, layers the model never measured (random shapes), and measured ones.
void predict_each(benchmark::State& state, const std::vector<layers::Layer>& queries) {
  static const FitOutcome outcome = fit(paper_run(), false);
  std::size_t i = 0;
  double covered = 0;
  for (auto _ : state) {
    const Prediction p = predict_layer(outcome.model, queries[i], "layer");
    benchmark::DoNotOptimize(p.energy_hi_J);
    covered += p.covered ? 1 : 0;
    if (++i == queries.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["covered_share"] = covered / static_cast<double>(state.iterations());
}

// Random shapes: most lie outside what the paper grid spans, so most predictions also write why they are not covered.
void BM_PredictWithInterval_UnmeasuredRandom(benchmark::State& state) {
  static const std::vector<layers::Layer> queries = sim::random_layers(20000, 5);
  predict_each(state, queries);
}

// The paper grid's layers one channel and one filter wider: inside the fitted region, never measured (a NAS or
// pruning query).
void BM_PredictWithInterval_UnmeasuredNearby(benchmark::State& state) {
  static const std::vector<layers::Layer> queries = [] {
    std::vector<layers::Layer> out = paper_run().layers();
    for (layers::Layer& l : out) {
      if (l.type == layers::LayerType::conv) {
        l.conv.C += 1, l.conv.K += 1;
      } else {
        l.fc.in += 1, l.fc.out += 1;
      }
    }
    return out;
  }();
  predict_each(state, queries);
}

void BM_PredictWithInterval_Measured(benchmark::State& state) {
  predict_each(state, paper_run().layers());
}

}  // namespace

BENCHMARK(BM_FitPaperGrid_NestedCV)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(BM_Fit100k_NestedCV_NoPoly)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(BM_Fit100k_NestedCV)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(BM_PredictWithInterval_UnmeasuredRandom);
BENCHMARK(BM_PredictWithInterval_UnmeasuredNearby);
BENCHMARK(BM_PredictWithInterval_Measured);
BENCHMARK_MAIN();
