// layer_bench end to end on the CPU backend with a replayed constant 5 W trace: energy per case, contract fields,
// idle fields, filtering, interruption and resume.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "layers/onnx/onnx_import.hpp"
#include "run_command.hpp"

using layer_energy::test::fixture;
using layer_energy::test::layer_bench_path;
using layer_energy::test::run_command;
using nlohmann::json;

namespace {

// Per process: another run of these tests (a second checkout, CI beside a developer) must not share the files.
std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "e2e_" + std::to_string(::getpid()) + "_" + name;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// layer_bench with `args` in a child process, its output discarded, for a test that signals it; the child's pid
// (negative when fork failed).
pid_t spawn_layer_bench(const std::vector<std::string>& args) {
  const pid_t child = fork();
  if (child != 0) return child;
  const std::string bench = layer_bench_path();
  std::vector<char*> argv = {const_cast<char*>(bench.c_str())};
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::freopen("/dev/null", "w", stdout);
  ::freopen("/dev/null", "w", stderr);
  execv(bench.c_str(), argv.data());
  _exit(127);
}

json read_json(const std::string& path) { return json::parse(read_text(path), nullptr, false); }

std::string replay_5w() { return " --backend=cpu --power=replay:" + fixture("traces/constant_5w.csv"); }

double seconds_per_iteration(const json& entry) {
  const std::map<std::string, double> unit = {{"ns", 1e-9}, {"us", 1e-6}, {"ms", 1e-3}, {"s", 1.0}};
  return entry["real_time"].get<double>() * unit.at(entry["time_unit"].get<std::string>());
}

}  // namespace

// --onnx: each distinct layer of the file is a case (BN folded into the convs, the repeated relu and conv measured
// once), plus Net/<stem>; the context says what the Net/ case runs. Every case runs on the CPU backend.
TEST(LayerBenchE2E, OnnxNetworkRunsEveryDistinctLayerAndItsNetCase) {
  std::string why;
  if (!layer_energy::layers::onnx_built(&why)) GTEST_SKIP() << why;
  const std::string out = temp_path("onnx.json");
  const auto r = run_command(layer_bench_path() + replay_5w() + " --idle_s=0 --energy_rel_err=0" +
                             " --benchmark_min_time=0.01 --onnx=" + fixture("onnx/residual_block.onnx") +
                             " --benchmark_out=" + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("folded into"), std::string::npos) << r.err;
  const json result = read_json(out);
  EXPECT_EQ(result["context"]["net_layers"], "onnx residual_block: every node with a case (bn folded into conv)");
  std::vector<std::string> names;
  for (const auto& entry : result["benchmarks"]) {
    names.push_back(entry["name"]);
    EXPECT_FALSE(entry.value("error_occurred", false)) << entry.dump();
    EXPECT_TRUE(entry.contains("energy_J")) << entry.dump();
  }
  EXPECT_EQ(names, (std::vector<std::string>{"Conv/N:1/C:16/H:16/W:16/K:16/R:3/S:3/stride:1/pad:1/groups:1",
                                              "Act/N:1/C:16/H:16/W:16/op:relu", "Add/N:1/C:16/H:16/W:16",
                                              "Net/residual_block"}));
  const auto bad = run_command(layer_bench_path() + replay_5w() + " --onnx=" + fixture("onnx/malformed.onnx"));
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("--onnx: "), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("malformed.onnx"), std::string::npos) << bad.err;
}

TEST(LayerBenchE2E, QuickGridOnReplayedFiveWattsGivesFiveWattsTimesTime) {
  const std::string out = temp_path("quick.json");
  const auto r = run_command(layer_bench_path() + replay_5w() +
                             " --grid=quick --idle_s=0 --energy_rel_err=0 --benchmark_min_time=0.02"
                             " --benchmark_out=" + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json result = read_json(out);
  ASSERT_FALSE(result.is_discarded());
  EXPECT_EQ(result["context"]["power_source"], "replay");
  EXPECT_EQ(result["context"]["power_rails"], "VDD_IN");
  EXPECT_EQ(result["context"]["backend"], "cpu");
  EXPECT_FALSE(result["context"].contains("idle_W"));  // --idle_s=0
  int conv = 0;
  int fc = 0;
  double window_sum_s = 0.0;
  double timed_sum_s = 0.0;
  for (const auto& entry : result["benchmarks"]) {
    const std::string name = entry["name"];
    SCOPED_TRACE(name);
    conv += name.rfind("Conv/", 0) == 0;
    fc += name.rfind("FC/", 0) == 0;
    for (const char* field : {"energy_J", "energy_err_J", "energy_J:VDD_IN", "macs", "bytes", "power_W", "samples",
                              "t0_s", "t1_s", "N"}) {
      EXPECT_TRUE(entry.contains(field)) << field;
    }
    EXPECT_FALSE(entry.contains("energy_dynamic_J"));  // omitted, not zero, without idle
    // The energy is 5 W over the energy window, per iteration. The window is bound to the timed iterations, so it
    // matches Google Benchmark's real time too, up to what the scheduler does between its timer and ours. That
    // noise is absolute (a preemption of a few ms on a loaded 2-core machine under ASan: 14% of a 2-iteration FC
    // case has been seen), so each case gets a loose bound and the sum over the grid the tight one.
    const double iterations = entry["iterations"].get<double>();
    const double window_s = entry["t1_s"].get<double>() - entry["t0_s"].get<double>();
    const double expected = 5.0 * window_s / iterations;
    EXPECT_NEAR(entry["energy_J"].get<double>(), expected, expected * 0.01);
    const double timed_s = seconds_per_iteration(entry) * iterations;
    EXPECT_NEAR(window_s, timed_s, timed_s * 0.1 + 0.01);
    window_sum_s += window_s;
    timed_sum_s += timed_s;
    EXPECT_NEAR(entry["power_W"].get<double>(), 5.0, 0.05);
    EXPECT_GT(entry["t1_s"].get<double>(), entry["t0_s"].get<double>());
    const bool is_conv = name.rfind("Conv/", 0) == 0;
    for (const char* field : is_conv ? std::vector<const char*>{"C", "H", "W", "K", "R", "S", "stride", "pad", "groups"}
                                     : std::vector<const char*>{"in", "out"}) {
      EXPECT_TRUE(entry.contains(field)) << field;
    }
  }
  EXPECT_NEAR(window_sum_s, timed_sum_s, timed_sum_s * 0.05);
  EXPECT_GE(conv, 10);
  EXPECT_GE(fc, 5);
  EXPECT_LE(conv + fc, 40);
  EXPECT_GE(conv + fc, 20);
}

TEST(LayerBenchE2E, IdleMeasuredGivesDynamicEnergyAndDrift) {
  const std::string out = temp_path("idle.json");
  const auto r = run_command(layer_bench_path() + replay_5w() +
                             " --grid=" + fixture("layers_small.csv") +
                             " --benchmark_filter=FC/N:1/in:256 --idle_s=0.3 --energy_rel_err=0"
                             " --benchmark_min_time=0.05 --benchmark_out=" + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json result = read_json(out);
  ASSERT_FALSE(result.is_discarded());
  EXPECT_NEAR(std::stod(result["context"]["idle_W"].get<std::string>()), 5.0, 0.05);
  EXPECT_NEAR(std::stod(result["context"]["idle_drift_W"].get<std::string>()), 0.0, 0.05);
  ASSERT_EQ(result["benchmarks"].size(), 1u);
  // Replayed power is the same at idle and under load: the dynamic energy is ~0.
  EXPECT_NEAR(result["benchmarks"][0]["energy_dynamic_J"].get<double>(), 0.0,
              result["benchmarks"][0]["energy_J"].get<double>() * 0.01);
  EXPECT_NE(r.err.find("idle"), std::string::npos);
}

TEST(LayerBenchE2E, ListTestsWithFilterPrintsOnlyConvNames) {
  const auto r = run_command(layer_bench_path() + replay_5w() + " --benchmark_filter=Conv --benchmark_list_tests");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    EXPECT_EQ(line.rfind("Conv/", 0), 0u) << line;
    ++count;
  }
  EXPECT_GE(count, 10);
}

TEST(LayerBenchE2E, ConsoleTableOnStdoutProgressOnStderr) {
  const auto r = run_command(layer_bench_path() + replay_5w() + " --grid=" + fixture("layers_small.csv") +
                             " --benchmark_filter=FC --idle_s=0 --energy_rel_err=0 --benchmark_min_time=0.02");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("pJ/MAC"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FC/N:8/in:512/out:128"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" W "), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("[case 3 of 3"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("[case"), std::string::npos);
}

TEST(LayerBenchE2E, BadGridFileNamesFileAndLine) {
  const std::string path = temp_path("bad_grid.csv");
  std::ofstream(path) << "type,N,C,H,W,K,R,S\nconv,1,16,28,28,16,3,3\nconv,1,x,28,28,16,3,3\n";
  const auto r = run_command(layer_bench_path() + replay_5w() + " --grid=" + path);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("bad_grid.csv:3"), std::string::npos) << r.err;
}

// Flags whose value is missing or contradicts another: one line naming the flag, exit 2, nothing run.
TEST(LayerBenchE2E, EmptyOrConflictingCaseFlagsNameTheFlag) {
  const std::string base = layer_bench_path() + " --backend=cpu --power=none";
  auto r = run_command(base + " --grid=");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--grid:"), std::string::npos) << r.err;
  r = run_command(base + " --grid=quick --network=resnet18");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("give one of them"), std::string::npos) << r.err;
  const std::string missing = temp_path("no_such_result.json");
  r = run_command(base + " --grid=quick --resume=" + missing);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--resume: " + missing + ": cannot open"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("[case"), std::string::npos) << r.err;
}

// Google Benchmark flags the library would take badly (hang, abort, usage with exit 0, fail after the idle
// measurement): one line naming the flag, exit 2, nothing run.
TEST(LayerBenchE2E, BadBenchmarkFlagsAreRefusedFirst) {
  const std::string base = layer_bench_path() + " --backend=cpu --power=none --grid=quick";
  for (const char* flag :
       {"--benchmark_min_time=nan", "--benchmark_min_time=-1", "--benchmark_min_time=0.5q", "--benchmark_min_time=1.5x",
        "--benchmark_repetitions=-1", "--benchmark_repetitions=2.5", "--benchmark_format=bogus",
        "--benchmark_out_format=bogus", "--benchmark_filter='['", "--benchmark_out=/nonexistent/dir/out.json"}) {
    const auto r = run_command(base + " " + flag);
    EXPECT_EQ(r.exit_code, 2) << flag << ": " << r.err;
    const std::string name = std::string(flag).substr(0, std::string(flag).find('='));
    EXPECT_NE(r.err.find(name), std::string::npos) << flag << ": " << r.err;
    EXPECT_EQ(r.err.find("[case"), std::string::npos) << flag << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << flag << ": " << r.err;
  }
  // The forms the library accepts still run.
  EXPECT_EQ(run_command(base + " --benchmark_filter='FC/N:1/in:512/' --benchmark_min_time=0.01").exit_code, 0);
}

// Resuming into the file being resumed would truncate it: refused before anything runs, the file untouched.
TEST(LayerBenchE2E, ResumeIntoTheSameFileIsRefused) {
  const std::string first = temp_path("resume_same.json");
  const std::string cmd = layer_bench_path() + " --backend=cpu --power=none --benchmark_min_time=0.01" +
                          " --benchmark_filter='FC/N:1/in:512/'";
  ASSERT_EQ(run_command(cmd + " --benchmark_out=" + first).exit_code, 0);
  const std::string before = read_text(first);
  const auto r = run_command(cmd + " --resume=" + first + " --benchmark_out=" + first);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("is also --benchmark_out"), std::string::npos) << r.err;
  EXPECT_EQ(read_text(first), before);
}

// A result file that cannot be written (a full disk) is an error, not exit 0 over a cut file.
TEST(LayerBenchE2E, FullDiskIsAnError) {
  if (::access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no writable /dev/full on this machine";
  const auto r = run_command(layer_bench_path() + " --backend=cpu --power=none --benchmark_min_time=0.01" +
                             " --benchmark_filter='FC/N:1/in:512/' --benchmark_out=/dev/full");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("writing failed"), std::string::npos) << r.err;
}

TEST(LayerBenchE2E, NamedPowerSourceThatCannotBeUsedIsAnError) {
  const auto r = run_command(layer_bench_path() + " --backend=cpu --power=jetson --power_sysfs_root=/nonexistent");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--power=jetson cannot be used"), std::string::npos) << r.err;
}

// A killed run (SIGKILL: no handler runs) leaves a power trace that holds what was sampled until about a second
// before, not an empty file: the trace is flushed as it goes.
TEST(LayerBenchE2E, KilledRunKeepsItsPowerTrace) {
  const std::string trace_out = temp_path("killed_trace.csv");
  std::remove(trace_out.c_str());
  const std::string power = "--power=replay:" + fixture("traces/constant_5w.csv");
  const std::string trace_flag = "--power_trace_out=" + trace_out;
  const pid_t child = spawn_layer_bench({"--backend=cpu", power, "--grid=quick", "--idle_s=0", "--energy_rel_err=0",
                                         "--benchmark_min_time=0.5", trace_flag});
  ASSERT_GE(child, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  std::ifstream in(trace_out);
  std::size_t rows = 0;
  for (std::string line; std::getline(in, line);) ++rows;
  EXPECT_GT(rows, 2u) << "header only: the trace was not flushed while the run went on";
}

// SIGINT in the middle of a sweep: the file holds every finished case; --resume runs the rest; each case once.
TEST(LayerBenchE2E, InterruptThenResumeRunsEveryCaseExactlyOnce) {
  const std::string first = temp_path("interrupted.json");
  const std::string second = temp_path("resumed.json");
  std::remove(first.c_str());
  const std::string grid = fixture("layers_small.csv");
  const std::string trace = "--power=replay:" + fixture("traces/constant_5w.csv");
  const std::string out_flag = "--benchmark_out=" + first;
  const std::string grid_flag = "--grid=" + grid;
  const pid_t child = spawn_layer_bench({"--backend=cpu", trace, grid_flag, "--idle_s=0", "--energy_rel_err=0",
                                         "--benchmark_min_time=0.4", out_flag});
  ASSERT_GE(child, 0);
  // Wait until at least two cases are on disk, then interrupt.
  for (int i = 0; i < 200; ++i) {
    std::ifstream in(first);
    std::stringstream text;
    text << in.rdbuf();
    std::size_t count = 0;
    for (std::size_t at = text.str().find("\"run_name\""); at != std::string::npos;
         at = text.str().find("\"run_name\"", at + 1)) {
      ++count;
    }
    if (count >= 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(kill(child, SIGINT), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);

  auto finished = [](const json& result) {
    std::multiset<std::string> names;
    for (const auto& entry : result["benchmarks"]) {
      if (!entry.value("error_occurred", false) && entry.contains("energy_J")) {
        names.insert(entry["name"].get<std::string>());  // get: nlohmann 3.9 converts to both of insert's overloads
      }
    }
    return names;
  };
  const json interrupted = read_json(first);
  ASSERT_FALSE(interrupted.is_discarded());
  const auto done_first = finished(interrupted);
  EXPECT_GE(done_first.size(), 2u);
  EXPECT_LT(done_first.size(), 8u);

  const auto r = run_command(layer_bench_path() + " --backend=cpu " + trace + " " + grid_flag +
                             " --idle_s=0 --energy_rel_err=0 --benchmark_min_time=0.02 --resume=" + first +
                             " --benchmark_out=" + second);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto all = done_first;
  for (const auto& name : finished(read_json(second))) all.insert(name);
  EXPECT_EQ(all.size(), 8u);
  for (const auto& name : all) EXPECT_EQ(all.count(name), 1u) << name;
}

// On an AGX Orin fixture (no whole-module rail): energy_J is the sum of the rails, the GPU clock, temperature and
// throttle flag come from devfreq and the thermal zone, and the static fixture files are flagged as a stuck sensor.
TEST(LayerBenchE2E, JetsonFixtureSumsRailsAndReportsGpuStateAndStuckSensor) {
  const std::string out = temp_path("orin.json");
  const auto r = run_command(layer_bench_path() + " --backend=cpu --power=jetson --power_sysfs_root=" +
                             fixture("sysfs/agx-orin-r36") + " --grid=" + fixture("layers_small.csv") +
                             " --benchmark_filter=FC/N:1/in:256 --idle_s=0 --energy_rel_err=0"
                             " --benchmark_min_time=0.3 --benchmark_out=" + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json result = read_json(out);
  ASSERT_FALSE(result.is_discarded());
  EXPECT_EQ(result["context"]["power_rails"], "VDD_GPU_SOC,VDD_CPU_CV,VIN_SYS_5V0,VDDQ_VDD2_1V8AO");
  EXPECT_EQ(result["context"]["gpu_state_source"], "jetson devfreq");
  const auto& entry = result["benchmarks"][0];
  double rails = 0;
  for (const char* rail : {"VDD_GPU_SOC", "VDD_CPU_CV", "VIN_SYS_5V0", "VDDQ_VDD2_1V8AO"}) {
    rails += entry["energy_J:" + std::string(rail)].get<double>();
  }
  EXPECT_NEAR(entry["energy_J"].get<double>(), rails, rails * 1e-9);
  EXPECT_DOUBLE_EQ(entry["gpu_clock_MHz"].get<double>(), 1300.5);
  EXPECT_EQ(entry["throttled"].get<double>(), 0.0);
  EXPECT_TRUE(entry.contains("temp_C"));
  EXPECT_NE(entry["label"].get<std::string>().find("stuck sensor"), std::string::npos);
  EXPECT_NE(r.err.find("stuck sensor"), std::string::npos);
}
