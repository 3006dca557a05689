// Text-level help for Google Benchmark JSON, used by the one reader (reader.hpp): its bare NaN/Infinity tokens,
// and files cut short by an interrupted run.
#pragma once

#include <string>
#include <vector>

namespace layer_energy::result_format {

// Google Benchmark writes non-finite counters as bare NaN / -NaN / Infinity / -Infinity, which is not JSON. Returns
// the text with each such token (outside strings) quoted, e.g. "NaN", so a standard parser accepts it; number()
// in analysis/records.hpp reads those strings back as non-finite values.
std::string quote_nonfinite_tokens(const std::string& text);

// What could be cut out of a damaged file: the "context" object (empty when incomplete) and each complete element
// of the "benchmarks" array before the damage, as text.
struct SalvagedText {
  std::string context;
  std::vector<std::string> entries;
  bool found_benchmarks = false;  // the "benchmarks" key and its '[' were found
  std::size_t stop_offset = 0;    // byte where scanning stopped
};

SalvagedText salvage_benchmarks(const std::string& text);

}  // namespace layer_energy::result_format
