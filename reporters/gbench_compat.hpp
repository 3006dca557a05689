// The two calls of Google Benchmark's API that layer_bench uses and 1.5 lacks (AddCustomContext, Shutdown), bridged
// in one place so the suite builds on every Google Benchmark from 1.5.0. Which of them this build's library has is
// tested when configuring (cmake/Dependencies.cmake), never guessed from a version number.
#pragma once

#include <benchmark/benchmark.h>

#include <map>
#include <string>

namespace layer_energy::reporters::gbench {

// Context the library cannot hold (it has no AddCustomContext): FlushingJsonReporter writes these keys into the
// result file's context and EnergyConsoleReporter prints them, as the library does with its own custom context.
inline std::map<std::string, std::string>& context_not_in_library() {
  static std::map<std::string, std::string> context;
  return context;
}

// benchmark::AddCustomContext where the library has it. Like it, the first value given for a key is kept.
inline void add_context(const std::string& key, const std::string& value) {
#if LAYER_ENERGY_BENCHMARK_HAS_CUSTOM_CONTEXT
  benchmark::AddCustomContext(key, value);
#else
  context_not_in_library().emplace(key, value);
#endif
}

// benchmark::Shutdown where the library has it (it frees the flags and the custom context; 1.5 had nothing to free).
inline void shutdown() {
#if LAYER_ENERGY_BENCHMARK_HAS_SHUTDOWN
  benchmark::Shutdown();
#endif
  context_not_in_library().clear();
}

}  // namespace layer_energy::reporters::gbench
