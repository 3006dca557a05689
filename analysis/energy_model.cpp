#include "analysis/energy_model.hpp"

#include <algorithm>
#include <cmath>

#include "analysis/nnls.hpp"
#include "analysis/row_sample.hpp"

namespace layer_energy::analysis {
namespace {

constexpr int kColumns = 7;

void columns(const KernelFeatures& f, const TimeEstimate& est, const DramKnee& knee, double* x) {
  x[0] = est.t;
  x[1] = f.macs;
  x[2] = est.kernel.macs_exec;
  x[3] = est.kernel.operand_bytes;
  x[4] = f.bytes;
  x[5] = knee.dram_bytes(f.bytes, f.working_set);
  x[6] = est.kernel.launches;
}

}  // namespace

double PhysicalEnergy::raw(const KernelFeatures& f, const TimeEstimate& est) const {
  double x[kColumns];
  columns(f, est, dram, x);
  return p_static * x[0] + e_mac * x[1] + e_mac_exec * x[2] + e_operand * x[3] + e_byte * x[4] + e_dram * x[5] +
         e_launch * x[6];
}

double PhysicalEnergy::predict(const KernelFeatures& f, const TreeInput& x, const TimeEstimate& est) const {
  const double e = raw(f, est);
  return corrector.empty() ? e : e * std::exp(corrector.predict(x));
}

std::vector<TimeEstimate> time_estimates(const std::vector<Sample>& samples, const std::vector<int>& rows,
                                         const TimeModel& time) {
  std::vector<TimeEstimate> out(samples.size());
  for (const int r : rows) {
    const Sample& s = samples[static_cast<std::size_t>(r)];
    out[static_cast<std::size_t>(r)] = time.fitted ? time.estimate(s.k, s.tx) : TimeEstimate{0, s.k.heuristic};
  }
  return out;
}

PhysicalEnergy fit_physical_energy(const std::vector<Sample>& samples, const std::vector<int>& rows,
                                   const TimeModel& time, int corrector_rounds) {
  return fit_physical_energy(samples, rows, time_estimates(samples, rows, time), time.dram, corrector_rounds);
}

PhysicalEnergy fit_physical_energy(const std::vector<Sample>& samples, const std::vector<int>& rows,
                                   const std::vector<TimeEstimate>& estimates, const DramKnee& dram,
                                   int corrector_rounds) {
  PhysicalEnergy m;
  m.dram = dram;
  std::vector<int> used;
  RelativeNnls nnls(kColumns);
  double x[kColumns];
  for (const int r : rows) {
    const Sample& s = samples[static_cast<std::size_t>(r)];
    if (!(s.energy > 0)) continue;
    TimeEstimate est = estimates[static_cast<std::size_t>(r)];
    if (s.time > 0) est.t = s.time;  // power parameters against the measured time
    columns(s.k, est, m.dram, x);
    nnls.add(x, s.energy);
    used.push_back(r);
  }
  if (used.empty()) return m;
  const Eigen::VectorXd c = nnls.solve();
  m.p_static = c[0], m.e_mac = c[1], m.e_mac_exec = c[2], m.e_operand = c[3], m.e_byte = c[4], m.e_dram = c[5];
  m.e_launch = c[6];
  m.fitted = true;
  if (corrector_rounds > 0) {
    // The corrector learns what the power terms miss, given the time model's own estimate of t.
    // Only the trained rows, packed (the trees index their inputs by position): no arrays the size of the run.
    std::vector<TreeInput> inputs;
    std::vector<double> y;
    std::vector<int> ok;
    for (const int r : row_sample(used)) {
      const Sample& s = samples[static_cast<std::size_t>(r)];
      const double e = m.raw(s.k, estimates[static_cast<std::size_t>(r)]);
      if (!(e > 0)) continue;
      ok.push_back(static_cast<int>(inputs.size()));
      inputs.push_back(s.tx);
      y.push_back(std::log(s.energy / e));
    }
    TreeOptions to;
    to.rounds = corrector_rounds;
    to.min_leaf = std::max(3, static_cast<int>(ok.size() / 200));
    m.corrector = fit_boosted_trees(inputs, y, ok, to);
  }
  return m;
}

}  // namespace layer_energy::analysis
