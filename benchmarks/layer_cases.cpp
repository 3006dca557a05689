#include "benchmarks/layer_cases.hpp"

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <new>

#include "benchmarks/interrupt.hpp"
#include "power/source.hpp"

namespace layer_energy::bench {

struct Harness::Case {
  std::string name;
  std::vector<layers::Layer> layers;  // one for a layer case; the whole network for Net/<name>
  std::vector<std::unique_ptr<PreparedLayer>> prepared;
  std::string skip_reason;  // set once preparing failed: later calls skip at once
  bool warmed_up = false;
  double relative_error = 0;  // of the latest call, the one the runner reports
  std::vector<std::string> stuck;  // stuck-sensor warnings of the latest call
};

namespace {

void set_geometry(benchmark::State& state, const layers::Layer& layer) {
  auto& c = state.counters;
  if (layer.type == layers::LayerType::conv) {
    const auto& g = layer.conv;
    c["N"] = g.N, c["C"] = g.C, c["H"] = g.H, c["W"] = g.W, c["K"] = g.K, c["R"] = g.R, c["S"] = g.S;
    c["stride"] = g.stride, c["pad"] = g.pad, c["groups"] = g.groups;
  } else {
    c["N"] = layer.fc.N, c["in"] = layer.fc.in, c["out"] = layer.fc.out;
  }
}

}  // namespace

Harness::Harness(Backend& backend, EnergyMeter& meter, HarnessOptions options)
    : backend_(backend), meter_(meter), options_(options) {}

int Harness::add_layers(const std::vector<layers::Layer>& layers, const std::set<std::string>& skip) {
  int added = 0;
  for (const auto& layer : layers) {
    auto c = std::make_shared<Case>();
    c->name = layers::case_name(layer, options_.precision, options_.layout);
    if (skip.count(c->name) || registered_.count(c->name)) continue;
    c->layers = {layer};
    register_case(c);
    ++added;
  }
  return added;
}

int Harness::add_network(const std::string& name, const std::vector<layers::Layer>& layers,
                         const std::set<std::string>& skip) {
  int added = add_layers(layers, skip);
  auto c = std::make_shared<Case>();
  c->name = "Net/" + name;
  if (options_.precision != layers::Precision::fp32) c->name += std::string("/") + layers::to_string(options_.precision);
  if (options_.layout != layers::Layout::nchw) c->name += std::string("/") + layers::to_string(options_.layout);
  if (!skip.count(c->name)) {
    c->layers = layers;
    register_case(c);
    ++added;
  }
  return added;
}

std::vector<std::string> Harness::missed_targets() const {
  std::vector<std::string> missed;
  if (options_.energy_rel_err <= 0) return missed;
  for (const auto& c : cases_) {
    if (c->relative_error > options_.energy_rel_err) {
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

void Harness::register_case(std::shared_ptr<Case> c) {
  registered_.insert(c->name);
  names_.push_back(c->name);
  cases_.push_back(c);
  benchmark::RegisterBenchmark(c->name.c_str(), [this, c](benchmark::State& state) {
    if (interrupted()) {
      state.SkipWithError("interrupted by a signal before this case ran (rerun with --resume)");
      return;
    }
    if (!c->skip_reason.empty()) {
      state.SkipWithError(c->skip_reason.c_str());
      return;
    }
    if (resident_ != c) {
      if (resident_) {
        resident_->prepared.clear();
        resident_->warmed_up = false;  // prepared again (interleaved repetitions) means warmed up again
      }
      resident_ = c;
    }
    if (c->prepared.empty()) {
      try {
        for (const auto& layer : c->layers) {
          c->prepared.push_back(backend_.prepare(layer, options_.precision, options_.layout, options_.seed));
        }
      } catch (const UnsupportedLayer& e) {
        c->skip_reason = std::string("unsupported: ") + e.what();
      } catch (const std::bad_alloc&) {
        c->skip_reason = "out of memory preparing " + c->name;
      } catch (const std::exception& e) {
        c->skip_reason = std::string("failed to prepare: ") + e.what();
      }
      if (!c->skip_reason.empty()) {
        c->prepared.clear();
        std::cerr << "layer_bench: " << c->name << ": " << c->skip_reason << "\n";
        state.SkipWithError(c->skip_reason.c_str());
        return;
      }
    }
    if (!c->warmed_up) {
      // Warm-up: caches, clocks, lazy initialisation out of the first timed call.
      const double until = power::now_s() + options_.warmup_s;
      do {
        for (auto& p : c->prepared) p->enqueue();
        for (auto& p : c->prepared) p->synchronize();
      } while (power::now_s() < until);
      c->warmed_up = true;
    }

    // The energy window: from the first timed iteration to the end of the last, after the device finished.
    const int64_t n = static_cast<int64_t>(state.max_iterations);
    power::DeviceState state_before;
    if (options_.device_state) state_before = options_.device_state->read();
    meter_.mark();
    double t_start = 0;
    double t_end = 0;
    int64_t i = 0;
    try {
      for (auto _ : state) {
        if (i == 0) t_start = power::now_s();
        for (auto& p : c->prepared) p->enqueue();
        if (++i == n) {
          for (auto& p : c->prepared) p->synchronize();
          t_end = power::now_s();
        }
      }
    } catch (const std::exception& e) {
      // A device fault mid-run: this case is lost, the sweep goes on.
      c->skip_reason = std::string("failed while running: ") + e.what();
      c->prepared.clear();
      std::cerr << "layer_bench: " << c->name << ": " << c->skip_reason << "\n";
      state.SkipWithError(c->skip_reason.c_str());
      return;
    }
    meter_.mark();

    auto& counters = state.counters;
    if (options_.device_state) {
      const auto window_state = power::summarize(state_before, options_.device_state->read(),
                                                 options_.device_state->max_clock_mhz());
      if (!std::isnan(window_state.gpu_clock_mhz)) counters["gpu_clock_MHz"] = window_state.gpu_clock_mhz;
      if (!std::isnan(window_state.temp_c)) counters["temp_C"] = window_state.temp_c;
      if (!std::isnan(window_state.throttled)) counters["throttled"] = window_state.throttled;
    }
    double macs = 0;
    double bytes = 0;
    for (const auto& layer : c->layers) {
      macs += layers::macs(layer);
      bytes += layers::bytes(layer, options_.precision);
    }
    counters["macs"] = macs;
    counters["bytes"] = bytes;
    // What ran (after the window: recording is never timed). A network's launches are its layers' sum.
    if (c->prepared.size() == 1) {
      for (const auto& kv : c->prepared.front()->kernel_record()) counters[kv.first] = kv.second;
    } else {
      double kernels = 0;
      bool all_known = !c->prepared.empty();
      for (const auto& p : c->prepared) {
        const auto record = p->kernel_record();
        const auto it = record.find("kernels");
        all_known = all_known && it != record.end();
        if (it != record.end()) kernels += it->second;
      }
      if (all_known) counters["kernels"] = kernels;
    }
    if (c->layers.size() == 1) set_geometry(state, c->layers.front());

    const CaseEnergy energy = meter_.measure(t_start, t_end);
    meter_.forget_before(t_start);
    if (!energy.ok) {
      // The counters above stay (time, MACs, geometry), and so does the implementation's name. Without any power
      // source the reason is the run's, not the case's: stderr and the context's power_note say it once, and every
      // row only says "time only".
      const std::string impl = c->prepared.size() == 1 ? c->prepared.front()->description() : std::string();
      const std::string why = meter_.active() ? "no energy: " + energy.why : std::string("time only");
      state.SetLabel(why + (impl.empty() ? "" : "; " + impl));
      c->relative_error = 0;
      return;
    }
    const double per_iteration = 1.0 / static_cast<double>(n);
    counters["energy_J"] = energy.energy_j * per_iteration;
    counters["energy_err_J"] = energy.error_j * per_iteration;
    if (options_.idle_measured) {
      counters["energy_dynamic_J"] = (energy.energy_j - options_.idle_w * (t_end - t_start)) * per_iteration;
    }
    for (const auto& rail : energy.rail_j) counters["energy_J:" + rail.first] = rail.second * per_iteration;
    counters["power_W"] = energy.power_w;
    counters["samples"] = energy.samples;
    counters["t0_s"] = t_start;
    counters["t1_s"] = t_end;
    std::string label = c->prepared.size() == 1 ? c->prepared.front()->description() : std::string();
    if (!energy.why.empty()) label += (label.empty() ? "" : "; ") + energy.why;
    for (const auto& stuck : energy.stuck) label += (label.empty() ? "" : "; ") + stuck;
    if (!label.empty()) state.SetLabel(label);
    c->stuck = energy.stuck;
    c->relative_error = energy.energy_j > 0 ? energy.error_j / energy.energy_j : INFINITY;
  });
}

}  // namespace layer_energy::bench
