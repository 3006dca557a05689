#include "analysis/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>

#include "analysis/diagnostics.hpp"
#include "analysis/mann_whitney.hpp"
#include "analysis/records.hpp"

namespace layer_energy::analysis {
namespace {

double median_of(std::vector<double> v) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const std::size_t mid = v.size() / 2;
  return v.size() % 2 ? v[mid] : 0.5 * (v[mid - 1] + v[mid]);
}

const std::vector<double>& metric_values(const Case& c, const std::string& metric) {
  return metric == "time" ? c.time_s : c.energy_J;
}

std::size_t repetitions(const Case& c, const std::string& metric) {
  return c.from_aggregate ? 1 : metric_values(c, metric).size();  // an aggregate is one value, not repetitions
}

CompareRow compare_case(const Case& b, const Case& n, const std::string& metric, const CompareOptions& o) {
  CompareRow row;
  row.name = b.name;
  row.metric = metric;
  const std::vector<double>& x = metric_values(b, metric);
  const std::vector<double>& y = metric_values(n, metric);
  row.base_n = repetitions(b, metric);
  row.new_n = repetitions(n, metric);
  row.base_median = median_of(x);
  row.new_median = median_of(y);
  row.change = row.new_median / row.base_median - 1;
  if (x.empty() || y.empty()) {
    row.verdict = fmt::format("no {} data", metric);
    return row;
  }
  if (row.base_n < o.min_repetitions || row.new_n < o.min_repetitions) {
    row.verdict =
        fmt::format("not enough repetitions ({} and {}; need {} per side)", row.base_n, row.new_n, o.min_repetitions);
    return row;
  }
  row.tested = true;
  const MannWhitney up = mann_whitney_greater(x, y);
  const MannWhitney down = mann_whitney_greater(y, x);
  row.p = std::min(up.p, down.p);
  if (up.p < o.alpha && row.change > o.threshold) {
    row.p = up.p;
    row.verdict = "REGRESSION";
    row.regression = true;
  } else if (down.p < o.alpha && row.change < -o.threshold) {
    row.p = down.p;
    row.verdict = "improvement";
  } else if (up.p < o.alpha || down.p < o.alpha) {
    row.verdict = "significant but within threshold";
  } else {
    row.verdict = "no significant change";
  }
  return row;
}

std::string number(double v, const char* unit) {
  if (!std::isfinite(v)) return "–";
  return fmt::format("{:.4g} {}", v, unit);
}

}  // namespace

Comparison compare_results(const ResultFile& base, const ResultFile& next, const CompareOptions& options,
                           std::vector<std::string>* warnings) {
  const std::vector<Case> a = cases_of(base, warnings);
  const std::vector<Case> b = cases_of(next, warnings);
  contention_warnings(a, warnings);
  contention_warnings(b, warnings);
  std::map<std::string, const Case*> in_new;
  for (const Case& c : b) in_new[c.name] = &c;
  std::map<std::string, bool> in_base;
  Comparison out;
  for (const Case& c : a) {
    in_base[c.name] = true;
    const auto found = in_new.find(c.name);
    if (found == in_new.end()) {
      CompareRow row;
      row.name = c.name, row.metric = "-", row.verdict = "only in BASE";
      out.rows.push_back(row);
      continue;
    }
    ++out.common;
    for (const std::string& metric : options.metrics) {
      out.rows.push_back(compare_case(c, *found->second, metric, options));
      out.regression = out.regression || out.rows.back().regression;
      out.tested += out.rows.back().tested ? 1 : 0;
    }
  }
  for (const Case& c : b) {
    if (in_base.count(c.name)) continue;
    CompareRow row;
    row.name = c.name, row.metric = "-", row.verdict = "only in NEW";
    out.rows.push_back(row);
  }
  return out;
}

std::string nothing_compared_reason(const Comparison& comparison, const CompareOptions& options) {
  if (comparison.tested > 0) return "";
  std::string metrics;
  for (const std::string& m : options.metrics) metrics += (metrics.empty() ? "" : " or ") + m;
  if (comparison.common == 0) return "no case is in both files: nothing compared";
  return fmt::format("nothing compared: none of the {} case(s) in both files has {} finite {} value(s) per side "
                     "(rerun with --benchmark_repetitions={} or more)",
                     comparison.common, options.min_repetitions, metrics, options.min_repetitions);
}

std::string comparison_table(const Comparison& comparison, const CompareOptions& options) {
  std::string out =
      "| case | metric | reps base/new | base median | new median | change | p (one-sided) | verdict |\n"
      "|---|---|---:|---:|---:|---:|---:|---|\n";
  std::size_t regressions = 0;
  for (const CompareRow& r : comparison.rows) {
    const char* unit = r.metric == "time" ? "s" : "J";
    const bool compared = r.metric != "-";
    regressions += r.regression ? 1 : 0;
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", r.name, r.metric,
                       compared ? fmt::format("{}/{}", r.base_n, r.new_n) : std::string("–"),
                       compared ? number(r.base_median, unit) : "–", compared ? number(r.new_median, unit) : "–",
                       compared && std::isfinite(r.change) ? fmt::format("{:+.2f}%", 100 * r.change) : "–",
                       compared && r.p < 1 ? fmt::format("{:.3g}", r.p) : "–",
                       r.regression ? "**" + r.verdict + "**" : r.verdict);
  }
  out += fmt::format("\n{} significant regression(s) beyond {:g}% at alpha {:g}.\n", regressions,
                     100 * options.threshold, options.alpha);
  return out;
}

bool parse_threshold(const std::string& text, double* value) {
  if (text.empty()) return false;
  std::string body = text;
  const bool percent = body.back() == '%';
  if (percent) body.pop_back();
  if (body.empty()) return false;
  char* end = nullptr;
  const double v = std::strtod(body.c_str(), &end);
  if (end != body.c_str() + body.size() || !std::isfinite(v) || v < 0) return false;
  *value = percent ? v / 100 : v;
  return *value < 100;
}

}  // namespace layer_energy::analysis
