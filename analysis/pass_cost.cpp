#include "analysis/pass_cost.hpp"

#include <cmath>

namespace layer_energy::analysis {

double pass_time_error(const NetworkPass& net, const PassCost& cost) {
  double t = net.alone_s;
  for (const PassTerms& l : net.layers) t += pass_extra_s(l, cost);
  return (t - net.net_s) / net.net_s;
}

PassCost fit_pass_cost(const std::vector<NetworkPass>& nets, std::size_t left_out) {
  std::vector<const NetworkPass*> usable;
  for (std::size_t i = 0; i < nets.size(); ++i) {
    if (i == left_out) continue;
    const NetworkPass& n = nets[i];
    bool cold = false;
    for (const PassTerms& l : n.layers) cold = cold || l.cold_bytes > 0;
    if (cold && n.net_s > 0 && std::isfinite(n.alone_s)) usable.push_back(&n);
  }
  PassCost best;
  if (usable.empty()) return best;
  // Prices from free (every cold byte hidden) over 1e-14 .. 1e-8 s per byte (100 TB/s .. 100 MB/s), 6% apart.
  constexpr int kSteps = 240;
  double best_loss = HUGE_VAL;
  for (int i = -1; i <= kSteps; ++i) {
    PassCost c;
    c.s_per_cold_byte = i < 0 ? 0 : std::pow(10.0, -14 + 6.0 * i / kSteps);
    double loss = 0;
    for (const NetworkPass* n : usable) {
      const double e = pass_time_error(*n, c);
      loss += e * e;
    }
    if (loss < best_loss) best_loss = loss, best = c;
  }
  best.networks = static_cast<int>(usable.size());
  return best;
}

}  // namespace layer_energy::analysis
