// The bytes of a layer call that come from DRAM, shared by the time model and the physical energy model.
#pragma once

#include <algorithm>

namespace layer_energy::analysis {

// Called in a loop (as benchmarks and networks call layers), a working set that fits the last-level cache stays
// there; one larger than the cache evicts itself before it is reused (LRU thrashing), so nearly all of it misses, not
// only the excess over the capacity. A smooth step, bytes * x^4 / (1 + x^4) with x = bytes / cache, models that
// transition (real replacement policies are not exact LRU, and other data shares the cache). Models written before
// it used the hinge max(0, bytes - cache) and keep it (`hinge`).
//
// `working_set`: the bytes touched between two calls of the layer. A benchmark loop touches only the layer's own
// (the default); a network pass touches every layer's, so a layer inside a network whose working set exceeds the
// cache finds none of its data there, however small the layer.
struct DramKnee {
  double cache_bytes = 0;  // 0: no knee, no DRAM term
  bool hinge = false;
  double dram_bytes(double bytes, double working_set = 0) const {
    if (!(cache_bytes > 0)) return 0;
    const double touched = std::max(bytes, working_set);
    if (hinge) return touched > bytes ? (touched > cache_bytes ? bytes : 0.0) : std::max(0.0, bytes - cache_bytes);
    const double x = touched / cache_bytes, x4 = (x * x) * (x * x);
    return bytes * x4 / (1 + x4);
  }
};

}  // namespace layer_energy::analysis
