#include "benchmarks/harness/energy_meter.hpp"

#include <chrono>
#include <cmath>
#include <iostream>
#include <stdexcept>
#include <thread>

#include "power/rail_selection.hpp"
#include "power/trace.hpp"

namespace layer_energy::bench {

EnergyMeter::EnergyMeter(const MeterOptions& options) {
  power::Selection selection = power::select_source(options.power, options.source);
  if (!selection.error.empty()) throw std::runtime_error(selection.error);
  if (!selection.source) {
    if (options.power == "none") {
      inactive_reason_ = "--power=none: time only";
    } else {
      inactive_reason_ = "no usable power source, time only";
      for (const auto& why : selection.not_used) inactive_reason_ += "; " + why;
    }
    return;
  }
  source_ = std::move(selection.source);
  try {
    selected_ = power::select_rails(source_->rails(), options.rails);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(e.what());
  }
  power::SamplerOptions sampler_options;
  period_.period_s = source_->update_period_s();
  period_.method = "nominal";
  if (options.infer_period && !source_->traits().recorded) {
    period_ = power::infer_update_period(*source_);
    std::cerr << "layer_bench: " << source_->name() << " update period " << period_.period_s << " s ("
              << period_.method << ")\n";
  }
  sampler_options.update_period_s = period_.period_s;
  if (!options.trace_out.empty()) {
    trace_.open(options.trace_out);
    if (!trace_) throw std::runtime_error("--power_trace_out: cannot write " + options.trace_out);
    power::write_trace_header(trace_, source_->rails());
    sampler_options.on_readings = [this](const std::vector<power::Reading>& readings) {
      for (const auto& r : readings) power::write_trace_row(trace_, r, source_->rails()[r.rail]);
      // About once a second, so a killed run's trace holds what was sampled until then (the result file is
      // flushed after every case). Only the sampler thread writes the trace.
      const double now = power::now_s();
      if (now - last_trace_flush_s_ >= 1.0) {
        trace_.flush();
        last_trace_flush_s_ = now;
      }
    };
  }
  sampler_ = std::make_unique<power::Sampler>(*source_, sampler_options);
  sampler_->start();
}

EnergyMeter::~EnergyMeter() {
  if (sampler_) sampler_->stop();
  if (trace_.is_open()) trace_.flush();
}

std::string EnergyMeter::selected_names() const {
  std::string names;
  for (std::size_t i : selected_) names += (names.empty() ? "" : ",") + source_->rails()[i].name;
  return names;
}

double EnergyMeter::mark() { return sampler_ ? sampler_->mark() : power::now_s(); }

CaseEnergy EnergyMeter::measure(double t0_s, double t1_s) {
  CaseEnergy result;
  if (!sampler_) {
    result.why = inactive_reason_;
    return result;
  }
  const power::WindowEnergy window = sampler_->window(t0_s, t1_s);
  const power::TotalEnergy total = power::sum_rails(window, selected_, source_->rails());
  for (std::size_t i = 0; i < window.rails.size(); ++i) {
    if (window.rails[i].ok) result.rail_j[source_->rails()[i].name] = window.rails[i].energy_j;
  }
  result.ok = total.ok;
  result.why = total.why;
  result.energy_j = total.energy_j;
  result.error_j = total.error_j;
  result.samples = static_cast<double>(total.samples);
  result.power_w = total.ok ? total.energy_j / (t1_s - t0_s) : 0.0;
  if (source_->traits().recorded) return result;  // a recorded trace is what it is: nothing to suspect
  std::vector<power::Rail> selected_rails;
  std::vector<power::Series> selected_series;
  const auto series = sampler_->snapshot();
  for (std::size_t i : selected_) {
    selected_rails.push_back(source_->rails()[i]);
    selected_series.push_back(series[i]);
  }
  result.stuck = power::stuck_rails(selected_series, selected_rails, t0_s, t1_s, period_.period_s);
  return result;
}

IdlePower EnergyMeter::measure_idle(double settle_s, double seconds) {
  IdlePower idle;
  if (!sampler_ || seconds <= 0) return idle;
  std::this_thread::sleep_for(std::chrono::duration<double>(settle_s));
  const double t0 = mark();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const double t1 = mark();
  const CaseEnergy energy = measure(t0, t1);
  if (!energy.ok) {
    std::cerr << "layer_bench: idle power not measured: " << energy.why << "\n";
    return idle;
  }
  idle.measured = true;
  idle.total_w = energy.energy_j / (t1 - t0);
  for (const auto& rail : energy.rail_j) idle.rail_w[rail.first] = rail.second / (t1 - t0);
  return idle;
}

void EnergyMeter::forget_before(double t_s) {
  if (sampler_) sampler_->discard_before(t_s);
}

}  // namespace layer_energy::bench
