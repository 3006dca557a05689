// One poll of a power source, its readings and failures returned together (for the source tests).
#pragma once

#include <vector>

#include "power/source.hpp"

namespace layer_energy::test {

struct Poll {
  std::vector<power::Reading> readings;
  std::vector<power::ReadFailure> failures;
};

inline Poll poll(power::PowerSource& source, bool include_edge_only = false) {
  Poll p;
  source.poll(include_edge_only, p.readings, p.failures);
  return p;
}

}  // namespace layer_energy::test
