// Small text helpers shared by the layer sources (internal; GCC 7.5 has no <charconv>, hence the hand-rolled parse).
#pragma once

#include <cstdint>
#include <limits>
#include <string>

namespace layer_energy::layers::detail {

// Whole-string base-10 integer with an optional sign; false on anything else (spaces, "3.0", "1e3") or overflow.
inline bool parse_int64(const std::string& text, int64_t* value) {
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  if (i == text.size()) return false;
  // Accumulate as a negative number so INT64_MIN fits.
  int64_t result = 0;
  const int64_t min = std::numeric_limits<int64_t>::min();
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    const int digit = c - '0';
    if (result < (min + digit) / 10) return false;
    result = result * 10 - digit;
  }
  if (!negative) {
    if (result == min) return false;
    result = -result;
  }
  *value = result;
  return true;
}

inline std::string trim(const std::string& s) {
  const char* space = " \t\r\n";
  const std::size_t first = s.find_first_not_of(space);
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(space) - first + 1);
}

inline std::string to_lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

}  // namespace layer_energy::layers::detail
