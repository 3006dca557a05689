#include "benchmarks/harness/layer_cases.hpp"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <utility>

namespace layer_energy::bench {

Harness::Harness(Backend& backend, EnergyMeter& meter, HarnessOptions options, WindowPolicy policy,
                 NameFilter filter)
    : runner_(backend, meter, options), policy_(policy), filter_(std::move(filter)) {}

bool Harness::add_case(const std::string& name, std::vector<layers::Layer> layers, const std::set<std::string>& skip) {
  if (skip.count(name) || registered_.count(name) || !filter_.selects(name)) return false;
  auto c = std::make_shared<MeasuredCase>();
  c->name = name;
  c->layers = std::move(layers);
  register_case(c);
  return true;
}

int Harness::add_layers(const std::vector<layers::Layer>& layers, const std::set<std::string>& skip) {
  const auto& o = runner_.options();
  int added = 0;
  for (const auto& layer : layers) added += add_case(layers::case_name(layer, o.precision, o.layout), {layer}, skip);
  return added;
}

int Harness::add_network(const std::string& name, const std::vector<layers::Layer>& layers,
                         const std::set<std::string>& skip) {
  const auto& o = runner_.options();
  std::string case_name = "Net/" + name;
  if (o.precision != layers::Precision::fp32) case_name += std::string("/") + layers::to_string(o.precision);
  if (o.layout != layers::Layout::nchw) case_name += std::string("/") + layers::to_string(o.layout);
  return add_layers(layers, skip) + add_case(case_name, layers, skip);
}

std::vector<std::string> Harness::missed_targets() const {
  std::vector<std::string> missed;
  for (const auto& c : cases_) {
    if (!policy_.met(c->relative_error)) {
      char text[64];
      std::snprintf(text, sizeof text, ": %.2f%%", 100.0 * c->relative_error);
      missed.push_back(c->name + text);
    }
  }
  return missed;
}

std::vector<std::string> Harness::stuck_sensor_warnings() const {
  std::vector<std::string> warnings;
  for (const auto& c : cases_) {
    for (const auto& stuck : c->stuck) warnings.push_back(c->name + ": " + stuck);
  }
  return warnings;
}

std::vector<std::string> Harness::contended_cases() const {
  std::vector<std::string> names;
  for (const auto& c : cases_)
    if (c->contended) names.push_back(c->name);
  return names;
}

void Harness::register_case(std::shared_ptr<MeasuredCase> c) {
  registered_.insert(c->name);
  names_.push_back(c->name);
  cases_.push_back(c);
  benchmark::RegisterBenchmark(c->name.c_str(), [this, c](benchmark::State& state) {
    const std::string skip = runner_.ready(*c);
    if (!skip.empty()) {
      state.SkipWithError(skip.c_str());
      return;
    }
    // One batch of the runner's iteration count: the core owns the loop, Google Benchmark times exactly the
    // iterations (the window's edges, reading the meter and the device state, stay outside its timer).
    const int64_t n = static_cast<int64_t>(state.max_iterations);
    auto open = runner_.open_window(*c);
    while (state.KeepRunningBatch(n)) runner_.run_iterations(open, n);
    const WindowResult window = runner_.close_window(open);
    if (!window.failure.empty()) {
      state.SkipWithError(window.failure.c_str());
      return;
    }
    for (const auto& kv : window.counters) state.counters[kv.first] = kv.second;
    if (!window.label.empty()) state.SetLabel(window.label);
  })->UseRealTime();
}

}  // namespace layer_energy::bench
