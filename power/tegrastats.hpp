// Import of a tegrastats log (`tegrastats --logfile FILE` or its captured standard output) as a power trace, so a
// Jetson run recorded with NVIDIA's own tool can be replayed (`--power=replay:FILE`) like a `--power_trace_out` CSV.
//
// Line forms (jetson-sysfs.md, "tegrastats power format"; facts.md for JetPack 7):
//   L4T R32:   RAM 2185/3956MB ... POM_5V_IN 1236/1236 POM_5V_GPU 0/0 POM_5V_CPU 158/158
//   L4T R35+:  11-26-2026 11:40:58 RAM 2532/7620MB ... VDD_GPU_SOC 3205mW/3205mW VDD_CPU_CV 802mW/802mW
//   L4T R39:   ... VDD_IN 4548mW/4548mW/4548mW (instant/average/peak)
// A rail is a NAME token (upper-case letters, digits and underscores, with at least one letter, not one of tegrastats'
// own non-rail fields such as RAM, SWAP, EMC_FREQ, GR3D_FREQ, and not `NC`, a not-connected channel) followed by
// `<instant>/<average>` or `<instant>/<average>/<peak>` in mW, either as bare integers (R32) or with `mW` units
// (R35+). The instant value becomes the rail's reading in W (small negative values, a sensor's offset, included);
// average and peak are ignored. Every other token is ignored. "CPU" and "GPU" are rails when followed by such a value:
// the AGX Xavier's rails are named CPU, GPU, SOC, CV, VDDRQ, SYS5V on L4T R32, while the CPU load field `CPU [..]` is
// not.
#pragma once

#include <string>

#include "power/trace.hpp"

namespace layer_energy::power {

// How the import placed the lines in time, for the replay's context and the user.
struct TegrastatsInfo {
  // "timestamps": from each line's leading `MM-DD-YYYY HH:MM:SS` (lines sharing a second are spaced evenly within it);
  // "interval": line index x interval_s (the log has no timestamps).
  std::string timing;
  double interval_s = 0.0;  // the interval used in "interval" timing (1.0 when the caller gave 0); 0 otherwise
  std::size_t lines = 0;    // lines that carried power rails
  std::size_t skipped = 0;  // non-empty lines without rails (e.g. a truncated last line), skipped
  std::string note;         // one line describing the above ("timing from timestamps (1 s resolution) ...")
};

// Reads a tegrastats log into the same Trace that read_trace_csv returns: one power rail (W, resolution 1 mW) per rail
// name in order of first appearance, t_s starting at 0 for the first line with rails, default_total chosen by
// choose_default_total (the whole-module input rail where one exists, else every rail).
//
// Timing: lines that start with a timestamp take t from it. Its resolution is one second, so consecutive lines that
// share a second are spaced evenly within that second (two lines at 11:40:58 with --interval 500 become 58.0 and 58.5).
// Lines without a timestamp are taken to be interval_s apart (tegrastats --interval, in seconds): line k (counting
// every non-empty line, with or without rails) is at k x interval_s. interval_s = 0 means tegrastats' default, 1 s;
// TegrastatsInfo says which timing was used.
//
// Lines without rails (a `date` or banner line, a truncated last line) are skipped and counted in
// TegrastatsInfo::skipped. Throws std::runtime_error "FILE: no power rails found (is this a tegrastats log?)" when no
// line has rails, "FILE: cannot open ..." when unreadable, and "FILE:LINE: what" for a timestamp going backwards or a
// line without a timestamp in a log whose lines have them. A log of one line reads fine (one sample per rail); its
// update period is unknown, which the replay source reports (it refuses such a trace).
Trace read_tegrastats(const std::string& path, double interval_s = 0, TegrastatsInfo* info = nullptr);

// True when a line of the file looks like a tegrastats line (contains "RAM " and "/", or carries a rail value) before
// any line looks like a power trace CSV's header ("t_s,"); lines that are neither (a `date` or banner line at the top)
// are passed over. False when the file cannot be read. Used to route `replay:FILE` to the right reader.
bool looks_like_tegrastats(const std::string& path);

}  // namespace layer_energy::power
