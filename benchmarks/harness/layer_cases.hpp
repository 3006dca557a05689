// The Google Benchmark adapter over the measurement core (case_run.hpp): registers one benchmark per case and, in
// its State loop, drives the core's stages and copies the window's counters and label into the State. Iterations
// grow on wall time (the energy window is wall time), with the contract's case names (the reporters drop the
// "/real_time" that Google Benchmark appends for it).
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "benchmarks/filter_match.hpp"
#include "benchmarks/harness/case_run.hpp"
#include "benchmarks/harness/window_policy.hpp"

namespace layer_energy::bench {

class Harness {
 public:
  // Only cases `filter` selects are registered (--benchmark_filter, applied to the contract's names).
  Harness(Backend& backend, EnergyMeter& meter, HarnessOptions options, WindowPolicy policy,
          NameFilter filter = NameFilter());

  // One case per distinct layer (by case name), except those in `skip` (--resume). Returns how many were added.
  int add_layers(const std::vector<layers::Layer>& layers, const std::set<std::string>& skip);
  // The network's layers as cases plus Net/<name>, which runs them back to back.
  int add_network(const std::string& name, const std::vector<layers::Layer>& layers,
                  const std::set<std::string>& skip);

  // Cases whose reported energy missed --energy_rel_err ("name: achieved relative error").
  std::vector<std::string> missed_targets() const;
  // Cases during which a selected rail did not change over many update periods ("case: rail ...").
  std::vector<std::string> stuck_sensor_warnings() const;
  // Cases whose reported window was contended (their threads waited for a CPU: other processes ran).
  std::vector<std::string> contended_cases() const;
  // Idle power of the selected rails, measured after registration and before the first case.
  void set_idle(double idle_w) { runner_.set_idle(idle_w); }
  // Whether a signal made cases skip (rather than arrive after the last case started).
  bool cases_skipped_by_signal() const { return runner_.skipped_by_signal() > 0; }
  // The registered cases, in run order.
  const std::vector<std::string>& names() const { return names_; }

 private:
  bool add_case(const std::string& name, std::vector<layers::Layer> layers, const std::set<std::string>& skip);
  void register_case(std::shared_ptr<MeasuredCase> c);

  CaseRunner runner_;
  WindowPolicy policy_;
  NameFilter filter_;
  std::set<std::string> registered_;
  std::vector<std::string> names_;
  std::vector<std::shared_ptr<MeasuredCase>> cases_;
};

}  // namespace layer_energy::bench
