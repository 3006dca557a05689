// The fitted energy forms and their prediction: the paper's (α·MACs, α(K)·MACs), the affine variant, the
// traffic-and-shape model, the sparse polynomial baseline and the physical model (static power × t̂ + dynamic terms).
// Linear forms are fitted on relative error (weights 1/E²).
#pragma once

#include <array>
#include <string>
#include <vector>

#include "analysis/features.hpp"
#include "analysis/laws.hpp"
#include "analysis/energy_model.hpp"
#include "analysis/poly_baseline.hpp"

namespace layer_energy::analysis {

enum class ModelKind { paper, affine, traffic, poly, physical };
const char* model_name(ModelKind kind);
bool parse_model_kind(const std::string& name, ModelKind* kind);
const std::vector<ModelKind>& model_kinds();

struct FittedModel {
  ModelKind kind = ModelKind::paper;
  // paper: E = α(K)·MACs with this law (fc: constant). better: the shape term α̂(K).
  LawFit law;
  // affine: E = c0 + c1·MACs. traffic: E = c0 + c1·α̂(K)·MACs + c2·bytes. All ≥ 0.
  std::array<double, 3> coef{};
  PolyModel poly;
  PhysicalEnergy physical;
};

// `est`: the time model's estimate for the layer (used by the physical form only).
double predict(const FittedModel& model, const Sample& s, const TimeEstimate& est);
// The same with the kernel features given (a held-out row as an unmeasured layer: unseen_features(s)).
double predict(const FittedModel& model, const Sample& s, const KernelFeatures& k, const TimeEstimate& est);

FittedModel fit_affine(const std::vector<Sample>& samples, const std::vector<int>& rows);
// `shape`: the α(K) law fitted on the same rows.
FittedModel fit_traffic(const std::vector<Sample>& samples, const std::vector<int>& rows, const LawFit& shape);

}  // namespace layer_energy::analysis
