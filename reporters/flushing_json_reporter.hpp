// The standard JSON reporter for --benchmark_out, flushed after every case so an interrupted or killed sweep
// leaves every finished case on disk (readers salvage the cut-off end), and strict JSON: a counter without a finite
// value (the _cv aggregate of a counter that is 0 in every repetition) is left out of that entry, because Google
// Benchmark would write a bare NaN that strict readers (JSON.parse, serde_json, nlohmann) reject with the whole file.
// Names are the contract's (case_names.hpp). Facts known only after the last case (idle power after, its drift,
// stuck sensors) go into the context by finish(), which writes the whole file anew from what was written.
#pragma once

#include <benchmark/benchmark.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace layer_energy::reporters {

class FlushingJsonReporter : public benchmark::BenchmarkReporter {
 public:
  // path: the --benchmark_out file this reporter's stream writes (where finish() puts the finished file).
  explicit FlushingJsonReporter(std::string path = "") : path_(std::move(path)) {}

  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override;

  // After the run: `context` added to the file's context. The finished file is built from the text this reporter
  // wrote and renamed over the streamed one (a kill or a full disk leaves the streamed file as it was). False, with
  // `error` set and the streamed file unchanged, when that cannot be done.
  bool finish(const std::map<std::string, std::string>& context, std::string* error);

  static std::vector<Run> strict(std::vector<Run> runs);
  // A write or flush failed (disk full, I/O error): the file holds what was written before it.
  bool failed() const { return failed_; }

 private:
  // Writes what the inner reporter put into pending_ to the file and keeps it.
  void pass_on();

  std::string path_;
  benchmark::JSONReporter inner_;
  std::ostringstream pending_;
  std::string written_;
  bool failed_ = false;
};

}  // namespace layer_energy::reporters
