#include "analysis/report.hpp"

#include <fmt/format.h>

#include <cmath>

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
    case ModelKind::traffic:
      return fmt::format("E = {:.4g} J + {:.4g}·α̂(K)·MACs + {:.4g} J/B·bytes, α̂: {}", m.coef[0], m.coef[1], m.coef[2],
                         law_text(m.law));
    case ModelKind::poly:
      return fmt::format("log E = sparse degree-{} polynomial of log geometry: {} of {} terms (λ = {:.3g}), smearing ×{:.4f}",
                         m.poly.degree, m.poly.terms.size(), m.poly.candidates, m.poly.lambda, m.poly.smearing);
    case ModelKind::physical: {
      const PhysicalEnergy& p = m.physical;
      return fmt::format("E = {:.1f} W·t̂ + {:.3g} pJ/MAC·MACs + {:.3g} pJ/MAC·MACs_exec + {:.3g} pJ/B·operand bytes + {:.3g} pJ/B·bytes + {:.3g} "
                         "pJ/B·DRAM bytes + {:.3g} µJ/launch{}",
                         p.p_static, p.e_mac * 1e12, p.e_mac_exec * 1e12, p.e_operand * 1e12, p.e_byte * 1e12, p.e_dram * 1e12, p.e_launch * 1e6,
                         p.corrector.empty() ? "" : fmt::format(", × tree corrector ({} trees)", p.corrector.roots.size()));
    }
  }
  return "";
}

const char* description(const std::string& name) {
  if (name == "paper") return "paper's form (conv: chosen α(K) law)";
  if (name == "affine") return "affine: c0 + α·MACs";
  if (name == "traffic") return "traffic and shape: c0 + c1·α̂(K)·MACs + c2·bytes";
  if (name == "poly") return "NeuralPower-style sparse polynomial (Lasso), degree by CV";
  if (name == "physical") return "P_static·t̂ + dynamic terms";
  if (name == "physical+trees") return "physical, with a residual corrector";
  if (name == "roofline") return "launches + softmax(compute after tiles/waves, memory)";
  if (name == "roofline+trees") return "roofline, with a residual corrector";
  return "";
}

std::string pct(double v) {
  return std::isfinite(v) ? fmt::format("{:.2f}", v) : "-";
}

std::string metrics_row(const std::string& name, const Metrics& m, bool chosen) {
  return fmt::format("| {}{}{} | {} | {} | {} | {} | {} | {:.4f} |\n", chosen ? "**" : "", name, chosen ? "** (chosen)" : "",
                     description(name), pct(m.mape), pct(m.median_ape), pct(m.max_ape), pct(m.wmape), m.r2);
}

const char* const kTableHead =
    "| model | description | MAPE % | median APE % | max APE % | wMAPE % | R² |\n|---|---|---:|---:|---:|---:|---:|\n";

void time_text(std::string* out, const TypeFit& fit) {
  const TimeModel& t = fit.time;
  *out += fmt::format("\nTime model (`{}`, on all data): {:g} parallel units, soft-max exponent p = {:g}, DRAM knee {}{}:\n\n",
                      fit.time_chosen, t.units, t.p,
                      t.dram.cache_bytes > 0 ? fmt::format("{:.3g} MiB ({})", t.dram.cache_bytes / 1048576,
                                                           t.dram.hinge ? "hinge" : "smooth thrashing step")
                                        : std::string("none"),
                      t.tiles.min_tile_area > 0 ? fmt::format(", candidate tiles of at least {:g} outputs (smaller ones "
                                                        "dropped by held-out time)", t.tiles.min_tile_area)
                      : t.tiles.cpu_micro_rows > 0 ? fmt::format(", CPU blocks shrunk to the rows there are in micro-kernels "
                                                           "of {:g} rows", t.tiles.cpu_micro_rows)
                                             : std::string());
  const auto line = [&](const char* cls, const ClassTime& c) {
    *out += fmt::format("- {} ({} cases): {:.3g} µs per launch, {:.3g} µs per wave, {:.3g} ns per wave step, {:.4g} GMAC/s per "
                        "unit, {:.4g} GB/s on chip{}\n", cls, c.cases, c.launch * 1e6, c.wave * 1e6, c.step * 1e9,
                        c.mac > 0 ? 1e-9 / c.mac : 0.0, c.byte > 0 ? 1e-9 / c.byte : 0.0,
                        c.dram > 0 ? fmt::format(", +{:.4g} ns/KB beyond the knee", c.dram * 1e12) : std::string());
  };
  line("pooled", t.pooled);
  for (int c = 0; c < kLayerClasses; ++c)
    if (t.cls[static_cast<std::size_t>(c)].fitted) line(class_name(static_cast<LayerClass>(c)), t.cls[static_cast<std::size_t>(c)]);
}

void type_section(std::string* out, const char* title, const TypeData& data, double level) {
  *out += fmt::format("\n## {}\n\n", title);
  if (!data.fitted) {
    *out += "No data of this type: not fitted.\n";
    return;
  }
  const TypeFit& fit = data.fit;
  *out += fmt::format("{} cases in {} configurations ({} timed, {} with energy); {}.\n", fit.cases, fit.groups, fit.timed,
                      fit.with_energy,
                      fit.folds >= 2 ? fmt::format("grouped {}-fold cross-validation{}", fit.folds,
                                                   fit.nested_available ? ", nested" : " (too few folds to nest)")
                                     : std::string("too few configurations for cross-validation"));
  if (fit.folds >= 2) {
    *out += "\n**Held out, choice of form included (nested CV):**";
    if (fit.has_energy) {
      const Metrics& m = fit.nested.metrics;
      *out += fmt::format(" energy MAPE {}% (median {}%, max {}%, wMAPE {}%, R² {:.4f})", pct(m.mape), pct(m.median_ape),
                          pct(m.max_ape), pct(m.wmape), m.r2);
      if (m.coverage >= 0) *out += fmt::format("; {:.0f}% intervals cover {:.1f}%", 100 * level, 100 * m.coverage);
      *out += ";";
    }
    if (fit.has_time) {
      const Metrics& m = fit.time_nested.metrics;
      *out += fmt::format(" time MAPE {}% (median {}%, max {}%)", pct(m.mape), pct(m.median_ape), pct(m.max_ape));
    }
    *out += ".\n";
    if (!fit.level_out.empty() || !fit.time_level_out.empty()) {
      *out += "\nLeave-one-level-out (each level range predicted by a model that never saw it: extrapolation):\n\n"
              "| variable | energy MAPE % | energy wMAPE % | time MAPE % |\n|---|---:|---:|---:|\n";
      for (int v = 0; v < 3; ++v) {
        const std::string name = level_name(fit.type, v);
        const auto e = fit.level_out.find(name);
        const auto t = fit.time_level_out.find(name);
        if (e == fit.level_out.end() && t == fit.time_level_out.end()) continue;
        *out += fmt::format("| {} | {} | {} | {} |\n", name, e != fit.level_out.end() ? pct(e->second.mape) : "-",
                            e != fit.level_out.end() ? pct(e->second.wmape) : "-",
                            t != fit.time_level_out.end() ? pct(t->second.mape) : "-");
      }
    }
    if (fit.has_time) {
      *out += fit.power_limited ? "\nTime forms (plain CV, at the nominal clock: before the power limit):\n\n"
                                : "\nTime forms (plain CV):\n\n";
      *out += kTableHead;
      for (const auto& kv : fit.time_cv) *out += metrics_row(kv.first, kv.second, kv.first == fit.time_chosen);
    }
    if (fit.has_energy) {
      *out += "\nEnergy forms (plain CV; the nested figure above is the honest one):\n\n";
      *out += kTableHead;
      for (const auto& kv : fit.cv)
        if (kv.first.find(':') == std::string::npos) *out += metrics_row(kv.first, kv.second, kv.first == fit.chosen);
      std::string choices;
      for (const std::string& c : fit.nested_choices) choices += (choices.empty() ? "" : ", ") + c;
      *out += fmt::format("\nForm chosen by each outer fold's inner CV: {}.\n", choices);
    }
  }
  if (fit.has_time) time_text(out, fit);
  if (fit.has_energy) {
    if (fit.type == layers::LayerType::conv) {
      *out += fmt::format("\nThe paper's α(K) laws (chosen by held-out error: **{}**):", law_name(fit.chosen_law));
      for (const LawFit& l : fit.laws) {
        const auto cv = fit.cv.find(std::string("law:") + law_name(l.law));
        *out += fmt::format(" {} `{}` {}{};", law_name(l.law), law_formula(l.law), law_text(l),
                            cv != fit.cv.end() ? fmt::format(" (MAPE {}%)", pct(cv->second.mape)) : std::string());
      }
      *out += "\n";
    }
    *out += "\nEnergy forms fitted on all data:\n\n";
    for (const auto& kv : fit.models) *out += fmt::format("- {}: {}\n", kv.first, model_text(kv.second));
  }
}

}  // namespace

std::string markdown_report(const FitOutcome& outcome, const FitRequest& request) {
  std::string out = "# Layer energy fit\n\n";
  const EnergyModel& m = outcome.model;
  out += fmt::format("- board: {}\n- power source: {}\n- target: {}\n- precision: {}\n",
                     m.board.empty() ? "(not recorded)" : m.board,
                     m.power_source.empty() ? "(not recorded)" : m.power_source,
                     m.has_energy ? m.target + " energy and time per layer call" : std::string("time only (no energy measured)"),
                     m.precision);
  const Hardware& hw = outcome.hardware;
  out += fmt::format("- hardware: backend {}, {:g} units, clock {:g} MHz, cache {}, idle {}\n",
                     hw.backend.empty() ? "(not recorded)" : hw.backend, hw.units, hw.clock_MHz,
                     hw.cache_bytes > 0 ? fmt::format("{:.3g} MiB", hw.cache_bytes / 1048576) : std::string("unknown"),
                     hw.idle_W > 0 ? fmt::format("{:.1f} W", hw.idle_W) : std::string("not measured"));
  for (const std::string& note : hw.notes) out += "  - " + note + "\n";
  if (hw.power_cap_W > 0)
    out += fmt::format("- power limit {:.4g} W: where the {} cases whose clock fell below nominal sat. They are left out "
                       "of the time fit; a predicted time is no shorter than the predicted energy over {}.\n",
                       hw.power_cap_W, hw.power_cap_cases,
                       m.target == "dynamic" ? "the limit less idle power" : "the limit");
  out += "- input:";
  for (const std::string& f : request.files) out += " `" + f + "`";
  out += fmt::format("\n- cases read: {}; fitted: {} conv, {} FC\n", outcome.cases.size(), outcome.conv.samples.size(),
                     outcome.fc.samples.size());
  if (outcome.network_layers_held_out)
    out += fmt::format("- {} layer case(s) of network runs kept out of training (the network check below is held out)\n",
                       outcome.network_layers_held_out);
  if (outcome.median_noise > 0)
    out += fmt::format("- measurement noise: median relative sd over repetitions {:.2f}% (no model can beat it)\n",
                       100 * outcome.median_noise);
  out +=
      "\nAPE = |predicted − measured| / measured; wMAPE = Σ|error| / Σ measured (the error of a sum of layers). "
      "Configurations are never in the training and test part of one fold.\n";
  type_section(&out, "Convolution", outcome.conv, request.options.interval_level);
  type_section(&out, "Fully connected", outcome.fc, request.options.interval_level);
  if (!outcome.net_checks.empty()) {
    const bool held = outcome.net_checks.front().held_out;
    out += fmt::format(
        "\n## Whole networks ({})\n\nEach layer is predicted inside one pass over the network (every other layer's data "
        "evicts its own between its calls), as `Net/` runs them.\n\n| case | layers | measured J | predicted J | interval J | "
        "error % | measured ± % (s.e.) | measured ms | predicted ms | its layers alone, measured ms | Net/ over them % |\n"
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|\n",
        held ? "held out: no layer of a network run was training data" : "NOT held out: --train-on-networks");
    bool any_layer_sum = false;
    for (const NetCheck& n : outcome.net_checks) {
      const bool layer_sum = std::isfinite(n.layers_measured_s) && n.layers_measured_s > 0;
      any_layer_sum = any_layer_sum || layer_sum;
      out += fmt::format("| {} | {} | {:.4g} | {:.4g} | {} | {:+.1f} | {} | {:.4g} | {:.4g} | {} | {} |\n", n.name,
                         n.layers, n.measured_J, n.predicted_J,
                         std::isfinite(n.predicted_lo_J) ? fmt::format("{:.4g} – {:.4g}", n.predicted_lo_J, n.predicted_hi_J) : "-",
                         100 * (n.predicted_J - n.measured_J) / n.measured_J,
                         std::isfinite(n.measured_rel_se) ? fmt::format("{:.1f}", 100 * n.measured_rel_se) : "-",
                         n.measured_s * 1e3, n.predicted_s * 1e3,
                         layer_sum ? fmt::format("{:.4g}", n.layers_measured_s * 1e3) : "-",
                         layer_sum ? fmt::format("{:+.1f}", 100 * (n.measured_s - n.layers_measured_s) / n.layers_measured_s) : "-");
    }
    out += "\n\"Measured ±\": the standard error of the `Net/` case's mean energy over its repetitions; an error within "
           "about twice it is the measurement's own noise, not the model's.\n";
    if (any_layer_sum)
      out += "\n\"Its layers alone\": the sum of the network's layers as this run measured them one by one, each in a loop "
             "that keeps its data cached. `Net/` over that sum is what running them in one pass costs (DRAM traffic, "
             "launches), plus the `Net/` case's own noise.\n";
    int calibrated = 0;
    for (const NetCheck& n : outcome.net_checks) calibrated += n.pass_networks > 0;
    out += outcome.pass.networks > 0
               ? fmt::format("\nA cold byte in a pass (the data the other layers evicted) costs {:.3g} ps, calibrated on {} "
                             "network(s)' `Net/` cases against their layers alone (the model keeps that price); {}.\n",
                             outcome.pass.s_per_cold_byte * 1e12, outcome.pass.networks,
                             held ? fmt::format("each network's row above used a price calibrated on the other networks "
                                                "only ({} of {} had another network to calibrate on; the rest the loop "
                                                "fit's DRAM price)", calibrated, outcome.net_checks.size())
                                  : "the rows above used it (NOT held out)")
               : "\nA cold byte in a pass costs what a DRAM byte costs in the loop fit (no network with a layer beyond "
                 "the cache calibrated it).\n";
  }
  if (!outcome.warnings.empty()) {
    out += fmt::format("\n## Warnings ({})\n\n", outcome.warnings.size());
    std::size_t shown = 0;
    for (const std::string& w : outcome.warnings) {
      if (shown++ == 30) {
        out += fmt::format("- ... and {} more\n", outcome.warnings.size() - 30);
        break;
      }
      out += "- " + w + "\n";
    }
  }
  return out;
}

}  // namespace layer_energy::analysis
