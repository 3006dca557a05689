// The JSON context of a layer_bench run: power source, rails, idle, board, backend, versions, command line.
#pragma once

#include <map>
#include <string>

#include "benchmarks/backends/backend.hpp"
#include "benchmarks/bench_options.hpp"
#include "benchmarks/harness/energy_meter.hpp"

namespace layer_energy::bench {

std::map<std::string, std::string> run_context(const BenchOptions& options, EnergyMeter& meter, Backend& backend);
std::map<std::string, std::string> idle_context(const std::string& prefix, const IdlePower& idle);

// Formats a number for a context string value (%.6g).
std::string number(double value);

}  // namespace layer_energy::bench
