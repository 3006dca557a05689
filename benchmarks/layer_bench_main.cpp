// layer_bench: Google Benchmark binary measuring time and energy per layer case. A thin main over the libraries.
#include <benchmark/benchmark.h>
#include <sys/stat.h>

#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <vector>

#include "benchmarks/backends/backend_factory.hpp"
#include "benchmarks/bench_context.hpp"
#include "benchmarks/benchmark_flags.hpp"
#include "benchmarks/bench_options.hpp"
#include "benchmarks/harness/energy_meter.hpp"
#include "benchmarks/filter_match.hpp"
#include "benchmarks/grids.hpp"
#include "benchmarks/case_selection.hpp"
#include "benchmarks/harness/interrupt.hpp"
#include "benchmarks/harness/layer_cases.hpp"
#include "layers/networks.hpp"
#include "power/device_state.hpp"
#include "power/list_power.hpp"
#include "reporters/case_names.hpp"
#include "reporters/energy_console_reporter.hpp"
#include "reporters/flushing_json_reporter.hpp"
#include "reporters/gbench_compat.hpp"
#include "reporters/result_format/fields.hpp"
#include "reporters/result_format/reader.hpp"

namespace {

using namespace layer_energy;
namespace gbench = layer_energy::reporters::gbench;  // Google Benchmark 1.5+ (gbench_compat.hpp)

// Whether two paths name one existing file (by device and inode: "./a.json" and "a.json" are the same).
bool same_file(const std::string& a, const std::string& b) {
  struct stat sa {}, sb {};
  return !a.empty() && !b.empty() && ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 &&
         sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

// Google Benchmark's view of the command line: without --benchmark_filter (layer_bench registers only the cases
// the filter selects, matched against the contract's names), with --benchmark_min_time from the window policy
// unless the user gave one. `storage` keeps the added flag alive.
std::vector<char*> gbench_args(int argc, char** argv, double min_window_s, std::string* storage) {
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i > 0 && (arg == "--benchmark_filter" || arg.compare(0, 19, "--benchmark_filter=") == 0)) continue;
    args.push_back(argv[i]);
  }
  if (min_window_s > 0) {
    *storage = "--benchmark_min_time=" + layer_energy::bench::number(min_window_s);
    args.push_back(&(*storage)[0]);
  }
  args.push_back(nullptr);
  return args;
}

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
      done = result_format::finished_cases(options.resume);
    } catch (const std::exception& e) {
      throw std::invalid_argument(std::string("--resume: ") + e.what());
    }
    std::cerr << "layer_bench: --resume: " << done.size() << " cases already in " << options.resume << "\n";
  }
  bench::HarnessOptions harness_options;
  harness_options.precision = precision;
  harness_options.layout = layout;
  harness_options.device_state = device_state.get();
  const power::HostLoadReader host_load;
  if (!listing) harness_options.host_load = &host_load;
  // Run length: the energy target sets the window (--benchmark_min_time) unless the user gave one; without energy
  // (--power=none) only time's own noise matters, and a short window holds it near 1% (README), so a time-only
  // sweep of the model grid takes minutes instead of an hour.
  const bench::WindowPolicy policy(meter.active(), meter.update_period_s(), options.energy_rel_err);
  const std::string filter = bench::flag_value(argc, argv, "benchmark_filter");
  bench::Harness harness(*backend, meter, harness_options, policy, bench::NameFilter(filter));
  // What a Net/ case runs, for the context: old (conv and FC only) and new results are not compared unknowingly.
  const std::string net_layers = bench::add_cases(options, done, &harness);

  std::string min_time_flag;
  std::vector<char*> args =
      gbench_args(argc, argv, explicit_min_time || listing ? 0 : policy.min_window_s(), &min_time_flag);
  int bench_argc = static_cast<int>(args.size()) - 1;
  // Read before Initialize, which removes the flags it knows from argv.
  const std::string format = bench::flag_value(bench_argc, args.data(), "benchmark_format");
  const std::string out_path = bench::flag_value(bench_argc, args.data(), "benchmark_out");
  const std::string out_format = bench::flag_value(bench_argc, args.data(), "benchmark_out_format");
  benchmark::Initialize(&bench_argc, args.data());
  if (benchmark::ReportUnrecognizedArguments(bench_argc, args.data())) return 2;

  const int selected = static_cast<int>(harness.names().size());
  if (listing) {
    for (const auto& name : harness.names()) std::cout << name << "\n";
    gbench::shutdown();
    return 0;
  }
  if (selected == 0) {
    std::cerr << "layer_bench: no case to run"
              << (filter.empty() ? std::string() : ": --benchmark_filter=" + filter + " selects none")
              << (done.empty() ? std::string() : " (" + std::to_string(done.size()) + " already in --resume)") << "\n";
    gbench::shutdown();
    return 0;
  }
  for (const auto& kv : bench::run_context(options, meter, *backend)) gbench::add_context(kv.first, kv.second);
  if (!net_layers.empty()) gbench::add_context("net_layers", net_layers);
  if (device_state) {
    gbench::add_context("gpu_state_source", device_state->description());
    for (const auto& kv : device_state->context()) gbench::add_context(kv.first, kv.second);
  }
  gbench::add_context("host_load_source", host_load.description());

  bench::IdlePower idle_before;
  if (meter.active() && options.idle_s > 0) {
    std::cerr << "layer_bench: measuring idle power for " << options.idle_s << " s (after a 2 s settle)\n";
    idle_before = meter.measure_idle(2.0, options.idle_s);
    if (idle_before.measured) {
      harness.set_idle(idle_before.total_w);
      for (const auto& kv : bench::idle_context("idle_W", idle_before)) gbench::add_context(kv.first, kv.second);
    }
  }

  bench::install_interrupt_handlers();
  // Every reporter writes the contract's case names (reporters/case_names.hpp).
  std::unique_ptr<benchmark::BenchmarkReporter> display;
  if (format.empty() || format == "console") {
    display = std::make_unique<reporters::EnergyConsoleReporter>(selected);
  } else {
    display = reporters::make_case_name_reporter(format);
  }
  std::unique_ptr<reporters::FlushingJsonReporter> json_file;
  std::unique_ptr<benchmark::BenchmarkReporter> other_file;
  if (!out_path.empty() && (out_format.empty() || out_format == "json")) {
    json_file = std::make_unique<reporters::FlushingJsonReporter>(out_path);
  } else if (!out_path.empty()) {
    other_file = reporters::make_case_name_reporter(out_format);
  }
  benchmark::RunSpecifiedBenchmarks(display.get(), json_file ? json_file.get() : other_file.get());
  const auto* file = json_file.get();
  if (file && file->failed()) {
    // Nothing more can be added to it; say so instead of exiting 0 over a cut file.
    std::cerr << "layer_bench: --benchmark_out=" << out_path
              << ": writing failed (disk full or I/O error); the file holds the cases written before it\n";
    gbench::shutdown();
    return 1;
  }

  // Facts known only after the last case, for the result file's context (written when it is finished).
  std::map<std::string, std::string> after_run;
  if (idle_before.measured && !bench::interrupted()) {
    const bench::IdlePower idle_after = meter.measure_idle(0.0, options.idle_s);
    if (idle_after.measured) {
      const double drift = idle_after.total_w - idle_before.total_w;
      std::cerr << "layer_bench: idle " << bench::number(idle_before.total_w) << " W before, "
                << bench::number(idle_after.total_w) << " W after the cases (drift " << bench::number(drift)
                << " W)\n";
      for (const auto& kv : bench::idle_context(result_format::context_key::idle_W_after, idle_after)) {
        after_run.insert(kv);
      }
      after_run[result_format::context_key::idle_drift_W] = bench::number(drift);
    }
  }
  const auto stuck = harness.stuck_sensor_warnings();
  for (const auto& warning : stuck) std::cerr << "layer_bench: warning: stuck sensor? " << warning << "\n";
  if (!stuck.empty()) {
    after_run[result_format::context_key::stuck_sensor_warnings] =
        std::to_string(stuck.size()) + " warning(s); first: " + stuck.front();
  }
  const auto contended = harness.contended_cases();
  if (!contended.empty()) {
    // A case timed while other processes held the CPUs measures them, not the layer: say so once, with a way out.
    std::cerr << "layer_bench: warning: " << contended.size()
              << " case(s) were timed while their threads waited for a CPU (other processes running; contended = 1 "
                 "in the result, and energy_fit leaves them out), e.g. "
              << contended.front() << ": rerun them on a quiet machine\n";
    after_run["contended_cases"] = std::to_string(contended.size()) + "; first: " + contended.front();
  }
  std::string finish_error;
  if (json_file && !json_file->finish(after_run, &finish_error)) {
    std::cerr << "layer_bench: --benchmark_out=" << out_path << ": " << finish_error << "\n";
  }
  for (const auto& missed : harness.missed_targets()) {
    std::cerr << "layer_bench: warning: energy bound above --energy_rel_err=" << options.energy_rel_err << " for "
              << missed << (explicit_min_time ? " (an explicit --benchmark_min_time is in force)" : "") << "\n";
  }
  gbench::shutdown();
  if (bench::interrupted()) {
    if (harness.cases_skipped_by_signal()) {
      std::cerr << "layer_bench: interrupted; finished cases are in the result file, rerun with --resume\n";
    } else {
      std::cerr << "layer_bench: interrupted after every case had run (idle after the run not measured); the result "
                   "file is complete, nothing to resume\n";
    }
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
