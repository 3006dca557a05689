// power_bench: what measuring power costs. The cost of one poll of each source, of integrating one window, and the
// background sampler's CPU use at its default poll rate (target: under 1% of one core).
//
// The fixture cases read the sysfs trees under tests/fixtures (from $LAYER_ENERGY_FIXTURES when set, else from the
// source tree this binary was built from): they time our parsing and file handling, not a board's I2C transfers.
// The live_* cases read this machine's own /sys (a Jetson's INA3221, RAPL) and are skipped with the reason where that
// source cannot be used, as are the NVML cases where the driver's library or a GPU is missing.
#include <benchmark/benchmark.h>
#include <time.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "power/bench/counting_source.hpp"
#include "power/jetson_ina3221.hpp"
#include "power/nvml_source.hpp"
#include "power/rapl_source.hpp"
#include "power/replay_source.hpp"
#include "power/sampler.hpp"
#include "power/source.hpp"
#include "power/tegrastats.hpp"
#include "power/window.hpp"

#ifndef LAYER_ENERGY_FIXTURES
#define LAYER_ENERGY_FIXTURES "tests/fixtures"
#endif

namespace {

using namespace layer_energy::power;

std::string fixtures() {
  const char* env = std::getenv("LAYER_ENERGY_FIXTURES");
  return env && *env ? env : LAYER_ENERGY_FIXTURES;
}

enum class Kind { jetson_hwmon, jetson_iio, rapl, replay_csv, replay_tegrastats, nvml, live_jetson, live_rapl };

std::unique_ptr<PowerSource> make(Kind kind) {
  switch (kind) {
    case Kind::jetson_hwmon:
      return make_jetson_source(fixtures() + "/sysfs/orin-nano-r36");
    case Kind::jetson_iio:
      return make_jetson_source(fixtures() + "/sysfs/tx2-r32");
    case Kind::rapl:
      return make_rapl_source(fixtures() + "/sysfs/rapl-intel");
    case Kind::replay_csv:
      return make_replay_source(fixtures() + "/traces/constant_5w.csv");
    case Kind::replay_tegrastats: {
      const std::string path = fixtures() + "/traces/tegrastats_r36.log";
      return make_replay_source(read_tegrastats(path), path);
    }
    case Kind::nvml:
      return make_nvml_source(NvmlOptions{});
    case Kind::live_jetson:
      return make_jetson_source("");
    case Kind::live_rapl:
      return make_rapl_source("");
  }
  return nullptr;
}

// The source, or nullptr after skipping the benchmark with the reason it cannot be used.
std::unique_ptr<PowerSource> usable(benchmark::State& state, Kind kind) {
  std::unique_ptr<PowerSource> source;
  try {
    source = make(kind);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return nullptr;
  }
  const std::string why = source->unusable_reason();
  if (!why.empty()) {
    const std::string message = source->name() + " cannot be used: " + why;
    state.SkipWithError(message.c_str());
    return nullptr;
  }
  return source;
}

// Cost of one poll of every polled rail (edge_only: also the rails read only at window edges, e.g. NVML's energy
// counter).
void BM_Poll(benchmark::State& state, Kind kind, bool edge_only) {
  auto source = usable(state, kind);
  if (!source) return;
  std::vector<Reading> readings;
  std::vector<ReadFailure> failures;
  std::size_t read = 0;
  std::size_t failed = 0;
  for (auto _ : state) {
    readings.clear();
    failures.clear();
    source->poll(edge_only, readings, failures);
    read += readings.size();
    failed += failures.size();
    benchmark::DoNotOptimize(readings.data());
  }
  const double iterations = static_cast<double>(state.iterations());
  state.counters["rails"] = static_cast<double>(source->rails().size());
  state.counters["readings_per_poll"] = static_cast<double>(read) / iterations;
  state.counters["failures_per_poll"] = static_cast<double>(failed) / iterations;
}
BENCHMARK_CAPTURE(BM_Poll, jetson_hwmon, Kind::jetson_hwmon, false)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Poll, jetson_iio, Kind::jetson_iio, false)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Poll, rapl, Kind::rapl, false)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Poll, replay_csv, Kind::replay_csv, false)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Poll, replay_tegrastats, Kind::replay_tegrastats, false)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Poll, nvml, Kind::nvml, false)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Poll, nvml_with_edges, Kind::nvml, true)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Poll, live_jetson, Kind::live_jetson, false)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Poll, live_rapl, Kind::live_rapl, false)->Unit(benchmark::kMicrosecond);

constexpr double kPi = 3.14159265358979323846;

// One second of samples at `rate_hz` (plus a margin either side), a load-like power curve.
Series one_second(double rate_hz, bool counter) {
  Series s;
  const double dt = 1.0 / rate_hz;
  double energy = 0.0;
  for (double t = -0.05; t <= 1.05; t += dt) {
    const double watts = 5.0 + 2.0 * std::sin(2.0 * kPi * 3.0 * t) + (std::fmod(t, 0.2) < 0.1 ? 1.0 : 0.0);
    energy += watts * dt;
    s.t.push_back(t);
    s.v.push_back(counter ? energy : watts);
  }
  return s;
}

// Integration of one window [0, 1] s over samples at state.range(0) Hz.
void BM_IntegratePower(benchmark::State& state) {
  const double rate = static_cast<double>(state.range(0));
  const Series s = one_second(rate, false);
  const SensorModel sensor{0.001, 1.0 / rate};
  RailWindow w;
  for (auto _ : state) {
    w = integrate_power(s, 0.0, 1.0, sensor);
    benchmark::DoNotOptimize(w.energy_j);
  }
  state.counters["samples"] = static_cast<double>(w.samples);
  state.counters["energy_J"] = w.energy_j;
}
BENCHMARK(BM_IntegratePower)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

void BM_IntegrateCounter(benchmark::State& state) {
  const double rate = static_cast<double>(state.range(0));
  const Series s = one_second(rate, true);
  const SensorModel sensor{1e-6, 1.0 / rate};
  RailWindow w;
  for (auto _ : state) {
    w = integrate_counter(s, 0.0, 1.0, sensor);
    benchmark::DoNotOptimize(w.energy_j);
  }
  state.counters["samples"] = static_cast<double>(w.samples);
  state.counters["energy_J"] = w.energy_j;
}
BENCHMARK(BM_IntegrateCounter)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

// One constant rail that costs nothing to read, refreshing every 10 ms (so polled every 5 ms, like RAPL): the
// sampler's own overhead per poll (wake-up, locks, bookkeeping).
class NullSource final : public PowerSource {
 public:
  NullSource() {
    Rail rail;
    rail.name = "NULL";
    rails_.push_back(rail);
  }
  std::string name() const override { return "null"; }
  std::string unusable_reason() const override { return {}; }
  const std::vector<Rail>& rails() const override { return rails_; }
  double update_period_s() const override { return 0.01; }
  void poll(bool, std::vector<Reading>& out, std::vector<ReadFailure>&) override { out.push_back({now_s(), 0, 1.0}); }

 private:
  std::vector<Rail> rails_;
};

double process_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double sampler_run_s() {
  const char* env = std::getenv("LAYER_ENERGY_SAMPLER_S");
  const double s = env && *env ? std::atof(env) : 2.0;
  return s > 0 ? s : 2.0;
}

// The sampler at its default poll rate for `wall` seconds of wall time while this thread sleeps: the process's CPU
// time over that wall time is what the sampler costs (cpu_fraction 0.01 = 1% of one core). Manual time = wall time.
void sampler_cpu(benchmark::State& state, PowerSource& measured) {
  const double run_s = sampler_run_s();
  CountingSource source(measured);
  double cpu = 0.0;
  double wall = 0.0;
  double period = 0.0;
  for (auto _ : state) {
    Sampler sampler(source);
    period = sampler.poll_period_s();
    const double cpu0 = process_cpu_s();
    const double wall0 = now_s();
    sampler.start();
    std::this_thread::sleep_for(std::chrono::duration<double>(run_s));
    sampler.stop();
    const double wall1 = now_s();
    const double cpu1 = process_cpu_s();
    state.SetIterationTime(wall1 - wall0);
    cpu += cpu1 - cpu0;
    wall += wall1 - wall0;
  }
  const double polls = static_cast<double>(source.polls());
  state.counters["cpu_fraction"] = wall > 0 ? cpu / wall : 0.0;
  state.counters["poll_period_s"] = period;
  state.counters["polls_per_s"] = wall > 0 ? polls / wall : 0.0;
  state.counters["cpu_us_per_poll"] = polls > 0 ? cpu * 1e6 / polls : 0.0;
}

void BM_SamplerCpu(benchmark::State& state, Kind kind) {
  auto source = usable(state, kind);
  if (source) sampler_cpu(state, *source);
}

void BM_SamplerCpuNull(benchmark::State& state) {
  NullSource source;
  sampler_cpu(state, source);
}
// Registered under its name (Benchmark::Name is not in Google Benchmark 1.5), beside the other BM_SamplerCpu cases.
[[maybe_unused]] benchmark::internal::Benchmark* const sampler_cpu_null =
    benchmark::RegisterBenchmark("BM_SamplerCpu/null", BM_SamplerCpuNull)
        ->UseManualTime()
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);

#define LAYER_ENERGY_SAMPLER_CASE(name) \
  BENCHMARK_CAPTURE(BM_SamplerCpu, name, Kind::name)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond)
LAYER_ENERGY_SAMPLER_CASE(jetson_hwmon);
LAYER_ENERGY_SAMPLER_CASE(jetson_iio);
LAYER_ENERGY_SAMPLER_CASE(rapl);
LAYER_ENERGY_SAMPLER_CASE(replay_csv);
LAYER_ENERGY_SAMPLER_CASE(replay_tegrastats);
LAYER_ENERGY_SAMPLER_CASE(nvml);
LAYER_ENERGY_SAMPLER_CASE(live_jetson);
LAYER_ENERGY_SAMPLER_CASE(live_rapl);
#undef LAYER_ENERGY_SAMPLER_CASE

}  // namespace

BENCHMARK_MAIN();
