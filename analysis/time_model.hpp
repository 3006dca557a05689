// Latency per layer call from the kernel's view of the layer (kernel_features): launches plus a soft maximum of
// compute time (per-wave fill, latency-bound reduction steps and MACs on the busiest unit's path, after tile and
// wave quantisation) and memory time (bytes, plus a DRAM term for the working set beyond the on-chip cache). One set of parameters per layer class; a class with too
// few measured cases uses the type's pooled fit. A boosted-tree corrector on log-residuals follows.
#pragma once

#include <array>
#include <vector>

#include "analysis/boosted_trees.hpp"
#include "analysis/dram_knee.hpp"
#include "analysis/features.hpp"
#include "analysis/kernel_features.hpp"

namespace layer_energy::analysis {

struct ClassTime {
  bool fitted = false;
  double launch = 0;  // s per launch
  double wave = 0;    // s per wave of tiles (pipeline fill and epilogue)
  double step = 0;    // s per reduction step of a wave (latency-bound small tiles)
  double mac = 0;     // s per critical-path MAC
  double feed = 0;    // s per operand byte the busiest unit loads
  double byte = 0;    // s per byte (on-chip level)
  double dram = 0;    // s per byte beyond the cache
  std::size_t cases = 0;
};

// How the time model's sides join (time_model.cpp evaluate_parts): p joins compute and memory; q > 0 joins the DRAM
// stream to that at its own exponent, q = 0 keeps DRAM bytes in the memory side.
struct Exponents {
  double p = 2, q = 0;
};

struct TimeEstimate {
  double t = 0;
  KernelConfig kernel;
};

// What calling a layer inside a network pass adds to its loop time: the data the other layers evicted come cold from
// DRAM (KernelFeatures::working_set beyond the cache). The cold bytes join the loop's as the loop fit joins its DRAM
// bytes (in the memory side at p, or as the DRAM stream at q), each at `s_per_cold_byte`. Uncalibrated (no network measured) that price is the
// loop fit's s_per_dram_byte; calibrated on Net/ cases against their layers alone (pass_cost.hpp) it is what a cold
// byte costs this device in a pass: more than a streamed one where each miss stalls a core, less where prefetch or
// warps in flight hide the stream behind compute.
struct PassCost {
  double s_per_cold_byte = -1;  // < 0: the loop fit's s_per_dram_byte
  int networks = 0;             // the Net/ cases it was calibrated on (0: uncalibrated)
};

// One layer's parts of its in-pass time under the model (what a calibration weighs).
struct PassTerms {
  double compute_s = 0, memory_s = 0, dram_s = 0;  // the sides of the loop time (before the corrector): on-chip, DRAM
  double cold_bytes = 0;                           // DRAM bytes the pass adds to the loop's
  double loop_s_per_dram_byte = 0, loop_p = 1, loop_q = 0;  // the loop fit's DRAM price and exponents
  double scale = 1;                    // the corrector's factor
};

// The time a pass adds to the layer's loop time under `cost` (0 when nothing comes cold).
double pass_extra_s(const PassTerms& t, const PassCost& cost);

struct TimeModel {
  bool fitted = false;
  double units = 0;        // parallel units the features are computed with
  DramKnee dram;           // the DRAM term's knee (0: none) and form (dram_knee.hpp)
  double p = 2;            // soft-max exponent (1: compute + memory; large: the larger of the two)
  double q = 0;            // the DRAM stream's exponent against that (0: DRAM bytes in the memory side; models before it)
  Exponents exponents() const { return {p, q}; }
  // Split-K as the library decides it, learned from runs that recorded their launches: a split-K candidate counts
  // only where the reduction is at least this long (0: no rule, every candidate). Libraries split only long
  // reductions; without the rule the model would credit a short one with a split's speed.
  double split_min_reduction = 0;
  // The tiles the features are computed with. GPU: the smallest CTA tile (output elements m·n) the library has,
  // chosen by held-out time error at fit time (0: every tile of the candidate list). Libraries differ: some have
  // 32x32 and 16x64 tiles for skinny GEMMs, some start at 64x32; a tile the library lacks makes small layers
  // predicted fast. CPU: the GEMM micro-kernel's rows, 8 in every CPU fit (0: blocks keep their size, older models).
  TileSet tiles;
  std::array<ClassTime, kLayerClasses> cls{};
  ClassTime pooled;
  BoostedTrees corrector;
  PassCost pass;  // inside a network pass (KernelFeatures::working_set > the layer's bytes)

  const ClassTime& params_for(LayerClass c) const;  // the class's own fit, else the pooled one
  double raw(const KernelFeatures& f) const;        // without the corrector
  double predict(const KernelFeatures& f, const TreeInput& x) const;
  // The predicted time and the candidate kernel it comes from (the energy terms count that kernel's work).
  TimeEstimate estimate(const KernelFeatures& f, const TreeInput& x) const;
  PassTerms pass_terms(const KernelFeatures& f, const TreeInput& x) const;  // zero cold bytes outside a pass

 private:
  TimeEstimate estimate_parts(const KernelFeatures& f, const TreeInput* x, PassTerms* terms) const;
};

struct TimeFitOptions {
  int corrector_rounds = 0;
  double p = 0;   // 0: chosen among {1, 2, 4} by training loss
  double q = -1;  // < 0: chosen among {0, 4} with p
};

constexpr std::size_t kMinClassCases = 8;

// Fits on the rows with a measured time (Sample::time > 0).
TimeModel fit_time_model(const std::vector<Sample>& samples, const std::vector<int>& rows, double cache_bytes,
                         double units, const TimeFitOptions& options);

// `base` (a fit without corrector) with a residual corrector of `rounds` boosted-tree rounds fitted on `rows`: what
// fit_time_model with corrector_rounds = rounds gives, without fitting the roofline again.
TimeModel with_time_corrector(TimeModel base, const std::vector<Sample>& samples, const std::vector<int>& rows,
                              int rounds);

// The DRAM knee when the context does not give the cache size: the candidate (or none) with the lowest training loss.
double choose_cache_knee(const std::vector<Sample>& samples, const std::vector<int>& rows, double units);

// Σ log²(predicted / measured) of the base model (no corrector) over the rows of `rows` with a measured time:
// what the fit's choices (parallel units, cache knee, smallest tile) compare. `as_unseen`: the layers as unmeasured
// ones are seen (without the launches their runs recorded).
double squared_log_error(const TimeModel& m, const std::vector<Sample>& samples, const std::vector<int>& rows,
                         bool as_unseen = false);

}  // namespace layer_energy::analysis
