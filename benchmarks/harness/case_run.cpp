#include "benchmarks/harness/case_run.hpp"

#include <cmath>
#include <iostream>
#include <new>
#include <utility>

#include "benchmarks/harness/interrupt.hpp"
#include "power/source.hpp"
#include "reporters/result_format/fields.hpp"

namespace layer_energy::bench {

namespace field = result_format::field;

namespace {

void add_geometry(const layers::Layer& layer, std::map<std::string, double>* counters) {
  auto& c = *counters;
  if (layer.type == layers::LayerType::conv) {
    const auto& g = layer.conv;
    c["N"] = g.N, c["C"] = g.C, c["H"] = g.H, c["W"] = g.W, c["K"] = g.K, c["R"] = g.R, c["S"] = g.S;
    c["stride"] = g.stride, c["pad"] = g.pad, c["groups"] = g.groups;
  } else if (layer.type == layers::LayerType::fc) {
    c["N"] = layer.fc.N, c["in"] = layer.fc.in, c["out"] = layer.fc.out;
  } else {
    const auto& p = layer.op;
    c["N"] = p.N, c["C"] = p.C, c["H"] = p.H, c["W"] = p.W;
    if (layer.type == layers::LayerType::pool) c["R"] = p.R, c["stride"] = p.stride, c["pad"] = p.pad;
  }
}

std::string joined(std::string a, const std::string& b) {
  if (b.empty()) return a;
  return a.empty() ? b : a + "; " + b;
}

}  // namespace

CaseRunner::CaseRunner(Backend& backend, EnergyMeter& meter, HarnessOptions options)
    : backend_(backend), meter_(meter), options_(options) {}

std::string CaseRunner::ready(MeasuredCase& c) {
  if (interrupted() && !c.started) {
    ++skipped_by_signal_;
    return "interrupted by a signal before this case ran (rerun with --resume)";
  }
  if (!c.skip_reason.empty()) return c.skip_reason;
  if (resident_ != &c) {
    if (resident_) {
      resident_->prepared.clear();
      resident_->warmed_up = false;  // prepared again (interleaved repetitions) means warmed up again
    }
    resident_ = &c;
  }
  if (c.prepared.empty()) {
    try {
      for (const auto& layer : c.layers) {
        c.prepared.push_back(backend_.prepare(layer, options_.precision, options_.layout, options_.seed));
      }
    } catch (const UnsupportedLayer& e) {
      c.skip_reason = std::string("unsupported: ") + e.what();
    } catch (const std::bad_alloc&) {
      c.skip_reason = "out of memory preparing " + c.name;
    } catch (const std::exception& e) {
      c.skip_reason = std::string("failed to prepare: ") + e.what();
    }
    if (!c.skip_reason.empty()) {
      c.prepared.clear();
      std::cerr << "layer_bench: " << c.name << ": " << c.skip_reason << "\n";
      return c.skip_reason;
    }
  }
  if (!c.warmed_up) {
    // Warm-up: caches, clocks, lazy initialisation out of the first timed call.
    try {
      const double until = power::now_s() + options_.warmup_s;
      do {
        for (auto& p : c.prepared) p->enqueue();
        for (auto& p : c.prepared) p->synchronize();
      } while (power::now_s() < until);
    } catch (const std::exception& e) {
      lose(c, std::string("failed while warming up: ") + e.what());
      return c.skip_reason;
    }
    c.warmed_up = true;
  }
  return "";
}

CaseRunner::OpenWindow CaseRunner::open_window(MeasuredCase& c) {
  OpenWindow window;
  window.c = &c;
  if (options_.device_state) window.before = options_.device_state->read();
  if (options_.host_load) window.host_before = options_.host_load->read();
  // The energy window: from the first enqueue to the end of the last iteration, after the device finished.
  meter_.mark();
  return window;
}

void CaseRunner::run_iterations(OpenWindow& window, int64_t iterations) {
  MeasuredCase& c = *window.c;
  WindowResult& result = window.result;
  result.iterations = iterations;
  c.started = true;
  try {
    result.t_start_s = power::now_s();
    for (int64_t i = 0; i < iterations; ++i) {
      for (auto& p : c.prepared) p->enqueue();
    }
    for (auto& p : c.prepared) p->synchronize();
    result.t_end_s = power::now_s();
  } catch (const std::exception& e) {
    lose(c, std::string("failed while running: ") + e.what());
    result.failure = c.skip_reason;
  }
}

void CaseRunner::lose(MeasuredCase& c, const std::string& why) {
  // A device fault: this case is lost (its buffers released, later calls skip at once), the sweep goes on.
  c.skip_reason = why;
  c.prepared.clear();
  c.warmed_up = false;
  if (resident_ == &c) resident_ = nullptr;
  std::cerr << "layer_bench: " << c.name << ": " << why << "\n";
}

WindowResult CaseRunner::close_window(OpenWindow& window) {
  meter_.mark();
  WindowResult result = std::move(window.result);
  if (!result.failure.empty()) return result;
  add_state_counters(window.before, &result);
  add_layer_counters(*window.c, &result);
  add_host_counters(*window.c, window.host_before, &result);
  add_energy(*window.c, &result);
  return result;
}

WindowResult CaseRunner::timed_window(MeasuredCase& c, int64_t iterations) {
  OpenWindow window = open_window(c);
  run_iterations(window, iterations);
  return close_window(window);
}

void CaseRunner::add_state_counters(const power::DeviceState& before, WindowResult* result) const {
  if (!options_.device_state) return;
  const auto window = power::summarize(before, options_.device_state->read(), options_.device_state->max_clock_mhz());
  if (!std::isnan(window.gpu_clock_mhz)) result->counters[field::gpu_clock_MHz] = window.gpu_clock_mhz;
  if (!std::isnan(window.temp_c)) result->counters[field::temp_C] = window.temp_c;
  if (!std::isnan(window.throttled)) result->counters[field::throttled] = window.throttled;
}

void CaseRunner::add_host_counters(MeasuredCase& c, const power::HostWait& before, WindowResult* result) const {
  c.contended = false;
  if (!options_.host_load) return;
  const double cores =
      power::wait_cores(before, options_.host_load->read(), result->t_end_s - result->t_start_s);
  if (!std::isfinite(cores)) return;
  // The threads that must all run for the layer to progress: the CPU backend's pool, else the one launching thread.
  const auto threads = result->counters.find("cpu_threads");
  const int n = threads == result->counters.end() ? 1 : static_cast<int>(threads->second);
  c.contended = power::contended(cores, n);
  result->counters[field::host_wait_cores] = cores;
  result->counters[field::contended] = c.contended ? 1.0 : 0.0;
}

void CaseRunner::add_layer_counters(const MeasuredCase& c, WindowResult* result) const {
  auto& counters = result->counters;
  double macs = 0;
  double bytes = 0;
  for (const auto& layer : c.layers) {
    macs += layers::macs(layer);
    bytes += layers::bytes(layer, options_.precision);
  }
  counters[field::macs] = macs;
  counters[field::bytes] = bytes;
  // What ran (after the window: recording is never timed). A network's launches are its layers' sum.
  if (c.prepared.size() == 1) {
    for (const auto& kv : c.prepared.front()->kernel_record()) counters[kv.first] = kv.second;
  } else {
    double kernels = 0;
    bool all_known = !c.prepared.empty();
    for (const auto& p : c.prepared) {
      const auto record = p->kernel_record();
      const auto it = record.find(field::kernels);
      all_known = all_known && it != record.end();
      if (it != record.end()) kernels += it->second;
    }
    if (all_known) counters[field::kernels] = kernels;
  }
  if (c.layers.size() == 1) add_geometry(c.layers.front(), &counters);
}

void CaseRunner::add_energy(MeasuredCase& c, WindowResult* result) {
  const std::string impl = c.prepared.size() == 1 ? c.prepared.front()->description() : std::string();
  const CaseEnergy energy = meter_.measure(result->t_start_s, result->t_end_s);
  meter_.forget_before(result->t_start_s);
  c.stuck.clear();
  if (!energy.ok) {
    // The counters stay (time, MACs, geometry), and so does the implementation's name. Without any power source
    // the reason is the run's, not the case's: stderr and the context's power_note say it once, and every row only
    // says "time only".
    const std::string why = meter_.active() ? "no energy: " + energy.why : std::string("time only");
    result->label = joined(why, impl);
    c.relative_error = 0;
    return;
  }
  auto& counters = result->counters;
  const double per_iteration = 1.0 / static_cast<double>(result->iterations);
  const double window_s = result->t_end_s - result->t_start_s;
  counters[field::energy_J] = energy.energy_j * per_iteration;
  counters[field::energy_err_J] = energy.error_j * per_iteration;
  if (options_.idle_measured) {
    counters[field::energy_dynamic_J] = (energy.energy_j - options_.idle_w * window_s) * per_iteration;
  }
  for (const auto& rail : energy.rail_j) {
    counters[std::string(field::energy_rail_prefix) + rail.first] = rail.second * per_iteration;
  }
  counters[field::power_W] = energy.power_w;
  counters[field::samples] = energy.samples;
  counters[field::t0_s] = result->t_start_s;
  counters[field::t1_s] = result->t_end_s;
  std::string label = joined(impl, energy.why);
  for (const auto& stuck : energy.stuck) label = joined(label, stuck);
  result->label = label;
  result->has_energy = true;
  c.stuck = energy.stuck;
  c.relative_error = energy.energy_j > 0 ? energy.error_j / energy.energy_j : INFINITY;
}

}  // namespace layer_energy::bench
