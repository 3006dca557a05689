// The hardware facts the time model needs, read from a result file's context: parallel units (SMs or CPU threads),
// clock, on-chip cache size, SIMD width, idle power. Missing facts stay 0 (or NaN) and are listed in `notes`; the
// time model then fits or drops the terms that need them.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace layer_energy::analysis {

struct Hardware {
  std::string backend;     // "cuda", "cpu", or "" (another harness's data)
  double units = 0;        // SMs (GPU) or threads (CPU); 0 = unknown
  double clock_MHz = 0;    // nominal clock; 0 = unknown
  double cache_bytes = 0;  // last on-chip cache (GPU L2, CPU L3); 0 = unknown
  double simd_lanes = 0;   // fp32 lanes per CPU core; 0 = unknown (GPU: unused)
  double idle_W = 0;       // idle power before the cases; 0 = not measured
  // The power limit the cases whose clock fell sat at (power_cap.hpp; learned by energy_fit, not in the context);
  // 0 = none seen. Predicted times are no shorter than energy over it.
  double power_cap_W = 0;
  int power_cap_cases = 0;
  std::vector<std::string> notes;  // which facts were missing or taken from the built-in table
};

Hardware hardware_from_context(const std::map<std::string, std::string>& context);

}  // namespace layer_energy::analysis
