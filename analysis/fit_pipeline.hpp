// energy_fit's work without the command line: read and merge files, validate, build samples, fit each layer type,
// assemble the model file's content.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/fitter.hpp"
#include "analysis/model_json.hpp"
#include "analysis/records.hpp"

namespace layer_energy::analysis {

// Nothing usable remains, or the data cannot serve the request (--target dynamic without energy_dynamic_J).
class FitError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct FitRequest {
  std::vector<std::string> files;
  std::string target = "total";  // total | dynamic
  FitOptions options;
};

struct TypeData {
  std::vector<Sample> samples;
  std::vector<const Case*> cases;  // the case behind each sample
  bool fitted = false;
  TypeFit fit;
};

struct NetCheck {
  std::string name;
  double measured_J = 0, predicted_J = 0;
  std::size_t layers = 0;
};

struct FitOutcome {
  std::vector<std::string> warnings;
  std::map<std::string, std::string> context;  // of the first readable file
  std::vector<Case> cases;
  TypeData conv, fc;
  std::vector<NetCheck> net_checks;  // Net/<name> cases predicted from their layers
  double median_noise = 0;           // median relative sd over repetitions (cases with ≥ 2)
  EnergyModel model;
};

// Throws FitError naming file, case and field when nothing usable remains.
FitOutcome run_fit(const FitRequest& request);

}  // namespace layer_energy::analysis
