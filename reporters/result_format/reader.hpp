// The one reader of layer_bench (Google Benchmark) JSON result files, for resume and analysis alike: context and raw
// benchmark entries. A file cut short by an interrupted run is salvaged: the complete entries before the first damage
// are kept and a warning names the file.
#pragma once

#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace layer_energy::result_format {

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

// Names of the cases that finished with a measurement, by the same reading and salvage: what --resume does not run
// again. Finished: every repetition the entries announce is there (or their mean, for a file written with
// --benchmark_report_aggregates_only), none skipped (entry_status.hpp), and each has energy_J unless the run had no
// power source (context power_source "none"): a case measured while the sensor was out is measured again.
// Throws ReadError as read_result_file.
std::set<std::string> finished_cases(const std::string& path);

}  // namespace layer_energy::result_format
