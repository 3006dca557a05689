// The standard JSON reporter for --benchmark_out, flushed after every case so an interrupted or killed sweep
// leaves every finished case on disk (readers salvage the cut-off end).
#pragma once

#include <benchmark/benchmark.h>

namespace layer_energy::reporters {

class FlushingJsonReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context& context) override {
    inner_.SetOutputStream(&GetOutputStream());
    inner_.SetErrorStream(&GetErrorStream());
    const bool ok = inner_.ReportContext(context);
    GetOutputStream().flush();
    return ok;
  }
  void ReportRuns(const std::vector<Run>& runs) override {
    inner_.ReportRuns(runs);
    GetOutputStream().flush();
  }
  void Finalize() override {
    inner_.Finalize();
    GetOutputStream().flush();
  }

 private:
  benchmark::JSONReporter inner_;
};

}  // namespace layer_energy::reporters
