// --list_power: one line per usable rail on stdout, unusable sources with their reason on stderr.
#pragma once

#include <iosfwd>
#include <string>

#include "power/registry.hpp"

namespace layer_energy::power {

// spec: the --power value. auto lists every source this machine could have (jetson, nvml, rapl); a named source
// lists only it. Returns the exit code: 0, or 1 when a named source cannot be used.
int list_power(const std::string& spec, const SourceOptions& options, std::ostream& out, std::ostream& err);

// "source rail unit kind update_period_s default_total" for one rail (no newline).
std::string power_line(const PowerSource& source, const Rail& rail, double update_period_s);

}  // namespace layer_energy::power
