#include "analysis/simulator/sim_json.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "analysis/simulator/simulate.hpp"

namespace layer_energy::sim {
namespace {

using Json = nlohmann::ordered_json;
using Counters = std::map<std::string, double>;  // Google Benchmark keeps counters sorted by name

constexpr double kMinTime_s = 0.5;      // each repetition's window (the energy rule's typical run length)
constexpr double kUpdatePeriod_s = 0.1; // the simulated sensor's update period
constexpr double kEnergyRelErr = 0.01;

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

bool is_gpu(const Device& d) {
  return d.kind == Device::Kind::gpu;
}

Json context_of(const Device& device, const RunOptions& options) {
  Json c;
  c["date"] = "2026-01-01T00:00:00+00:00";
  c["host_name"] = "simulator";
  c["executable"] = "energy_simulate";
  c["num_cpus"] = is_gpu(device) ? 16 : device.cpu.threads;
  c["mhz_per_cpu"] = is_gpu(device) ? 3000 : static_cast<int>(device.cpu.clock_GHz * 1000);
  c["cpu_scaling_enabled"] = false;
  c["caches"] = Json::array();
  c["load_avg"] = Json::array();
  c["library_build_type"] = "release";
  c["backend"] = is_gpu(device) ? "cuda" : "cpu";
  c["board"] = is_gpu(device) ? device.gpu.board : device.cpu.board;
  c["command_line"] = options.command_line;
  c["layout"] = "nchw";
  c["precision"] = "fp32";
  c["simulator_preset"] = is_gpu(device) ? device.gpu.preset : device.cpu.preset;
  if (options.time_only) {
    c["power_source"] = "none";
    c["power_note"] = "time only (energy_simulate --time-only)";
  } else {
    c["power_source"] = "simulated";
    c["power_rails"] = is_gpu(device) ? "GPU" : "package-0,dram";
    c["power_update_s"] = number(kUpdatePeriod_s);
    c["idle_W"] = number(idle_power_W(device));
    if (!is_gpu(device)) {
      c["idle_W:package-0"] = number(device.cpu.package_idle_W);
      c["idle_W:dram"] = number(device.cpu.dram_idle_W);
    }
  }
  if (is_gpu(device)) {
    const GpuSpec& g = device.gpu;
    c["gpu_name"] = g.board;
    c["gpu_sm_count"] = std::to_string(g.sm_count);
    c["gpu_max_clock_MHz"] = number(g.clock_MHz);
    c["gpu_l2_MiB"] = number(g.l2_MiB);
    c["gpu_memory_bandwidth_GBs"] = number(g.dram_bandwidth_GBs);
  } else {
    const CpuSpec& s = device.cpu;
    c["cpu_threads"] = std::to_string(s.threads);
    c["cpu_simd_fp32_lanes"] = std::to_string(s.simd_fp32_lanes);
    c["cpu_l2_KiB"] = number(s.l2_KiB);
    c["cpu_l3_MiB"] = number(s.l3_MiB);
    c["cpu_max_clock_MHz"] = number(s.clock_GHz * 1000);
  }
  return c;
}

void add_geometry(const layers::Layer& l, Counters* counters) {
  Counters& c = *counters;
  if (l.type == layers::LayerType::fc) {
    c["N"] = static_cast<double>(l.fc.N);
    c["in"] = static_cast<double>(l.fc.in);
    c["out"] = static_cast<double>(l.fc.out);
    return;
  }
  const layers::ConvShape& s = l.conv;
  const std::pair<const char*, int64_t> fields[] = {{"N", s.N}, {"C", s.C}, {"H", s.H}, {"W", s.W},
                                                    {"K", s.K}, {"R", s.R}, {"S", s.S}, {"stride", s.stride},
                                                    {"pad", s.pad}, {"groups", s.groups}};
  for (const auto& f : fields) c[f.first] = static_cast<double>(f.second);
}

// One case: what it is and its noiseless cost per call.
struct CaseTruth {
  std::string name;
  const layers::Layer* layer = nullptr;  // null for Net/
  SimResult result;
  double macs = 0, bytes = 0;
  int layer_count = 1;
};

// The counters a case always carries, whatever its repetition's noise.
Counters fixed_counters(const Device& device, const CaseTruth& c) {
  Counters out;
  out["macs"] = c.macs;
  out["bytes"] = c.bytes;
  out["kernels"] = c.result.kernels;
  if (c.layer) add_geometry(*c.layer, &out);
  if (is_gpu(device)) {
    if (c.layer) {
      out["blocks"] = static_cast<double>(c.result.blocks);
      out["threads_per_block"] = c.result.threads_per_block;
    }
    out["gpu_clock_MHz"] = c.result.clock_MHz;
    out["throttled"] = c.result.throttled ? 1 : 0;
  } else if (c.layer) {
    out["cpu_threads_used"] = c.result.threads_used;
    out["tiles"] = static_cast<double>(c.result.tiles);
  }
  return out;
}

Json entry_head(const CaseTruth& c, int family) {
  Json e;
  e["name"] = c.name;
  e["family_index"] = family;
  e["per_family_instance_index"] = 0;
  e["run_name"] = c.name;
  return e;
}

void put_times_and_counters(Json* e, double real_ns, double cpu_ns, const Counters& counters) {
  (*e)["real_time"] = real_ns;
  (*e)["cpu_time"] = cpu_ns;
  (*e)["time_unit"] = "ns";
  for (const auto& kv : counters) (*e)[kv.first] = kv.second;
}

struct Repetition {
  double real_ns = 0, cpu_ns = 0;
  Counters counters;
};

// Mean, median, stddev and cv over the repetitions, as Google Benchmark appends them.
void append_aggregates(const CaseTruth& c, int family, const RunOptions& o, const std::vector<Repetition>& reps,
                       const std::string& label, Json* benchmarks) {
  const auto stat = [](std::vector<double> v, const std::string& which) {
    const double n = static_cast<double>(v.size());
    double mean = 0;
    for (double x : v) mean += x / n;
    if (which == "mean") return mean;
    if (which == "median") {
      std::sort(v.begin(), v.end());
      const std::size_t h = v.size() / 2;
      return v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
    }
    double ss = 0;
    for (double x : v) ss += (x - mean) * (x - mean);
    const double sd = v.size() > 1 ? std::sqrt(ss / (n - 1)) : 0;
    if (which == "stddev") return sd;
    return mean != 0 ? sd / mean : 0.0;  // Google Benchmark would print NaN here; strict readers reject it
  };
  for (const std::string which : {"mean", "median", "stddev", "cv"}) {
    Json e = entry_head(c, family);
    e["name"] = c.name + "_" + which;
    e["run_type"] = "aggregate";
    e["repetitions"] = o.repetitions;
    e["threads"] = 1;
    e["aggregate_name"] = which;
    e["aggregate_unit"] = which == "cv" ? "percentage" : "time";
    e["iterations"] = o.repetitions;
    std::vector<double> real, cpu;
    for (const Repetition& r : reps) {
      real.push_back(r.real_ns);
      cpu.push_back(r.cpu_ns);
    }
    Counters counters;
    for (const auto& kv : reps.front().counters) {
      std::vector<double> v;
      for (const Repetition& r : reps) v.push_back(r.counters.at(kv.first));
      counters[kv.first] = stat(v, which);
    }
    put_times_and_counters(&e, stat(real, which), stat(cpu, which), counters);
    if (!label.empty()) e["label"] = label;
    benchmarks->push_back(e);
  }
}

}  // namespace

uint64_t stable_hash(const std::string& text, uint64_t seed) {
  uint64_t h = 1469598103934665603ULL ^ (seed * 0x9E3779B97F4A7C15ULL);
  for (unsigned char ch : text) {
    h ^= ch;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string result_json(const Device& device, const std::vector<layers::Layer>& layer_list,
                        const RunOptions& options) {
  const int reps = std::max(1, options.repetitions);
  // Cases: each distinct layer once, in first-appearance order, alone (a benchmark loop); then Net/<network> over
  // every layer in one pass, each layer's data evicted by the others' between its calls (as layer_bench's Net/ runs
  // them, each layer with its own buffers).
  std::vector<CaseTruth> cases;
  std::set<std::string> seen;
  CaseTruth net;
  net.name = "Net/" + options.network;
  net.layer_count = 0;
  double clock_time = 0, pass_bytes = 0;
  for (const layers::Layer& l : layer_list) pass_bytes += layers::bytes(l, layers::Precision::fp32);
  for (const layers::Layer& l : layer_list) {
    const std::string name = layers::case_name(l);
    const double u = static_cast<double>(stable_hash(name, options.seed) >> 11) / 9007199254740992.0;
    const bool throttle = is_gpu(device) && u < options.throttle_fraction;
    const double clock_scale = throttle ? options.throttle_clock_scale : 1.0;
    SimResult alone = simulate(device, l, clock_scale);
    alone.throttled = throttle;
    SimResult r = options.network.empty() ? alone : simulate(device, l, clock_scale, pass_bytes);
    r.throttled = throttle;
    net.result.time_s += r.time_s;
    net.result.energy_J += r.energy_J;
    net.result.dram_rail_J += r.dram_rail_J;
    net.result.kernels += r.kernels;
    net.result.static_W += r.static_W * r.time_s;  // time-weighted below
    clock_time += r.clock_MHz * r.time_s;
    net.macs += layers::macs(l);
    net.bytes += layers::bytes(l, layers::Precision::fp32);
    ++net.layer_count;
    if (!seen.insert(name).second) continue;
    CaseTruth c;
    c.name = name;
    c.layer = &l;
    c.result = alone;
    c.macs = layers::macs(l);
    c.bytes = layers::bytes(l, layers::Precision::fp32);
    cases.push_back(c);
  }
  if (!options.network.empty() && net.result.time_s > 0) {
    net.result.static_W /= net.result.time_s;
    net.result.clock_MHz = clock_time / net.result.time_s;
    net.result.label = "sim network of " + std::to_string(net.layer_count) + " layers";
    cases.push_back(net);
  }

  const double idle_W = idle_power_W(device);
  const double time_sd = options.noise / 3;
  Json benchmarks = Json::array();
  double trace_clock = 7.0;  // the simulated run starts after a 2 s settle and a 5 s idle measurement
  for (std::size_t family = 0; family < cases.size(); ++family) {
    const CaseTruth& c = cases[family];
    std::mt19937_64 rng(stable_hash(c.name, options.seed));
    std::normal_distribution<double> gauss(0.0, 1.0);
    const double t = c.result.time_s;
    const int64_t iterations = std::max<int64_t>(1, std::min<int64_t>(1000000000, std::llround(std::ceil(kMinTime_s / t))));
    const double dynamic_J = c.result.energy_J - c.result.static_W * t;
    std::vector<Repetition> done;
    for (int r = 0; r < reps; ++r) {
      const double t_r = t * std::exp(time_sd * gauss(rng));
      const double e_r = (c.result.static_W * t_r + dynamic_J) * std::exp(options.noise * gauss(rng));
      Repetition rep;
      rep.real_ns = t_r * 1e9;
      // The host thread only enqueues GPU work; on the CPU it is one of the workers.
      rep.cpu_ns = is_gpu(device) ? std::min(rep.real_ns, 3000.0 * c.result.kernels) : rep.real_ns;
      rep.counters = fixed_counters(device, c);
      const double window = t_r * static_cast<double>(iterations);
      if (!options.time_only) {
        rep.counters["energy_J"] = e_r;
        rep.counters["energy_dynamic_J"] = e_r - idle_W * t_r;
        rep.counters["energy_err_J"] = kEnergyRelErr * e_r;
        rep.counters["power_W"] = e_r / t_r;
        rep.counters["samples"] = std::floor(window / kUpdatePeriod_s) + 1;
        rep.counters["t0_s"] = trace_clock;
        rep.counters["t1_s"] = trace_clock + window;
        if (is_gpu(device)) {
          rep.counters["energy_J:GPU"] = e_r;
        } else {
          const double dram_share = c.result.energy_J > 0 ? c.result.dram_rail_J / c.result.energy_J : 0;
          rep.counters["energy_J:dram"] = e_r * dram_share;
          rep.counters["energy_J:package-0"] = e_r * (1 - dram_share);
        }
      }
      trace_clock += window + 0.05;
      Json e = entry_head(c, static_cast<int>(family));
      e["run_type"] = "iteration";
      e["repetitions"] = reps;
      e["repetition_index"] = r;
      e["threads"] = 1;
      e["iterations"] = iterations;
      put_times_and_counters(&e, rep.real_ns, rep.cpu_ns, rep.counters);
      if (!c.result.label.empty()) e["label"] = c.result.label;
      benchmarks.push_back(e);
      done.push_back(rep);
    }
    if (options.aggregates && reps > 1)
      append_aggregates(c, static_cast<int>(family), options, done, c.result.label, &benchmarks);
  }
  Json doc;
  doc["context"] = context_of(device, options);
  doc["benchmarks"] = benchmarks;
  return doc.dump(2);
}

}  // namespace layer_energy::sim
