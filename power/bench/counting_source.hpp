// power_bench's wrapper that counts a source's polls while forwarding everything else unchanged, so the sampler
// treats the wrapped source exactly as the source itself (its traits decide e.g. whether an update period is timed).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "power/source.hpp"

namespace layer_energy::power {

// The sampler serialises polls, and its stop() joins before polls() is read.
class CountingSource final : public PowerSource {
 public:
  explicit CountingSource(PowerSource& inner) : inner_(inner) {}
  std::string name() const override { return inner_.name(); }
  SourceTraits traits() const override { return inner_.traits(); }
  std::string unusable_reason() const override { return inner_.unusable_reason(); }
  const std::vector<Rail>& rails() const override { return inner_.rails(); }
  double update_period_s() const override { return inner_.update_period_s(); }
  std::string board() const override { return inner_.board(); }
  std::map<std::string, std::string> context() const override { return inner_.context(); }
  void poll(bool include_edge_only, std::vector<Reading>& out, std::vector<ReadFailure>& failures) override {
    ++polls_;
    inner_.poll(include_edge_only, out, failures);
  }
  std::size_t polls() const { return polls_; }

 private:
  PowerSource& inner_;
  std::size_t polls_ = 0;
};

}  // namespace layer_energy::power
