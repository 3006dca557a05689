// What a trace reader returns must be usable by the window integration: one series per rail, as many times as
// values, times finite and never going back. Aborts (a fuzzer finding) otherwise.
#pragma once

#include <cmath>
#include <cstdlib>

#include "power/trace.hpp"

namespace layer_energy::fuzz {

inline void check_usable(const power::Trace& trace) {
  if (trace.series.size() != trace.rails.size()) std::abort();
  for (const auto& series : trace.series) {
    if (series.t.size() != series.v.size()) std::abort();
    for (std::size_t i = 0; i < series.t.size(); ++i) {
      if (!std::isfinite(series.t[i]) || (i > 0 && series.t[i] < series.t[i - 1])) std::abort();
    }
  }
}

}  // namespace layer_energy::fuzz
