#include "reporters/energy_console_reporter.hpp"

#include <cstdio>
#include <ostream>

#include "reporters/case_names.hpp"
#include "reporters/gbench_compat.hpp"
#include "reporters/run_fields.hpp"
#include "reporters/result_format/fields.hpp"

namespace layer_energy::reporters {

namespace field = result_format::field;
namespace {

std::string format_time(double seconds) {
  char text[32];
  if (seconds >= 1) {
    std::snprintf(text, sizeof text, "%9.3f s ", seconds);
  } else if (seconds >= 1e-3) {
    std::snprintf(text, sizeof text, "%9.3f ms", seconds * 1e3);
  } else {
    std::snprintf(text, sizeof text, "%9.3f us", seconds * 1e6);
  }
  return text;
}

std::string format_energy(double joules) {
  char text[32];
  if (joules >= 1) {
    std::snprintf(text, sizeof text, "%.4g J", joules);
  } else if (joules >= 1e-3) {
    std::snprintf(text, sizeof text, "%.4g mJ", joules * 1e3);
  } else {
    std::snprintf(text, sizeof text, "%.4g uJ", joules * 1e6);
  }
  return text;
}

const benchmark::Counter* counter(const benchmark::BenchmarkReporter::Run& run, const char* name) {
  const auto it = run.counters.find(name);
  return it == run.counters.end() ? nullptr : &it->second;
}

}  // namespace

bool EnergyConsoleReporter::ReportContext(const Context& context) {
  PrintBasicContext(&GetErrorStream(), context);
  // What the library prints of its custom context, for one without it (gbench_compat.hpp).
  for (const auto& kv : gbench::context_not_in_library()) GetErrorStream() << kv.first << ": " << kv.second << "\n";
  char header[256];
  std::snprintf(header, sizeof header, "%-*s %12s %26s %10s %9s %11s\n", static_cast<int>(name_width_), "Case",
                "Time/iter", "Energy/iter +- bound", "Power", "pJ/MAC", "Iterations");
  GetOutputStream() << header << std::string(name_width_ + 74, '-') << "\n";
  return true;
}

std::string EnergyConsoleReporter::format_row(const Run& run, std::size_t name_width) {
  char row[512];
  const std::string name = run.benchmark_name();
  if (run_skipped(run)) {
    std::snprintf(row, sizeof row, "%-*s SKIPPED: %s", static_cast<int>(name_width), name.c_str(),
                  run_skip_message(run).c_str());
    return row;
  }
  if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "cv") {
    // A coefficient of variation is a ratio, not a time or an energy.
    const auto* e = counter(run, field::energy_J);
    std::snprintf(row, sizeof row, "%-*s %12s %26s", static_cast<int>(name_width), name.c_str(), "-",
                  e ? (std::to_string(100 * e->value).substr(0, 6) + " % spread").c_str() : "-");
    return row;
  }
  const double seconds = run.iterations > 0 || run.run_type == Run::RT_Aggregate
                             ? run.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(run.time_unit)
                             : 0.0;
  std::string energy = "-";
  std::string power = "-";
  std::string pj_per_mac = "-";
  const auto* e = counter(run, field::energy_J);
  const auto* err = counter(run, field::energy_err_J);
  if (e) {
    energy = format_energy(e->value) + (err ? " +- " + format_energy(err->value) : std::string());
    if (const auto* p = counter(run, field::power_W)) {
      char text[32];
      std::snprintf(text, sizeof text, "%.2f W", p->value);
      power = text;
    }
    if (const auto* macs = counter(run, field::macs); macs && macs->value > 0) {
      char text[32];
      std::snprintf(text, sizeof text, "%.2f", e->value / macs->value * 1e12);
      pj_per_mac = text;
    }
  }
  std::snprintf(row, sizeof row, "%-*s %12s %26s %10s %9s %11lld", static_cast<int>(name_width), name.c_str(),
                format_time(seconds).c_str(), energy.c_str(), power.c_str(), pj_per_mac.c_str(),
                static_cast<long long>(run.iterations));
  std::string text = row;
  if (!run.report_label.empty()) text += "  " + run.report_label;
  return text;
}

void EnergyConsoleReporter::ReportRuns(const std::vector<Run>& runs) {
  for (const Run& run : with_case_names(runs)) {
    GetOutputStream() << format_row(run, name_width_) << "\n";
    if (run.run_type == Run::RT_Iteration) progress(run.run_name.str());
    if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "cv") {
      const std::string verdict = spread_verdict(run, max_spread_);
      if (!verdict.empty()) GetErrorStream() << verdict << "\n";
    }
  }
  GetOutputStream().flush();
}

std::string EnergyConsoleReporter::spread_verdict(const Run& cv_run, double max_spread) {
  const auto* cv = counter(cv_run, field::energy_J);
  if (!cv) return {};
  char text[256];
  const long long repetitions = static_cast<long long>(cv_run.repetitions);
  if (cv->value < max_spread) {
    std::snprintf(text, sizeof text, "%s: energy stable: spread %.2f%% < %.2f%% over %lld repetitions",
                  cv_run.run_name.str().c_str(), 100 * cv->value, 100 * max_spread, repetitions);
  } else {
    std::snprintf(text, sizeof text,
                  "%s: energy NOT stable: spread %.2f%% >= %.2f%% after %lld repetitions "
                  "(repetition limit reached; lengthen windows with --energy_rel_err or add repetitions)",
                  cv_run.run_name.str().c_str(), 100 * cv->value, 100 * max_spread, repetitions);
  }
  return text;
}

void EnergyConsoleReporter::progress(const std::string& name) {
  if (name == last_case_) return;  // repetitions of one case count once
  last_case_ = name;
  ++finished_cases_;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  std::ostream& err = GetErrorStream();
  if (expected_cases_ > 0) {
    const double eta = elapsed / finished_cases_ * (expected_cases_ - finished_cases_);
    char text[96];
    std::snprintf(text, sizeof text, "[case %d of %d, %.0f s elapsed, ETA %.0f s]\n", finished_cases_,
                  expected_cases_, elapsed, eta > 0 ? eta : 0.0);
    err << text;
  }
}

}  // namespace layer_energy::reporters
