// libFuzzer target: the tegrastats log reader (every L4T generation's line format) on arbitrary bytes.
#include <exception>

#include "fuzz_input_file.hpp"
#include "power/tegrastats.hpp"
#include "trace_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace layer_energy;
  const std::string& path = fuzz::write_input(data, size);
  try {
    static_cast<void>(power::looks_like_tegrastats(path));
    power::TegrastatsInfo info;
    const power::Trace trace = power::read_tegrastats(path, 0, &info);
    fuzz::check_usable(trace);
  } catch (const std::exception&) {
    // Not a readable log: refused with a reason.
  }
  return 0;
}
