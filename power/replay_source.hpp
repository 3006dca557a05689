// Replays a recorded trace as if it were a live sensor: the trace's first sample maps to the first poll, it plays in
// real time and starts over when it ends (so a short constant trace powers a sweep of any length).
#pragma once

#include <memory>
#include <string>

#include "power/source.hpp"
#include "power/trace.hpp"

namespace layer_energy::power {

std::unique_ptr<PowerSource> make_replay_source(const std::string& path);
std::unique_ptr<PowerSource> make_replay_source(Trace trace, std::string origin);

}  // namespace layer_energy::power
