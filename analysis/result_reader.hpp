// Reads one layer_bench (Google Benchmark) JSON result file: context and raw benchmark entries. A file cut short by
// an interrupted run is salvaged: the complete entries before the cut are kept and a warning names the file.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace layer_energy::analysis {

struct ResultFile {
  std::string path;
  std::map<std::string, std::string> context;  // values as text (numbers dumped)
  std::vector<nlohmann::json> entries;         // the objects of "benchmarks", in file order
  bool salvaged = false;                       // damaged file: entries are those complete before the damage
  std::vector<std::string> warnings;           // "PATH: ..." lines for stderr
};

// Thrown when nothing can be read from a file (missing, empty, not a result file); what() starts with the path.
class ReadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

ResultFile read_result_file(const std::string& path);
// The same on text already in memory (`path` only names it in messages); used by the fuzz target.
ResultFile parse_result_text(const std::string& text, const std::string& path);

}  // namespace layer_energy::analysis
