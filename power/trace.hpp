// Power traces in the contract's CSV form `t_s,rail,value,unit` (unit W: power reading; J: cumulative counter).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "power/source.hpp"
#include "power/window.hpp"

namespace layer_energy::power {

struct Trace {
  std::vector<Rail> rails;     // in order of first appearance
  std::vector<Series> series;  // index = rail index
};

// Reads a trace file; '#' lines are comments. Throws std::runtime_error("FILE:LINE: what is wrong") on a bad line, an unknown unit, a rail
// whose unit changes, or time going backwards within a rail.
Trace read_trace_csv(const std::string& path);

// Header row, preceded by a comment naming the default-total rails (readers of the plain format skip it).
void write_trace_header(std::ostream& out, const std::vector<Rail>& rails);
void write_trace_row(std::ostream& out, const Reading& reading, const Rail& rail);

// Median interval between successive samples over all rails (the trace's update period); 0 with < 2 samples.
double median_interval_s(const Trace& trace);

}  // namespace layer_energy::power
