#include "analysis/plots.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace layer_energy::analysis {
namespace {

std::string quote(const std::string& s) {
  std::string q = "'";
  for (const char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (const char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out.flush()) throw std::runtime_error(path + ": cannot write");
}

}  // namespace

void make_directories(const std::string& dir) {
  for (std::size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/') continue;
    const std::string part = dir.substr(0, pos);
    if (::mkdir(part.c_str(), 0777) != 0 && errno != EEXIST)
      throw std::runtime_error(part + ": cannot create directory: " + std::strerror(errno));
  }
}

void write_plot_data(const FitOutcome& outcome, const std::string& dir) {
  make_directories(dir);
  std::string points =
      "type,class,name,k,groups,macs,bytes,measured_J,noise,paper_J,chosen_J,heldout_J,measured_s,heldout_s,chosen\n";
  std::string alpha = "type,k,cases,alpha\n";
  for (const TypeData* data : {&outcome.conv, &outcome.fc}) {
    if (!data->fitted) continue;
    const char* type = data == &outcome.conv ? "conv" : "fc";
    const TypeFit& fit = data->fit;
    const auto paper = fit.models.find("paper");
    const auto chosen = fit.models.find(fit.chosen);
    for (std::size_t i = 0; i < data->samples.size(); ++i) {
      const Sample& s = data->samples[i];
      const TimeEstimate t_hat = fit.has_time ? fit.time.estimate(s.k, s.tx) : TimeEstimate();
      const double nested = fit.nested.predicted.size() > i ? fit.nested.predicted[i] : std::nan("");
      const double nested_t = fit.time_nested.predicted.size() > i ? fit.time_nested.predicted[i] : std::nan("");
      const double groups = data->cases[i]->layer.type == layers::LayerType::conv
                                ? static_cast<double>(data->cases[i]->layer.conv.groups) : 1.0;
      points += fmt::format("{},{},{},{:g},{:g},{:.9g},{:.9g},{:.9g},{:.6g},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{}\n", type,
                            class_name(s.k.cls), csv_field(data->cases[i]->name), s.f.k, groups, s.f.macs, s.f.bytes,
                            s.energy, s.noise, paper != fit.models.end() ? predict(paper->second, s, t_hat) : std::nan(""),
                            chosen != fit.models.end() ? predict(chosen->second, s, t_hat) : std::nan(""), nested, s.time,
                            nested_t, fit.chosen);
    }
    for (const KStat& k : fit.per_k) alpha += fmt::format("{},{:g},{:g},{:.9g}\n", type, k.k, k.n, k.slope());
  }
  std::string nets = "name,layers,measured_J,predicted_J,predicted_lo_J,predicted_hi_J,measured_s,predicted_s,"
                     "layers_measured_J,layers_measured_s,measured_rel_se\n";
  for (const NetCheck& n : outcome.net_checks)
    nets += fmt::format("{},{},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{:.6g}\n", csv_field(n.name),
                        n.layers, n.measured_J, n.predicted_J, n.predicted_lo_J, n.predicted_hi_J, n.measured_s,
                        n.predicted_s, n.layers_measured_J, n.layers_measured_s, n.measured_rel_se);
  write_file(dir + "/fit_points.csv", points);
  write_file(dir + "/alpha_k.csv", alpha);
  write_file(dir + "/networks.csv", nets);
  write_file(dir + "/model.json", model_to_json(outcome.model).dump(2) + "\n");
}

std::string run_plot_script(const std::string& dir) {
  const char* script_env = std::getenv("LAYER_ENERGY_PLOT_SCRIPT");
  const char* python_env = std::getenv("LAYER_ENERGY_PYTHON");
  const std::string script = script_env && *script_env ? script_env : LAYER_ENERGY_PLOT_SCRIPT;
  const std::string python = python_env && *python_env ? python_env : "/usr/bin/python3";
  struct stat st;
  if (::stat(script.c_str(), &st) != 0) return "plot script " + script + " not found";
  const std::string command = quote(python) + " " + quote(script) + " " + quote(dir) + " 1>&2";
  const int rc = std::system(command.c_str());
  if (rc != 0) return fmt::format("{} failed (status {}); the plot data is in {}", command, rc, dir);
  return "";
}

}  // namespace layer_energy::analysis
