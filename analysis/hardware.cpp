#include "analysis/hardware.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>

namespace layer_energy::analysis {
namespace {

double number_of(const std::map<std::string, std::string>& context, const char* key) {
  const auto it = context.find(key);
  if (it == context.end() || it->second.empty()) return 0;
  char* end = nullptr;
  const double v = std::strtod(it->second.c_str(), &end);
  return end != it->second.c_str() && v > 0 ? v : 0;
}

std::string text_of(const std::map<std::string, std::string>& context, const char* key) {
  const auto it = context.find(key);
  return it == context.end() ? std::string() : it->second;
}

// L2 sizes of GPUs whose results may lack "gpu_l2_MiB" (published figures), matched on the name.
double known_gpu_l2_bytes(const std::string& name) {
  struct Known {
    const char* part;
    double mib;
  };
  static const Known table[] = {{"H200", 50}, {"H100", 50}, {"A100", 40}, {"L40", 96},  {"A10", 6},
                                {"T4", 4},    {"V100", 6},  {"Orin", 4},  {"Xavier", 0.5}, {"TX2", 0.5}};
  for (const Known& k : table)
    if (name.find(k.part) != std::string::npos) return k.mib * 1024 * 1024;
  return 0;
}

// Google Benchmark's "caches" context entry: the largest unified cache (L3, else L2).
double largest_cpu_cache_bytes(const std::string& caches_json) {
  const nlohmann::json caches = nlohmann::json::parse(caches_json, nullptr, false);
  double best = 0;
  if (!caches.is_array()) return 0;
  for (const nlohmann::json& c : caches) {
    if (!c.is_object() || c.value("type", std::string()) == "Instruction") continue;
    const double size = c.value("size", 0.0);
    if (size > best) best = size;
  }
  return best;
}

}  // namespace

Hardware hardware_from_context(const std::map<std::string, std::string>& context) {
  Hardware hw;
  hw.backend = text_of(context, "backend");
  hw.idle_W = number_of(context, "idle_W");
  if (hw.backend == "cuda") {
    hw.units = number_of(context, "gpu_sm_count");
    hw.clock_MHz = number_of(context, "gpu_max_clock_MHz");
    const double l2_mib = number_of(context, "gpu_l2_MiB");
    hw.cache_bytes = l2_mib > 0 ? l2_mib * 1024 * 1024 : 0;
    if (hw.cache_bytes == 0) {
      std::string name = text_of(context, "gpu_name");
      if (name.empty()) name = text_of(context, "board");
      hw.cache_bytes = known_gpu_l2_bytes(name);
      if (hw.cache_bytes > 0) hw.notes.push_back("L2 size from the built-in table for '" + name + "'");
    }
  } else if (hw.backend == "cpu") {
    hw.units = number_of(context, "cpu_threads");
    if (hw.units == 0) hw.units = number_of(context, "num_cpus");
    hw.clock_MHz = number_of(context, "mhz_per_cpu");
    hw.simd_lanes = number_of(context, "cpu_simd_fp32_lanes");
    const double l3 = number_of(context, "cpu_l3_MiB");
    hw.cache_bytes = l3 > 0 ? l3 * 1024 * 1024 : largest_cpu_cache_bytes(text_of(context, "caches"));
  }
  if (hw.units == 0) hw.notes.push_back("parallel units (SM count / threads) not in the context: fitted");
  if (hw.cache_bytes == 0) hw.notes.push_back("on-chip cache size not in the context: its knee fitted");
  if (hw.clock_MHz == 0) hw.notes.push_back("clock not in the context: per-case clocks ignored");
  return hw;
}

}  // namespace layer_energy::analysis
