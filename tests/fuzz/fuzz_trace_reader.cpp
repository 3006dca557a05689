// libFuzzer target: the power trace CSV reader (--power=replay:FILE) on arbitrary bytes. A bad file is an exception
// with a message; anything else (a crash, a hang, a sanitizer report, an unusable trace) is a bug.
#include <exception>

#include "fuzz_input_file.hpp"
#include "power/trace.hpp"
#include "trace_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace layer_energy;
  try {
    const power::Trace trace = power::read_trace_csv(fuzz::write_input(data, size));
    fuzz::check_usable(trace);
    static_cast<void>(power::median_interval_s(trace));
  } catch (const std::exception&) {
    // A malformed trace is refused with a reason: a normal outcome.
  }
  return 0;
}
