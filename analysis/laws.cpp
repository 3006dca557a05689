#include "analysis/laws.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace layer_energy::analysis {
namespace {

double tile_factor(double w, double k) {
  return w * std::ceil(k / w - 1e-9) / k;
}

// α = a·g(K) with g fixed: a in closed form; returns the loss.
template <typename G>
double fit_scale(const std::vector<KStat>& stats, G g, double* a) {
  // One g per K: at the least-squares scale a = num/den the loss Σ(sxx·a²g² − 2·sx·a·g + n) is Σn − num²/den.
  double num = 0, den = 0, n = 0;
  for (const KStat& s : stats) {
    const double gk = g(s);
    num += s.sx * gk;
    den += s.sxx * gk * gk;
    n += s.n;
  }
  *a = den > 0 ? num / den : 0;
  return den > 0 ? std::max(0.0, n - num * num / den) : n;
}

}  // namespace

const char* law_name(Law law) {
  switch (law) {
    case Law::constant:
      return "constant";
    case Law::power:
      return "power";
    case Law::inverse:
      return "inverse";
    case Law::tile:
      return "tile";
  }
  return "?";
}

const char* law_formula(Law law) {
  switch (law) {
    case Law::constant:
      return "a";
    case Law::power:
      return "a*K^-b";
    case Law::inverse:
      return "a + b/K";
    case Law::tile:
      return "a*w*ceil(K/w)/K";
  }
  return "?";
}

bool parse_law(const std::string& name, Law* law) {
  for (const Law l : {Law::constant, Law::power, Law::inverse, Law::tile}) {
    if (name == law_name(l)) {
      *law = l;
      return true;
    }
  }
  return false;
}

const std::vector<Law>& conv_laws() {
  static const std::vector<Law> laws = {Law::power, Law::inverse, Law::tile};
  return laws;
}

double law_alpha(const LawFit& fit, double k) {
  switch (fit.law) {
    case Law::constant:
      return fit.a;
    case Law::power:
      return fit.a * std::pow(k, -fit.b);
    case Law::inverse:
      return fit.a + fit.b / k;
    case Law::tile:
      return fit.a * tile_factor(fit.w, k);
  }
  return fit.a;
}

std::vector<KStat> k_stats(const std::vector<Sample>& samples, const std::vector<int>* rows) {
  std::map<double, KStat> by_k;
  const auto add = [&](const Sample& s) {
    KStat& st = by_k[s.f.k];
    const double x = s.f.macs / s.energy;
    st.k = s.f.k;
    st.log_k = std::log(s.f.k);
    st.sxx += x * x;
    st.sx += x;
    st.n += 1;
  };
  if (rows) {
    for (const int r : *rows) add(samples[static_cast<std::size_t>(r)]);
  } else {
    for (const Sample& s : samples) add(s);
  }
  std::vector<KStat> out;
  out.reserve(by_k.size());
  for (const auto& kv : by_k) out.push_back(kv.second);
  return out;
}

double law_loss(const LawFit& fit, const std::vector<KStat>& stats) {
  double loss = 0;
  for (const KStat& s : stats) {
    const double alpha = law_alpha(fit, s.k);
    loss += s.sxx * alpha * alpha - 2 * s.sx * alpha + s.n;
  }
  return loss;
}

LawFit fit_law(Law law, const std::vector<KStat>& stats) {
  LawFit fit;
  fit.law = law;
  if (stats.empty()) return fit;
  switch (law) {
    case Law::constant:
      fit.loss = fit_scale(
          stats, [](const KStat&) { return 1.0; }, &fit.a);
      break;
    case Law::tile: {
      fit.loss = HUGE_VAL;
      for (double w = 1; w <= 256; w *= 2) {
        double a = 0;
        const double loss = fit_scale(
            stats, [w](const KStat& s) { return tile_factor(w, s.k); }, &a);
        if (loss < fit.loss * (1 - 1e-9)) fit.a = a, fit.w = w, fit.loss = loss;
      }
      break;
    }
    case Law::power: {
      const auto loss_at = [&](double b, double* a) {
        return fit_scale(
            stats, [b](const KStat& s) { return std::exp(-b * s.log_k); }, a);
      };
      double best_b = 0, a = 0, best = HUGE_VAL;
      for (double b = -1.0; b <= 2.0 + 1e-9; b += 0.05) {
        const double loss = loss_at(b, &a);
        if (loss < best) best = loss, best_b = b;
      }
      double lo = best_b - 0.05, hi = best_b + 0.05;  // golden-section refinement
      const double g = 0.5 * (std::sqrt(5.0) - 1);
      double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
      double f1 = loss_at(x1, &a), f2 = loss_at(x2, &a);
      for (int i = 0; i < 40; ++i) {
        if (f1 < f2) {
          hi = x2, x2 = x1, f2 = f1, x1 = hi - g * (hi - lo), f1 = loss_at(x1, &a);
        } else {
          lo = x1, x1 = x2, f1 = f2, x2 = lo + g * (hi - lo), f2 = loss_at(x2, &a);
        }
      }
      fit.b = 0.5 * (lo + hi);
      fit.loss = loss_at(fit.b, &fit.a);
      break;
    }
    case Law::inverse: {
      double s11 = 0, s12 = 0, s22 = 0, t1 = 0, t2 = 0;
      for (const KStat& s : stats) {
        const double inv = 1 / s.k;
        s11 += s.sxx, s12 += s.sxx * inv, s22 += s.sxx * inv * inv;
        t1 += s.sx, t2 += s.sx * inv;
      }
      const double det = s11 * s22 - s12 * s12;
      if (stats.size() < 2 || std::fabs(det) <= 1e-12 * s11 * s22) {
        fit.a = s11 > 0 ? t1 / s11 : 0, fit.b = 0;
      } else {
        fit.a = (t1 * s22 - t2 * s12) / det;
        fit.b = (s11 * t2 - s12 * t1) / det;
      }
      fit.loss = law_loss(fit, stats);
      break;
    }
  }
  return fit;
}

}  // namespace layer_energy::analysis
