// energy_fit's work without the command line: read and merge files, validate, build samples (kernel features from
// the hardware facts of the context), fit each layer type, check networks, assemble the model file's content.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/fitter.hpp"
#include "analysis/hardware.hpp"
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
  bool train_on_networks = false;  // also train on Net/ layers' runs (then the network check is not held out)
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
  double measured_J = 0, predicted_J = 0;  // NaN energy in a time-only model
  double predicted_lo_J = 0, predicted_hi_J = 0;
  double measured_s = 0, predicted_s = 0;
  // The sum of the network's layers as this run measured them one by one (NaN unless every layer was): the model's
  // own target. Net/ against it is what running the layers back to back changes (launch overlap, caches) plus the
  // Net/ case's own noise.
  double layers_measured_J = 0, layers_measured_s = 0;
  // The standard error of measured_J over the Net/ case's repetitions, relative (NaN with fewer than two): an error
  // within about twice it is the measurement's own noise, not the model's.
  double measured_rel_se = 0;
  std::size_t layers = 0;
  bool held_out = true;  // the network's own layers were not training data
  int pass_networks = 0;  // the other networks' Net/ cases its pass cost was calibrated on (0: the loop fit's)
};

struct FitOutcome {
  std::vector<std::string> warnings;
  std::map<std::string, std::string> context;  // of the first readable file
  Hardware hardware;
  std::vector<Case> cases;
  TypeData conv, fc;
  std::vector<NetCheck> net_checks;  // Net/<name> cases predicted from their layers
  double median_noise = 0;           // median relative sd over repetitions (cases with ≥ 2)
  std::size_t network_layers_held_out = 0;
  PassCost pass;  // calibrated on every Net/ case (the model's); uncalibrated without one
  EnergyModel model;
};

// Throws FitError naming file, case and field when nothing usable remains.
FitOutcome run_fit(const FitRequest& request);

}  // namespace layer_energy::analysis
