#include "power/tegrastats.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

#include "power/rail_selection.hpp"

namespace layer_energy::power {
namespace {

// tegrastats fields that are not power rails. Their values never have the `<int>/<int>` or `<int>mW/<int>mW` form a
// rail has (RAM 2185/3956MB, SWAP 0/1978MB, GR3D_FREQ 0%, APE 25), so the value check alone already rejects them; the
// list guards against a tegrastats printing one of them in a rail-like form. CPU and GPU are deliberately not here:
// they are the AGX Xavier's CPU and GPU rails on L4T R32 ("CPU 311/311"), while the CPU load field ("CPU [1%@102,..]")
// never has a rail's value form.
const char* const kNotRails[] = {
    "RAM",    "SWAP",   "IRAM",        "EMC",         "EMC_FREQ",  "GR3D_FREQ", "GR3D2_FREQ", "VIC_FREQ", "APE",
    "MTS",    "NVENC",  "NVENC1",      "NVDEC",       "NVDEC1",    "NVJPG",     "NVJPG1",     "VIC",      "OFA",
    "NVDLA0", "NVDLA1", "NVDLA0_FREQ", "NVDLA1_FREQ", "PVA0_FREQ", "PVA1_FREQ", "MSENC",      "AVP"};

bool is_rail_name(const std::string& token) {
  if (token.empty()) return false;
  bool letter = false;
  for (const char c : token) {
    if (c >= 'A' && c <= 'Z') {
      letter = true;
    } else if (!((c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  if (!letter) return false;
  // A not-connected INA3221 channel (AGX Orin on JetPack 5 prints `NC 0mW/0mW`), skipped as the sysfs source does.
  if (token == "NC") return false;
  return std::none_of(std::begin(kNotRails), std::end(kNotRails), [&](const char* n) { return token == n; });
}

// tegrastats prints small negative readings where a sensor's offset exceeds the load (AGX Orin: `VDD_CPU_CV
// -398mW/-398mW`). The INA3221's shunt offset (at most 80 uV, 40 mA on a 2 mOhm shunt) is worth about 1 W at its 26 V
// maximum bus voltage; anything below -5 W is not an offset but a corrupted field, and not a reading.
constexpr long kMostNegativeMilliwatts = -5000;

// An optional minus sign, then digits only, at most 9 of them (a rail above 999 kW is not a reading). nullopt
// otherwise, and for a value below kMostNegativeMilliwatts.
std::optional<long> parse_milliwatts(const std::string& text) {
  const bool negative = !text.empty() && text[0] == '-';
  const std::string digits = negative ? text.substr(1) : text;
  if (digits.empty() || digits.size() > 9) return std::nullopt;
  long value = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (negative) value = -value;
  if (value < kMostNegativeMilliwatts) return std::nullopt;
  return value;
}

// A rail's value: `<instant>/<average>` (L4T R32 to R38) or `<instant>/<average>/<peak>` (JetPack 7, L4T R39), every
// field either a bare integer (R32) or with `mW` units (R35+). The instant value in mW; nullopt when the token has
// none of these forms.
std::optional<long> parse_rail_value(const std::string& token) {
  std::vector<std::string> fields;
  std::size_t begin = 0;
  for (;;) {
    const auto slash = token.find('/', begin);
    fields.push_back(token.substr(begin, slash == std::string::npos ? std::string::npos : slash - begin));
    if (slash == std::string::npos) break;
    begin = slash + 1;
  }
  if (fields.size() != 2 && fields.size() != 3) return std::nullopt;
  const auto strip_mw = [](std::string& s) {
    if (s.size() > 2 && s.compare(s.size() - 2, 2, "mW") == 0) {
      s.resize(s.size() - 2);
      return true;
    }
    return false;
  };
  const bool units = strip_mw(fields[0]);
  for (std::size_t i = 1; i < fields.size(); ++i) {
    if (strip_mw(fields[i]) != units || !parse_milliwatts(fields[i])) return std::nullopt;
  }
  return parse_milliwatts(fields[0]);
}

bool two_digits(const std::string& s, std::size_t at, int* value) {
  if (at + 2 > s.size() || !std::isdigit(static_cast<unsigned char>(s[at])) ||
      !std::isdigit(static_cast<unsigned char>(s[at + 1]))) {
    return false;
  }
  *value = (s[at] - '0') * 10 + (s[at + 1] - '0');
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (only differences matter: no time zone is involved).
long days_since_epoch(int year, int month, int day) {
  static const int kDaysBefore[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  const auto leap = [](int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; };
  // Leap days in the years before `year` since year 1, minus those before 1970.
  const auto leap_days_before = [](long y) { return (y - 1) / 4 - (y - 1) / 100 + (y - 1) / 400; };
  long days = 365L * (year - 1970) + leap_days_before(year) - leap_days_before(1970);
  days += kDaysBefore[month - 1] + (day - 1);
  if (month > 2 && leap(year)) ++days;
  return days;
}

// A leading `MM-DD-YYYY HH:MM:SS ` as seconds (time-zone free); nullopt when the line does not start with one.
std::optional<long long> leading_timestamp(const std::string& line) {
  // 0123456789012345678
  // MM-DD-YYYY HH:MM:SS
  if (line.size() < 19 || line[2] != '-' || line[5] != '-' || line[10] != ' ' || line[13] != ':' || line[16] != ':') {
    return std::nullopt;
  }
  if (line.size() > 19 && line[19] != ' ' && line[19] != '\t') return std::nullopt;
  int month = 0, day = 0, year_hi = 0, year_lo = 0, hour = 0, minute = 0, second = 0;
  if (!two_digits(line, 0, &month) || !two_digits(line, 3, &day) || !two_digits(line, 6, &year_hi) ||
      !two_digits(line, 8, &year_lo) || !two_digits(line, 11, &hour) || !two_digits(line, 14, &minute) ||
      !two_digits(line, 17, &second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  const long days = days_since_epoch(year_hi * 100 + year_lo, month, day);
  return days * 86400LL + hour * 3600LL + minute * 60LL + second;
}

// The NAME value pairs of one line, in W, in the order printed.
std::vector<std::pair<std::string, double>> rails_of(const std::string& text) {
  std::vector<std::pair<std::string, double>> rails;
  std::istringstream tokens(text);
  std::string previous;
  std::string token;
  while (tokens >> token) {
    if (is_rail_name(previous)) {
      if (const auto mw = parse_rail_value(token)) {
        rails.emplace_back(previous, static_cast<double>(*mw) / 1000.0);
        previous.clear();
        continue;
      }
    }
    previous = token;
  }
  return rails;
}

struct Line {
  std::size_t number = 0;  // 1-based line in the file
  long long stamp = 0;     // timestamp, whole seconds since 1970 (kept integral: as a double it would lose sub-µs)
  double t = 0.0;          // seconds since the first line with rails (interval timing: k x interval)
  std::vector<std::pair<std::string, double>> rails;  // name, W
};

std::string format_seconds(double s) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", s);
  return buffer;
}

}  // namespace

Trace read_tegrastats(const std::string& path, double interval_s, TegrastatsInfo* info) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open tegrastats log");
  if (!(interval_s >= 0.0)) throw std::runtime_error(path + ": tegrastats interval must be >= 0 s");
  const bool default_interval = interval_s == 0.0;
  if (default_interval) interval_s = 1.0;  // tegrastats' own default --interval is 1000 ms

  std::vector<Line> lines;
  std::optional<bool> timestamped;  // decided by the first line with rails
  std::size_t number = 0;
  std::size_t non_empty = 0;
  std::size_t skipped = 0;
  long long last_stamp = 0;
  std::string text;
  while (std::getline(in, text)) {
    ++number;
    while (!text.empty() && (text.back() == '\r' || text.back() == ' ' || text.back() == '\t')) text.pop_back();
    if (text.find_first_not_of(" \t") == std::string::npos) continue;
    const std::size_t index = non_empty++;

    Line line;
    line.number = number;
    line.rails = rails_of(text);
    if (line.rails.empty()) {
      ++skipped;
      continue;
    }

    const auto stamp = leading_timestamp(text);
    if (!timestamped) timestamped = stamp.has_value();
    const std::string where = path + ":" + std::to_string(number) + ": ";
    if (*timestamped) {
      if (!stamp) throw std::runtime_error(where + "no leading MM-DD-YYYY HH:MM:SS timestamp, unlike the lines before");
      if (!lines.empty() && *stamp < last_stamp) throw std::runtime_error(where + "timestamp goes backwards");
      last_stamp = *stamp;
      line.stamp = *stamp;
    } else {
      line.t = static_cast<double>(index) * interval_s;
    }
    lines.push_back(std::move(line));
  }
  if (lines.empty()) throw std::runtime_error(path + ": no power rails found (is this a tegrastats log?)");

  if (*timestamped) {
    // One-second stamps: a run of k lines within the same second is spread evenly over that second.
    for (std::size_t begin = 0; begin < lines.size();) {
      std::size_t end = begin + 1;
      while (end < lines.size() && lines[end].stamp == lines[begin].stamp) ++end;
      const double k = static_cast<double>(end - begin);
      const double whole = static_cast<double>(lines[begin].stamp - lines.front().stamp);
      for (std::size_t j = begin; j < end; ++j) lines[j].t = whole + static_cast<double>(j - begin) / k;
      begin = end;
    }
  }
  const double t_first = lines.front().t;

  Trace trace;
  for (const Line& line : lines) {
    for (const auto& reading : line.rails) {
      auto it =
          std::find_if(trace.rails.begin(), trace.rails.end(), [&](const Rail& r) { return r.name == reading.first; });
      const std::size_t rail = static_cast<std::size_t>(it - trace.rails.begin());
      if (it == trace.rails.end()) {
        Rail r;
        r.name = reading.first;
        r.quantity = Quantity::power_w;
        r.resolution = 0.001;  // tegrastats prints integer mW
        trace.rails.push_back(r);
        trace.series.emplace_back();
      }
      Series& s = trace.series[rail];
      const double t = line.t - t_first;
      if (!s.t.empty() && t <= s.t.back()) continue;  // a rail printed twice on one line: keep the first
      s.t.push_back(t);
      s.v.push_back(reading.second);
    }
  }
  choose_default_total(trace.rails);

  if (info) {
    info->lines = lines.size();
    info->skipped = skipped;
    if (*timestamped) {
      info->timing = "timestamps";
      info->interval_s = 0.0;
      info->note =
          "tegrastats log: times from the lines' timestamps (1 s resolution; lines within one second spaced "
          "evenly)";
    } else {
      info->timing = "interval";
      info->interval_s = interval_s;
      info->note = "tegrastats log without timestamps: lines taken " + format_seconds(interval_s) + " s apart" +
                   (default_interval ? " (tegrastats' default --interval; none was given)" : "");
    }
    if (skipped > 0) info->note += "; " + std::to_string(skipped) + " line(s) without power rails skipped";
  }
  return trace;
}

bool looks_like_tegrastats(const std::string& path) {
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  // Lines before the first tegrastats line (a `date` or banner printed into the log) decide nothing.
  while (std::getline(in, line)) {
    if (line.find("t_s,") != std::string::npos) return false;  // a power trace CSV's header
    const bool tegrastats_fields = line.find("RAM ") != std::string::npos && line.find('/') != std::string::npos;
    if (tegrastats_fields || !rails_of(line).empty()) return true;
  }
  return false;
}

}  // namespace layer_energy::power
