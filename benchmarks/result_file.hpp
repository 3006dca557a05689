// Reading and amending layer_bench's own JSON result files (resume, context added after the run).
#pragma once

#include <map>
#include <set>
#include <string>

namespace layer_energy::bench {

// Names of the cases that finished with a measurement in a Google Benchmark JSON file. A file cut short by an
// interrupted run is salvaged: the entries before the cut count. Throws std::runtime_error naming the file when it
// cannot be read or holds no benchmark list at all.
std::set<std::string> finished_cases(const std::string& path);

// Adds string values to the file's "context" object (e.g. idle drift measured after the last case), in place.
void add_to_context(const std::string& path, const std::map<std::string, std::string>& values);

}  // namespace layer_energy::bench
