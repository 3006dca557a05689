// How long a case's timed window must be, and whether a window met the energy target (--energy_rel_err). A policy
// object of its own so that a true stopping rule (run until the bound is met) can replace the fixed length later.
#pragma once

namespace layer_energy::bench {

class WindowPolicy {
 public:
  // energy: a power source is active. update_period_s: its sensor's refresh period. energy_rel_err: the target
  // (0: none).
  WindowPolicy(bool energy, double update_period_s, double energy_rel_err);

  // The shortest window (seconds) the runner should grow each case's iterations to: the bound of a window is about
  // mean power x update period, so the relative error is ~ period / window; clamped to [0.5, 30] s. Without energy
  // only time's own noise matters and a short window holds it near 1%. 0: no opinion (no target).
  double min_window_s() const;
  // Whether a window whose energy bound was `relative_error` of its energy met the target (always, without one).
  bool met(double relative_error) const;

  static constexpr double kTimeOnlyWindowS = 0.05;

 private:
  bool energy_;
  double update_period_s_;
  double energy_rel_err_;
};

}  // namespace layer_energy::bench
