#include "power/trace.hpp"

#include "power/rail_selection.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <ostream>
#include <stdexcept>

namespace layer_energy::power {
namespace {

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  for (char c : line) {
    if (c == ',') {
      fields.push_back(field);
      field.clear();
    } else if (c != '\r') {
      field += c;
    }
  }
  fields.push_back(field);
  for (auto& f : fields) {
    const auto b = f.find_first_not_of(" \t");
    const auto e = f.find_last_not_of(" \t");
    f = b == std::string::npos ? std::string() : f.substr(b, e - b + 1);
  }
  return fields;
}

bool parse_double(const std::string& text, double* value) {
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  *value = std::strtod(text.c_str(), &end);
  return end && *end == '\0' && errno != ERANGE && std::isfinite(*value);
}

}  // namespace

Trace read_trace_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open trace file");
  Trace trace;
  std::string line;
  std::size_t line_number = 0;
  auto fail = [&](const std::string& what) {
    throw std::runtime_error(path + ":" + std::to_string(line_number) + ": " + what);
  };
  std::string default_total;  // from our own "# ... default_total=A,B" comment, when the trace has one
  bool header_seen = false;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty() || line == "\r") continue;
    if (line[0] == '#') {
      const auto at = line.find("default_total=");
      if (at != std::string::npos) default_total = split_csv(line.substr(at + 14))[0];
      continue;
    }
    const auto fields = split_csv(line);
    const bool first_row = !header_seen;
    header_seen = true;
    if (first_row && !fields.empty() && fields[0] == "t_s") {
      if (fields.size() != 4 || fields[1] != "rail" || fields[2] != "value" || fields[3] != "unit") {
        fail("header must be t_s,rail,value,unit");
      }
      continue;
    }
    if (fields.size() != 4) fail("expected 4 fields t_s,rail,value,unit, got " + std::to_string(fields.size()));
    double t = 0;
    double value = 0;
    if (!parse_double(fields[0], &t)) fail("t_s is not a number: \"" + fields[0] + "\"");
    if (fields[1].empty()) fail("empty rail name");
    if (!parse_double(fields[2], &value)) fail("value is not a number: \"" + fields[2] + "\"");
    Quantity quantity;
    if (fields[3] == "W") {
      quantity = Quantity::power_w;
    } else if (fields[3] == "J") {
      quantity = Quantity::energy_j;
    } else {
      fail("unit must be W or J, got \"" + fields[3] + "\"");
    }
    auto it = std::find_if(trace.rails.begin(), trace.rails.end(), [&](const Rail& r) { return r.name == fields[1]; });
    std::size_t index = static_cast<std::size_t>(it - trace.rails.begin());
    if (it == trace.rails.end()) {
      Rail rail;
      rail.name = fields[1];
      rail.quantity = quantity;
      trace.rails.push_back(rail);
      trace.series.emplace_back();
    } else if (it->quantity != quantity) {
      fail("rail " + fields[1] + " changes unit");
    }
    Series& s = trace.series[index];
    if (!s.t.empty() && t <= s.t.back()) fail("time does not increase for rail " + fields[1]);
    s.t.push_back(t);
    s.v.push_back(value);
  }
  if (trace.rails.empty()) throw std::runtime_error(path + ": no samples in trace");
  choose_default_total(trace.rails);
  if (!default_total.empty()) {
    std::string names = default_total;
    std::replace(names.begin(), names.end(), ';', ',');
    try {
      const auto selected = select_rails(trace.rails, names);
      for (std::size_t i = 0; i < trace.rails.size(); ++i) {
        trace.rails[i].default_total = std::find(selected.begin(), selected.end(), i) != selected.end();
      }
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(path + ": default_total comment: " + e.what());
    }
  }
  return trace;
}

void write_trace_header(std::ostream& out, const std::vector<Rail>& rails) {
  // The comment keeps which rails were the total, so a replay sums the same ones (rails separated by ';').
  std::string total;
  for (const Rail& rail : rails) {
    if (rail.default_total) total += (total.empty() ? "" : ";") + rail.name;
  }
  out << "# layer-energy power trace; default_total=" << total << "\n";
  out << "t_s,rail,value,unit\n";
}

void write_trace_row(std::ostream& out, const Reading& reading, const Rail& rail) {
  char buffer[96];
  // 9 decimals of seconds (ns) and 17 significant digits of value: a round trip loses nothing that matters.
  std::snprintf(buffer, sizeof buffer, "%.9f,", reading.t_s);
  out << buffer << rail.name;
  std::snprintf(buffer, sizeof buffer, ",%.17g,%s\n", reading.value, unit_of(rail.quantity));
  out << buffer;
}

double median_interval_s(const Trace& trace) {
  std::vector<double> intervals;
  for (const Series& s : trace.series) {
    for (std::size_t i = 1; i < s.t.size(); ++i) intervals.push_back(s.t[i] - s.t[i - 1]);
  }
  if (intervals.empty()) return 0.0;
  std::nth_element(intervals.begin(), intervals.begin() + static_cast<std::ptrdiff_t>(intervals.size() / 2),
                   intervals.end());
  return intervals[intervals.size() / 2];
}

}  // namespace layer_energy::power
