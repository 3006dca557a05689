// The standard JSON reporter for --benchmark_out, flushed after every case so an interrupted or killed sweep
// leaves every finished case on disk (readers salvage the cut-off end), and strict JSON: a counter without a finite
// value (the _cv aggregate of a counter that is 0 in every repetition) is left out of that entry, because Google
// Benchmark would write a bare NaN that strict readers (JSON.parse, serde_json, nlohmann) reject with the whole file.
// Names are the contract's (case_names.hpp).
#pragma once

#include <benchmark/benchmark.h>

#include <cmath>

#include "reporters/case_names.hpp"
#include <vector>

namespace layer_energy::reporters {

class FlushingJsonReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context& context) override {
    inner_.SetOutputStream(&GetOutputStream());
    inner_.SetErrorStream(&GetErrorStream());
    const bool ok = inner_.ReportContext(context);
    check(GetOutputStream().flush());
    return ok;
  }
  void ReportRuns(const std::vector<Run>& runs) override {
    inner_.ReportRuns(strict(with_case_names(runs)));
    check(GetOutputStream().flush());
  }

  static std::vector<Run> strict(std::vector<Run> runs) {
    for (Run& run : runs) {
      for (auto it = run.counters.begin(); it != run.counters.end();)
        it = std::isfinite(it->second.value) ? std::next(it) : run.counters.erase(it);
    }
    return runs;
  }
  void Finalize() override {
    inner_.Finalize();
    check(GetOutputStream().flush());
  }

  // A write or flush failed (disk full, I/O error): the file holds what was written before it.
  bool failed() const { return failed_; }

 private:
  void check(const std::ostream& out) { failed_ = failed_ || !out; }

  benchmark::JSONReporter inner_;
  bool failed_ = false;
};

}  // namespace layer_energy::reporters
