#include "benchmarks/bench_options.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>
#include <stdexcept>
#include <vector>

#include "benchmarks/backends/cpu/cpu_backend.hpp"

namespace layer_energy::bench {
namespace {

double to_double(const std::string& flag, const std::string& text, double min_value) {
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(value) || value < min_value) {
    throw std::invalid_argument("--" + flag + ": expected a number >= " + std::to_string(min_value) + ", got \"" +
                                text + "\"");
  }
  return value;
}

std::string one_of(const std::string& flag, const std::string& text, const std::vector<std::string>& allowed) {
  for (const auto& a : allowed) {
    if (text == a) return text;
  }
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : "|") + a;
  throw std::invalid_argument("--" + flag + ": expected " + list + ", got \"" + text + "\"");
}

}  // namespace

BenchOptions extract_bench_options(int* argc, char** argv) {
  BenchOptions o;
  bool grid_given = false;
  for (int i = 0; i < *argc; ++i) o.command_line += (i ? " " : "") + std::string(argv[i]);

  using Setter = std::function<void(const std::string&)>;
  const std::map<std::string, Setter> setters = {
      {"backend", [&](const std::string& v) { o.backend = one_of("backend", v, {"auto", "cuda", "cpu"}); }},
      {"device", [&](const std::string& v) { o.device = static_cast<int>(to_double("device", v, 0)); }},
      {"power", [&](const std::string& v) { o.power = v; }},
      {"power_sysfs_root", [&](const std::string& v) { o.power_sysfs_root = v; }},
      {"power_rails", [&](const std::string& v) { o.power_rails = v; }},
      {"idle_s", [&](const std::string& v) { o.idle_s = to_double("idle_s", v, 0); }},
      {"energy_rel_err", [&](const std::string& v) { o.energy_rel_err = to_double("energy_rel_err", v, 0); }},
      {"grid",
       [&](const std::string& v) {
         if (v.empty()) throw std::invalid_argument("--grid: expected quick|paper|model|calibrate or a layer CSV file");
         o.grid = v;
         grid_given = true;
       }},
      {"network",
       [&](const std::string& v) {
         if (v.empty()) throw std::invalid_argument("--network: expected a built-in network's name");
         o.network = v;
       }},
      {"network_layers",
       [&](const std::string& v) { o.network_layers = one_of("network_layers", v, {"all", "weights"}); }},
      {"onnx",
       [&](const std::string& v) {
         if (v.empty()) throw std::invalid_argument("--onnx: expected an ONNX file");
         o.onnx = v;
       }},
      {"onnx_fold", [&](const std::string& v) { o.onnx_fold = one_of("onnx_fold", v, {"bn", "none"}); }},
      {"precision", [&](const std::string& v) { o.precision = one_of("precision", v, {"fp32", "tf32", "fp16"}); }},
      {"layout", [&](const std::string& v) { o.layout = one_of("layout", v, {"nchw", "nhwc"}); }},
      {"cpu_impl",
       [&](const std::string& v) {
         o.cpu_impl = one_of("cpu_impl", v, {"eigen", "onednn"});
         // Here, so that a build without oneDNN refuses the flag at once, before any backend or power source.
         std::string why;
         if (o.cpu_impl == "onednn" && !cpu_onednn_built(&why)) {
           throw std::invalid_argument("--cpu_impl=onednn: " + why);
         }
       }},
      {"power_trace_out", [&](const std::string& v) { o.power_trace_out = v; }},
      {"resume",
       [&](const std::string& v) {
         if (v.empty()) throw std::invalid_argument("--resume: expected the result file of the interrupted run");
         o.resume = v;
       }},
  };

  int kept = 1;
  for (int i = 1; i < *argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--list_power" || arg == "--list_power=true") {
      o.list_power = true;
      continue;
    }
    if (arg.compare(0, 2, "--") != 0) {
      argv[kept++] = argv[i];
      continue;
    }
    const auto eq = arg.find('=');
    const std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    const auto setter = setters.find(name);
    if (setter == setters.end()) {
      argv[kept++] = argv[i];  // a --benchmark_* flag, or unknown: Google Benchmark reports it
      continue;
    }
    std::string value;
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else if (i + 1 < *argc) {
      value = argv[++i];
    } else {
      throw std::invalid_argument("--" + name + ": missing value");
    }
    setter->second(value);
  }
  // One set of cases per run: --network does not quietly replace a --grid the user asked for.
  if (grid_given && !o.network.empty()) {
    throw std::invalid_argument("--network=" + o.network + " and --grid=" + o.grid + ": give one of them");
  }
  if (!o.onnx.empty() && (grid_given || !o.network.empty())) {
    const std::string other = grid_given ? "--grid=" + o.grid : "--network=" + o.network;
    throw std::invalid_argument("--onnx=" + o.onnx + " and " + other + ": give one of them");
  }
  *argc = kept;
  argv[kept] = nullptr;
  return o;
}

}  // namespace layer_energy::bench
