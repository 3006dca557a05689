// libFuzzer target: the result reader (parse, NaN tokens, salvage) and record validation on arbitrary bytes.
// Build: CXX=clang++ cmake -DLAYER_ENERGY_FUZZ=ON ...; run: fuzz_result_reader -max_total_time=60 CORPUS_DIR
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/records.hpp"
#include "reporters/result_format/reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace layer_energy::analysis;
  using layer_energy::result_format::parse_result_text;
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const ResultFile file = parse_result_text(text, "fuzz.json");
    std::vector<std::string> warnings;
    const std::vector<Case> cases = cases_of(file, &warnings);
    const std::vector<Case> merged = merge_cases({cases, cases}, &warnings);
    for (const Case& c : merged) {
      if (!c.energy_J.empty()) static_cast<void>(relative_sd(c.energy_J));
    }
  } catch (const ReadError&) {
    // An unreadable input is a normal outcome.
  }
  return 0;
}
