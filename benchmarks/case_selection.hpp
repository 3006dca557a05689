// Which cases a run registers: a grid (--grid), a built-in network (--network, --network_layers) or the network in
// an ONNX file (--onnx, --onnx_fold), less those already finished (--resume).
#pragma once

#include <set>
#include <string>

#include "benchmarks/bench_options.hpp"
#include "benchmarks/harness/layer_cases.hpp"

namespace layer_energy::bench {

// Adds the cases to `harness` and returns what a Net/ case runs, for the context's net_layers ("" for a grid).
// Notes about an ONNX file (BN folded, operators with no case) go to stderr. Throws std::invalid_argument naming
// the flag for an unreadable network or file.
std::string add_cases(const BenchOptions& options, const std::set<std::string>& done, Harness* harness);

}  // namespace layer_energy::bench
