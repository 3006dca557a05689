// layer_bench: Google Benchmark binary measuring time and energy per layer case. A thin main over the libraries.
#include <benchmark/benchmark.h>
#include <sys/stat.h>

#include <iostream>
#include <memory>
#include <set>
#include <stdexcept>
#include <vector>

#include "benchmarks/backend_factory.hpp"
#include "benchmarks/bench_context.hpp"
#include "benchmarks/benchmark_flags.hpp"
#include "benchmarks/bench_options.hpp"
#include "benchmarks/energy_meter.hpp"
#include "benchmarks/filter_match.hpp"
#include "benchmarks/grids.hpp"
#include "benchmarks/interrupt.hpp"
#include "benchmarks/layer_cases.hpp"
#include "benchmarks/result_file.hpp"
#include "layers/networks.hpp"
#include "power/device_state.hpp"
#include "power/list_power.hpp"
#include "reporters/energy_console_reporter.hpp"
#include "reporters/flushing_json_reporter.hpp"

namespace {

using namespace layer_energy;

// --benchmark_min_time for the energy target: the window must be long against the sensor's update period, because
// the bound of a window is about (mean power x period): relative error ~ period / window.
double min_time_for_target(double update_period_s, double rel_err) {
  if (rel_err <= 0 || update_period_s <= 0) return 0;
  const double seconds = update_period_s / rel_err;
  return seconds < 0.5 ? 0.5 : (seconds > 30 ? 30 : seconds);
}

// Whether two paths name one existing file (by device and inode: "./a.json" and "a.json" are the same).
bool same_file(const std::string& a, const std::string& b) {
  struct stat sa {}, sb {};
  return !a.empty() && !b.empty() && ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 &&
         sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

// --power=none: the window of a time-only case (Google Benchmark's growing batches come on top).
constexpr double kTimeOnlyMinTimeS = 0.05;

int run(int argc, char** argv) {
  bench::BenchOptions options = bench::extract_bench_options(&argc, argv);
  const std::string bad_flag = bench::check_benchmark_flags(argc, argv);
  if (!bad_flag.empty()) throw std::invalid_argument(bad_flag);
  power::SourceOptions source_options;
  source_options.sysfs_root = options.power_sysfs_root;
  std::string backend_note;
  // --list_power needs no backend; a cuda backend changes auto's choice to nvml.
  if (options.list_power) {
    source_options.backend = options.backend == "cpu" ? "cpu" : "cuda";
    return power::list_power(options.power, source_options, std::cout, std::cerr);
  }
  layers::Precision precision;
  layers::Layout layout;
  layers::parse_precision(options.precision, &precision);
  layers::parse_layout(options.layout, &layout);

  const std::string list_tests = bench::flag_value(argc, argv, "benchmark_list_tests");
  const bool listing = !list_tests.empty() && list_tests != "false";
  bool explicit_min_time = false;
  bench::flag_value(argc, argv, "benchmark_min_time", &explicit_min_time);

  bench::CpuBackendOptions cpu_options;
  if (options.cpu_impl == "eigen") cpu_options.impl = bench::CpuImpl::eigen;
  if (options.cpu_impl == "onednn") cpu_options.impl = bench::CpuImpl::onednn;
  auto backend = bench::make_backend(options.backend, options.device, cpu_options, &backend_note);
  source_options.backend = backend->name();
  // NVML is matched to the CUDA device by PCI bus id, never by index (their orders can differ).
  const auto backend_context = backend->context();
  const auto bus_id = backend_context.find("gpu_pci_bus_id");
  if (bus_id != backend_context.end()) source_options.nvml_pci_bus_id = bus_id->second;
  // GPU state per case: NVML or Jetson devfreq for GPU cases; for CPU cases only a Jetson's (shared SoC), since a
  // desktop GPU's clock says nothing about a CPU layer.
  std::unique_ptr<power::DeviceStateReader> device_state;
  if (!listing && backend->name() == "cuda") {
    device_state = power::make_device_state_reader(options.power_sysfs_root, source_options.nvml_pci_bus_id);
  } else if (!listing) {
    std::string why;
    device_state = power::make_jetson_state_reader(options.power_sysfs_root, &why);
  }
  bench::MeterOptions meter_options;
  meter_options.power = listing ? "none" : options.power;
  meter_options.source = source_options;
  meter_options.rails = options.power_rails;
  meter_options.trace_out = options.power_trace_out;
  bench::EnergyMeter meter(meter_options);
  if (!meter.active() && !listing) std::cerr << "layer_bench: " << meter.inactive_reason() << "\n";
  if (!backend_note.empty() && !listing) std::cerr << "layer_bench: " << backend_note << "\n";

  std::set<std::string> done;
  if (!options.resume.empty()) {
    // Google Benchmark truncates --benchmark_out when it opens it: resuming into the same file would lose every
    // case the resume is meant to keep.
    if (same_file(options.resume, bench::flag_value(argc, argv, "benchmark_out"))) {
      throw std::invalid_argument("--resume=" + options.resume +
                                  " is also --benchmark_out, which is truncated when the run starts: write the resumed "
                                  "run to another file (energy_fit reads both)");
    }
    try {
      done = bench::finished_cases(options.resume);
    } catch (const std::exception& e) {
      throw std::invalid_argument(std::string("--resume: ") + e.what());
    }
    std::cerr << "layer_bench: --resume: " << done.size() << " cases already in " << options.resume << "\n";
  }
  bench::HarnessOptions harness_options;
  harness_options.precision = precision;
  harness_options.layout = layout;
  harness_options.energy_rel_err = options.energy_rel_err;
  harness_options.device_state = device_state.get();
  bench::Harness harness(*backend, meter, harness_options);
  if (!options.network.empty()) {
    harness.add_network(options.network, layers::network_layers(options.network), done);
  } else {
    harness.add_layers(bench::grid_layers(options.grid), done);
  }

  // Run length, unless the user gave one: the energy target sets --benchmark_min_time; without energy
  // (--power=none) only time's own noise matters, and a short window holds it near 1% (README), so a time-only
  // sweep of the model grid takes minutes instead of an hour.
  std::vector<char*> args(argv, argv + argc);
  std::string min_time_flag;
  const double target_min_time =
      meter.active() ? min_time_for_target(meter.update_period_s(), options.energy_rel_err) : kTimeOnlyMinTimeS;
  if (!explicit_min_time && target_min_time > 0 && !listing) {
    min_time_flag = "--benchmark_min_time=" + bench::number(target_min_time);
    args.push_back(&min_time_flag[0]);
  }
  args.push_back(nullptr);
  int bench_argc = static_cast<int>(args.size()) - 1;
  // Read before Initialize, which removes the flags it knows from argv.
  const std::string filter = bench::flag_value(bench_argc, args.data(), "benchmark_filter");
  const std::string format = bench::flag_value(bench_argc, args.data(), "benchmark_format");
  const std::string out_path = bench::flag_value(bench_argc, args.data(), "benchmark_out");
  const std::string out_format = bench::flag_value(bench_argc, args.data(), "benchmark_out_format");
  benchmark::Initialize(&bench_argc, args.data());
  if (benchmark::ReportUnrecognizedArguments(bench_argc, args.data())) return 2;

  const int selected = bench::count_matching(harness.names(), filter);
  for (const auto& kv : bench::run_context(options, meter, *backend)) benchmark::AddCustomContext(kv.first, kv.second);
  if (device_state) {
    benchmark::AddCustomContext("gpu_state_source", device_state->description());
    for (const auto& kv : device_state->context()) benchmark::AddCustomContext(kv.first, kv.second);
  }

  bench::IdlePower idle_before;
  if (meter.active() && options.idle_s > 0 && selected > 0 && !listing) {
    std::cerr << "layer_bench: measuring idle power for " << options.idle_s << " s (after a 2 s settle)\n";
    idle_before = meter.measure_idle(2.0, options.idle_s);
    if (idle_before.measured) {
      harness.set_idle(idle_before.total_w);
      for (const auto& kv : bench::idle_context("idle_W", idle_before)) benchmark::AddCustomContext(kv.first, kv.second);
    }
  }

  bench::install_interrupt_handlers();
  std::unique_ptr<benchmark::BenchmarkReporter> display;
  if (format.empty() || format == "console") display = std::make_unique<reporters::EnergyConsoleReporter>(selected);
  std::unique_ptr<reporters::FlushingJsonReporter> file;
  if (!out_path.empty() && (out_format.empty() || out_format == "json")) {
    file = std::make_unique<reporters::FlushingJsonReporter>();
  }
  if (display) {
    benchmark::RunSpecifiedBenchmarks(display.get(), file.get());
  } else {
    benchmark::RunSpecifiedBenchmarks(nullptr, file.get());
  }
  if (file && file->failed()) {
    // Nothing more can be added to it; say so instead of exiting 0 over a cut file.
    std::cerr << "layer_bench: --benchmark_out=" << out_path
              << ": writing failed (disk full or I/O error); the file holds the cases written before it\n";
    benchmark::Shutdown();
    return 1;
  }

  if (idle_before.measured && !bench::interrupted()) {
    const bench::IdlePower idle_after = meter.measure_idle(0.0, options.idle_s);
    if (idle_after.measured) {
      const double drift = idle_after.total_w - idle_before.total_w;
      std::cerr << "layer_bench: idle " << bench::number(idle_before.total_w) << " W before, "
                << bench::number(idle_after.total_w) << " W after the cases (drift " << bench::number(drift)
                << " W)\n";
      if (file) {
        auto extra = bench::idle_context("idle_W_after", idle_after);
        extra["idle_drift_W"] = bench::number(drift);
        bench::add_to_context(out_path, extra);
      }
    }
  }
  const auto stuck = harness.stuck_sensor_warnings();
  for (const auto& warning : stuck) std::cerr << "layer_bench: warning: stuck sensor? " << warning << "\n";
  if (!stuck.empty() && file) {
    bench::add_to_context(out_path, {{"stuck_sensor_warnings", std::to_string(stuck.size()) + " warning(s); first: " +
                                                                  stuck.front()}});
  }
  for (const auto& missed : harness.missed_targets()) {
    std::cerr << "layer_bench: warning: energy bound above --energy_rel_err=" << options.energy_rel_err << " for "
              << missed << (explicit_min_time ? " (an explicit --benchmark_min_time is in force)" : "") << "\n";
  }
  benchmark::Shutdown();
  if (bench::interrupted()) {
    std::cerr << "layer_bench: interrupted; finished cases are in the result file, rerun with --resume\n";
    return 130;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "layer_bench: " << e.what() << "\n";
    return 2;
  }
}
