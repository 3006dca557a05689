// Cases grow their iterations on wall time (UseRealTime: the energy window is wall time), which Google Benchmark
// also writes into every name as "/real_time". The case names are a contract (resume, analysis, users' filters), so
// every reporter of layer_bench writes them without it.
#pragma once

#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace layer_energy::reporters {

inline std::vector<benchmark::BenchmarkReporter::Run> with_case_names(
    std::vector<benchmark::BenchmarkReporter::Run> runs) {
  for (auto& run : runs) run.run_name.time_type.clear();
  return runs;
}

// Any of Google Benchmark's own reporters (JSON or CSV on stdout, CSV or console into --benchmark_out) with the
// contract's case names.
class CaseNameReporter : public benchmark::BenchmarkReporter {
 public:
  explicit CaseNameReporter(std::unique_ptr<benchmark::BenchmarkReporter> inner) : inner_(std::move(inner)) {}

  bool ReportContext(const Context& context) override {
    inner_->SetOutputStream(&GetOutputStream());
    inner_->SetErrorStream(&GetErrorStream());
    return inner_->ReportContext(context);
  }
  void ReportRuns(const std::vector<Run>& runs) override { inner_->ReportRuns(with_case_names(runs)); }
  void Finalize() override { inner_->Finalize(); }

 private:
  std::unique_ptr<benchmark::BenchmarkReporter> inner_;
};

// Google Benchmark's reporter for --benchmark_format / --benchmark_out_format ("json", "csv", "console"), with the
// contract's case names. Console output into a file has no colours.
inline std::unique_ptr<benchmark::BenchmarkReporter> make_case_name_reporter(const std::string& format) {
  std::unique_ptr<benchmark::BenchmarkReporter> inner;
  if (format == "json") {
    inner = std::make_unique<benchmark::JSONReporter>();
  } else if (format == "csv") {
    // Deprecated upstream but still a documented --benchmark_format: kept for users' scripts that read it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    inner = std::make_unique<benchmark::CSVReporter>();
#pragma GCC diagnostic pop
  } else {
    inner = std::make_unique<benchmark::ConsoleReporter>(benchmark::ConsoleReporter::OO_None);
  }
  return std::make_unique<CaseNameReporter>(std::move(inner));
}

}  // namespace layer_energy::reporters
