// Fit and prediction speed: 100,000 synthetic cases under full grouped 5-fold CV (the paper's forms, the affine and
// the traffic-and-shape model; the sparse polynomial baseline timed separately), and prediction per layer.
#include <benchmark/benchmark.h>

#include "analysis/fitter.hpp"
#include "analysis/predict.hpp"
#include "analysis/synthetic.hpp"

namespace {

using namespace layer_energy::analysis;
namespace layers = layer_energy::layers;

SyntheticTruth truth() {
  SyntheticTruth t;
  t.conv_law.law = Law::power, t.conv_law.a = 4e-10, t.conv_law.b = 0.45;
  t.offset_J = 1e-5;
  t.noise = 0.02;
  return t;
}

struct Data {
  std::vector<Sample> conv, fc;
  std::vector<layers::Layer> layers;
};

const Data& data() {
  static const Data d = [] {
    Data out;
    out.layers = random_layers(80000, 20000, 1);
    const std::vector<Sample> all = synthetic_samples(truth(), out.layers, 2);
    for (const Sample& s : all) (s.f.type == layers::LayerType::conv ? out.conv : out.fc).push_back(s);
    return out;
  }();
  return d;
}

void fit_both(benchmark::State& state, bool poly) {
  const Data& d = data();
  FitOptions options;
  options.poly = poly;
  double mape = 0;
  for (auto _ : state) {
    const TypeFit conv = fit_type(d.conv, options);
    const TypeFit fc = fit_type(d.fc, options);
    benchmark::DoNotOptimize(conv.chosen);
    mape = conv.cv.at(conv.chosen).mape;
  }
  state.counters["cases"] = static_cast<double>(d.conv.size() + d.fc.size());
  state.counters["conv_heldout_mape_pct"] = mape;
}

void BM_Fit100k_PaperAffineBetter_5foldCV(benchmark::State& state) {
  fit_both(state, false);
}
void BM_Fit100k_AllIncludingSparsePoly_5foldCV(benchmark::State& state) {
  fit_both(state, true);
}

void BM_PredictPerLayer(benchmark::State& state) {
  const Data& d = data();
  FitOptions options;
  options.poly = false;
  EnergyModel model;
  model.has_conv = model.has_fc = true;
  const TypeFit conv = fit_type(d.conv, options), fc = fit_type(d.fc, options);
  model.conv.models = conv.models, model.conv.chosen = conv.chosen;
  model.fc.models = fc.models, model.fc.chosen = fc.chosen;
  const Predictor predictor(model);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(predictor.energy(d.layers[i]));
    if (++i == d.layers.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void BM_PredictLayerWithCoverage(benchmark::State& state) {
  const Data& d = data();
  FitOptions options;
  options.poly = false;
  EnergyModel model;
  model.has_conv = true;
  const TypeFit conv = fit_type(d.conv, options);
  model.conv.models = conv.models, model.conv.chosen = conv.chosen;
  model.conv.ranges["K"] = {8, 1024};
  model.conv.ranges["macs"] = {1, 1e13};
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(predict_layer(model, d.layers[i], "layer").energy_J);
    if (++i == 80000) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

}  // namespace

BENCHMARK(BM_Fit100k_PaperAffineBetter_5foldCV)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Fit100k_AllIncludingSparsePoly_5foldCV)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PredictPerLayer);
BENCHMARK(BM_PredictLayerWithCoverage);
BENCHMARK_MAIN();
