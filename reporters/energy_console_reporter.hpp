// Console display: per case time, energy per iteration ± bound, mean power, pJ/MAC on stdout; progress and ETA on
// stderr.
#pragma once

#include <benchmark/benchmark.h>

#include <chrono>
#include <string>

namespace layer_energy::reporters {

class EnergyConsoleReporter : public benchmark::BenchmarkReporter {
 public:
  // expected_cases: how many cases the filter selected (for "case i of n" and the ETA); 0 if unknown.
  // max_spread: the relative spread (cv) of energy per iteration over repetitions under which a case counts as
  // stable (nvbench's stdrel criterion, 0.5%).
  explicit EnergyConsoleReporter(int expected_cases, double max_spread = 0.005)
      : expected_cases_(expected_cases), max_spread_(max_spread) {}

  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;

  // One table row for a run (no newline); public for tests.
  static std::string format_row(const Run& run, std::size_t name_width);
  // The stability verdict for a case's "cv" aggregate; empty when it has no energy.
  static std::string spread_verdict(const Run& cv_run, double max_spread);

 private:
  void progress(const std::string& name);

  int expected_cases_;
  double max_spread_;
  int finished_cases_ = 0;
  std::string last_case_;
  std::size_t name_width_ = 60;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace layer_energy::reporters
