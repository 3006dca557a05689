// layer_bench's own flags (the contract's table), taken out of argv before Google Benchmark parses the rest.
#pragma once

#include <string>

namespace layer_energy::bench {

struct BenchOptions {
  std::string backend = "auto";  // auto|cuda|cpu
  int device = 0;
  std::string power = "auto";  // auto|jetson|nvml|rapl|replay:FILE|none
  std::string power_sysfs_root;
  std::string power_rails;
  double idle_s = 5.0;
  double energy_rel_err = 0.02;
  std::string grid = "quick";
  std::string network;
  std::string network_layers = "weights";  // weights: conv and FC (the contract's --network); all: every layer, bn folded
  std::string onnx;                    // --onnx=FILE: the layers of the network in an ONNX file
  std::string onnx_fold = "bn";        // bn: batch-norm folded into the conv before it; none: measured as a layer
  std::string precision = "fp32";  // fp32|tf32|fp16
  std::string layout = "nchw";     // nchw|nhwc
  std::string cpu_impl;            // eigen|onednn; empty: onednn where built (a reference-only case on Eigen)
  bool list_power = false;
  std::string power_trace_out;
  std::string resume;
  std::string command_line;  // the whole original command line, for the context
};

// Removes the flags above from argv (both --flag=value and --flag value) and returns them.
// Throws std::invalid_argument with a one-line message naming the flag for a bad value, and for --cpu_impl=onednn
// in a build without oneDNN.
BenchOptions extract_bench_options(int* argc, char** argv);

}  // namespace layer_energy::bench
