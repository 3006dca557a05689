#include "analysis/report.hpp"

#include <fmt/format.h>

namespace layer_energy::analysis {
namespace {

std::string law_text(const LawFit& l) {
  switch (l.law) {
    case Law::constant:
      return fmt::format("α = {:.4g} J/MAC", l.a);
    case Law::power:
      return fmt::format("α(K) = {:.4g}·K^−{:.4g}", l.a, l.b);
    case Law::inverse:
      return fmt::format("α(K) = {:.4g} + {:.4g}/K", l.a, l.b);
    case Law::tile:
      return fmt::format("α(K) = {:.4g}·{:g}·⌈K/{:g}⌉/K", l.a, l.w, l.w);
  }
  return "";
}

std::string model_text(const FittedModel& m) {
  switch (m.kind) {
    case ModelKind::paper:
      return "E = α(K)·MACs, " + law_text(m.law);
    case ModelKind::affine:
      return fmt::format("E = {:.4g} J + {:.4g} J/MAC·MACs", m.coef[0], m.coef[1]);
    case ModelKind::better:
      return fmt::format("E = {:.4g} J + {:.4g}·α̂(K)·MACs + {:.4g} J/B·bytes, α̂: {}", m.coef[0], m.coef[1], m.coef[2],
                         law_text(m.law));
    case ModelKind::poly:
      return fmt::format("log E = sparse degree-{} polynomial of log geometry: {} of {} terms (λ = {:.3g})",
                         m.poly.degree, m.poly.terms.size(), m.poly.candidates, m.poly.lambda);
  }
  return "";
}

const char* description(const std::string& name) {
  if (name == "paper") return "paper's form (conv: chosen α(K) law)";
  if (name == "affine") return "affine: c0 + α·MACs";
  if (name == "better") return "traffic and shape: c0 + c1·α̂(K)·MACs + c2·bytes";
  if (name == "poly") return "NeuralPower-style sparse polynomial (Lasso)";
  if (name.rfind("law:", 0) == 0) return "paper's form with this α law";
  return "";
}

void type_section(std::string* out, const char* title, const TypeData& data) {
  *out += fmt::format("\n## {}\n\n", title);
  if (!data.fitted) {
    *out += "No data of this type: not fitted.\n";
    return;
  }
  const TypeFit& fit = data.fit;
  *out += fmt::format("{} cases in {} configurations; {}.\n\n", fit.cases, fit.groups,
                      fit.folds >= 2 ? fmt::format("grouped {}-fold cross-validation", fit.folds)
                                     : std::string("too few configurations for cross-validation"));
  if (fit.folds >= 2) {
    *out += "Held-out error (each configuration predicted by a model that never saw it):\n\n";
    *out += "| model | description | MAPE % | median APE % | max APE % | R² |\n|---|---|---:|---:|---:|---:|\n";
    for (const auto& kv : fit.cv) {
      const Metrics& m = kv.second;
      const bool chosen = kv.first == fit.chosen;
      *out += fmt::format("| {}{}{} | {} | {:.2f} | {:.2f} | {:.2f} | {:.4f} |\n", chosen ? "**" : "", kv.first,
                          chosen ? "** (chosen)" : "", description(kv.first), m.mape, m.median_ape, m.max_ape, m.r2);
    }
  }
  if (fit.type == layers::LayerType::conv) {
    *out +=
        fmt::format("\nα(K) laws fitted on all data (chosen by held-out error: **{}**):\n\n", law_name(fit.chosen_law));
    for (const LawFit& l : fit.laws)
      *out += fmt::format("- {} `{}`: {} (relative SSE {:.4g})\n", law_name(l.law), law_formula(l.law), law_text(l),
                          l.loss);
    *out += "\nFree slope per K (the paper's one α per kernel count):\n\n| K | cases | α (J/MAC) |\n|---:|---:|---:|\n";
    for (const KStat& s : fit.per_k) *out += fmt::format("| {:g} | {:g} | {:.4g} |\n", s.k, s.n, s.slope());
  }
  *out += "\nFitted on all data:\n\n";
  for (const auto& kv : fit.models) *out += fmt::format("- {}: {}\n", kv.first, model_text(kv.second));
}

}  // namespace

std::string markdown_report(const FitOutcome& outcome, const FitRequest& request) {
  std::string out = "# Layer energy fit\n\n";
  const EnergyModel& m = outcome.model;
  out += fmt::format("- board: {}\n- power source: {}\n- target: {} energy per layer call\n- precision: {}\n",
                     m.board.empty() ? "(not recorded)" : m.board,
                     m.power_source.empty() ? "(not recorded)" : m.power_source, m.target, m.precision);
  out += "- input:";
  for (const std::string& f : request.files) out += " `" + f + "`";
  out += fmt::format("\n- cases read: {}; fitted: {} conv, {} FC\n", outcome.cases.size(), outcome.conv.samples.size(),
                     outcome.fc.samples.size());
  if (outcome.median_noise > 0)
    out += fmt::format("- measurement noise: median relative sd over repetitions {:.2f}% (no model can beat it)\n",
                       100 * outcome.median_noise);
  out +=
      "\nAPE = |predicted − measured| / measured. Fits minimise relative squared error; the model with the lowest "
      "held-out MAPE per type is the one energy_predict uses.\n";
  type_section(&out, "Convolution", outcome.conv);
  type_section(&out, "Fully connected", outcome.fc);
  if (!outcome.net_checks.empty()) {
    out +=
        "\n## Whole networks (not training data)\n\n| case | layers | measured J | predicted J (sum of layers) | "
        "error % |\n|---|---:|---:|---:|---:|\n";
    for (const NetCheck& n : outcome.net_checks)
      out += fmt::format("| {} | {} | {:.4g} | {:.4g} | {:+.1f} |\n", n.name, n.layers, n.measured_J, n.predicted_J,
                         100 * (n.predicted_J - n.measured_J) / n.measured_J);
  }
  if (!outcome.warnings.empty()) {
    out += fmt::format("\n## Warnings ({})\n\n", outcome.warnings.size());
    std::size_t shown = 0;
    for (const std::string& w : outcome.warnings) {
      if (shown++ == 50) {
        out += fmt::format("- ... and {} more\n", outcome.warnings.size() - 50);
        break;
      }
      out += "- " + w + "\n";
    }
  }
  return out;
}

}  // namespace layer_energy::analysis
