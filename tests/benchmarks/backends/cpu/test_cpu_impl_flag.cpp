// layer_bench --cpu_impl end to end: each implementation runs and names itself in the label and the context; oneDNN
// in a build without it, and an unknown value, are one line on stderr and exit 2.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "benchmarks/backends/cpu/cpu_backend.hpp"
#include "run_command.hpp"

using layer_energy::test::fixture;
using layer_energy::test::layer_bench_path;
using layer_energy::test::run_command;
using nlohmann::json;

namespace {

// One small conv and one FC on a replayed trace (energy measured, so the label is the backend's description).
const char* kCases = " --benchmark_filter='Conv/N:1/C:64/H:28/W:28/K:8/|FC/N:8/in:1024'";

std::string command(const std::string& flags, const std::string& out) {
  return layer_bench_path() + " --backend=cpu --power=replay:" + fixture("traces/constant_5w.csv") +
         " --idle_s=0 --energy_rel_err=0 --benchmark_min_time=0.01" + kCases + flags + " --benchmark_out=" + out;
}

json read_json(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str(), nullptr, false);
}

void expect_labels_start_with(const json& result, const std::string& prefix) {
  ASSERT_FALSE(result.is_discarded());
  ASSERT_EQ(result["benchmarks"].size(), 2u);
  for (const auto& entry : result["benchmarks"]) {
    const std::string label = entry.value("label", "");
    EXPECT_EQ(label.rfind(prefix, 0), 0u) << entry["name"] << ": " << label;
  }
}

}  // namespace

TEST(CpuImplFlag, EigenRunsAndSaysSo) {
  const std::string out = ::testing::TempDir() + std::to_string(::getpid()) + "_cpu_impl_eigen.json";
  const auto r = run_command(command(" --cpu_impl=eigen", out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json result = read_json(out);
  expect_labels_start_with(result, "eigen ");
  EXPECT_EQ(result["context"]["cpu_impl"], "eigen");
}

TEST(CpuImplFlag, OneDnnRunsOrIsRefusedWithTheReason) {
  const std::string out = ::testing::TempDir() + std::to_string(::getpid()) + "_cpu_impl_onednn.json";
  const auto r = run_command(command(" --cpu_impl=onednn", out));
  std::string why;
  if (!layer_energy::bench::cpu_onednn_built(&why)) {
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--cpu_impl=onednn: " + why), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
    return;
  }
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json result = read_json(out);
  expect_labels_start_with(result, "onednn ");
  EXPECT_EQ(result["context"]["cpu_impl"], "onednn");
  EXPECT_TRUE(result["context"].contains("onednn_version"));
}

TEST(CpuImplFlag, DefaultIsOneDnnWhereBuilt) {
  const std::string out = ::testing::TempDir() + std::to_string(::getpid()) + "_cpu_impl_default.json";
  const auto r = run_command(command("", out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json result = read_json(out);
  const bool built = layer_energy::bench::cpu_onednn_built();
  EXPECT_EQ(result["context"]["cpu_impl"], built ? "onednn" : "eigen");
  expect_labels_start_with(result, built ? "onednn " : "eigen ");
}

TEST(CpuImplFlag, UnknownValueIsRefused) {
  const auto r = run_command(layer_bench_path() + " --cpu_impl=mkl --benchmark_list_tests");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--cpu_impl: expected eigen|onednn"), std::string::npos) << r.err;
}

// A time-only run says why it has no energy once (the context's power_note), marks each row "time only", and still
// names the implementation that ran.
TEST(CpuImplFlag, TimeOnlyLabelKeepsTheImplementation) {
  const std::string out = ::testing::TempDir() + std::to_string(::getpid()) + "_cpu_impl_time_only.json";
  const auto r = run_command(layer_bench_path() + " --backend=cpu --power=none --benchmark_min_time=0.01" + kCases +
                             " --cpu_impl=eigen --benchmark_out=" + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json result = read_json(out);
  ASSERT_FALSE(result.is_discarded());
  ASSERT_EQ(result["benchmarks"].size(), 2u);
  EXPECT_NE(result["context"].value("power_note", "").find("--power=none"), std::string::npos);
  for (const auto& entry : result["benchmarks"]) {
    const std::string label = entry.value("label", "");
    EXPECT_EQ(label.rfind("time only; ", 0), 0u) << label;  // the run's reason is in the context, once
    EXPECT_NE(label.find("; eigen "), std::string::npos) << label;
  }
}

// The kernel record: every CPU case says how many parallel regions an iteration runs and on how many threads; the
// Eigen kernels also their tile count (oneDNN's blocking is its own, so none is claimed).
TEST(CpuImplFlag, CasesRecordWhatRan) {
  for (const char* impl : {"eigen", "onednn"}) {
    if (std::string(impl) == "onednn" && !layer_energy::bench::cpu_onednn_built()) continue;
    const std::string out = ::testing::TempDir() + std::to_string(::getpid()) + "_cpu_record_" + impl + ".json";
    const auto r = run_command(command(std::string(" --cpu_impl=") + impl, out));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json result = read_json(out);
    ASSERT_FALSE(result.is_discarded());
    for (const auto& entry : result["benchmarks"]) {
      SCOPED_TRACE(std::string(impl) + " " + entry.value("name", ""));
      EXPECT_EQ(entry.value("kernels", 0.0), 1.0);
      EXPECT_GE(entry.value("cpu_threads", 0.0), 1.0);
      EXPECT_EQ(entry.value("threads", 0), 1);  // Google Benchmark's own field, untouched
      if (std::string(impl) == "eigen") {
        EXPECT_GE(entry.value("tiles", 0.0), 1.0);
      }
    }
  }
}
