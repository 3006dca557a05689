#include "reporters/flushing_json_reporter.hpp"

#include <cmath>
#include <nlohmann/json.hpp>
#include <utility>

#include "layers/atomic_file.hpp"
#include "reporters/case_names.hpp"
#include "reporters/gbench_compat.hpp"

namespace layer_energy::reporters {
namespace {

std::string quoted(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A Google Benchmark without custom context (before 1.6) wrote the context without layer_bench's keys: they are
// added at the end of its context object, which closes just before the "benchmarks" array.
std::string with_context_not_in_library(std::string head) {
  const auto& extra = gbench::context_not_in_library();
  const auto benchmarks = head.rfind("\"benchmarks\"");
  if (extra.empty() || benchmarks == std::string::npos) return head;
  const auto close = head.rfind('}', benchmarks);
  const auto last = close == std::string::npos || close == 0 ? std::string::npos
                                                             : head.find_last_not_of(" \n", close - 1);
  if (last == std::string::npos) return head;
  std::string members;
  for (const auto& kv : extra) {
    members += (members.empty() && head[last] == '{' ? "\n    " : ",\n    ") + quoted(kv.first) + ": " +
               quoted(kv.second);
  }
  head.insert(last + 1, members);
  return head;
}

}  // namespace

bool FlushingJsonReporter::ReportContext(const Context& context) {
  inner_.SetOutputStream(&pending_);
  inner_.SetErrorStream(&GetErrorStream());
  const bool ok = inner_.ReportContext(context);
  const std::string head = pending_.str();
  pending_.str("");
  pending_ << with_context_not_in_library(head);
  pass_on();
  return ok;
}

void FlushingJsonReporter::ReportRuns(const std::vector<Run>& runs) {
  inner_.ReportRuns(strict(with_case_names(runs)));
  pass_on();
}

void FlushingJsonReporter::Finalize() {
  inner_.Finalize();
  pass_on();
}

void FlushingJsonReporter::pass_on() {
  const std::string text = pending_.str();
  pending_.str("");
  written_ += text;
  std::ostream& out = GetOutputStream();
  out << text;
  out.flush();
  failed_ = failed_ || !out;
}

std::vector<benchmark::BenchmarkReporter::Run> FlushingJsonReporter::strict(std::vector<Run> runs) {
  for (Run& run : runs) {
    for (auto it = run.counters.begin(); it != run.counters.end();)
      it = std::isfinite(it->second.value) ? std::next(it) : run.counters.erase(it);
  }
  return runs;
}

bool FlushingJsonReporter::finish(const std::map<std::string, std::string>& context, std::string* error) {
  if (context.empty()) return true;
  if (path_.empty() || failed_) {
    *error = "the result file was not written in full";
    return false;
  }
  // Key order as written (context first), values unchanged: only the context gains keys.
  auto doc = nlohmann::ordered_json::parse(written_, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("context") || !doc["context"].is_object()) {
    *error = "the written result is not a complete JSON object with a context";
    return false;
  }
  for (const auto& kv : context) doc["context"][kv.first] = kv.second;
  if (!layers::write_file_atomically(path_, doc.dump(2) + "\n")) {
    *error = "cannot write the finished file (disk full?); the file holds the cases without the facts after the run";
    return false;
  }
  return true;
}

}  // namespace layer_energy::reporters
