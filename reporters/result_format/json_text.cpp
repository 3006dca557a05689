#include "reporters/result_format/json_text.hpp"

#include <cctype>
#include <cstring>

namespace layer_energy::result_format {
namespace {

constexpr std::size_t npos = std::string::npos;

// Index one past the string literal that starts at text[p] == '"'; npos when it does not end.
std::size_t string_end(const std::string& text, std::size_t p) {
  for (std::size_t i = p + 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      return i + 1;
    }
  }
  return npos;
}

std::size_t skip_space(const std::string& text, std::size_t p) {
  while (p < text.size() && std::isspace(static_cast<unsigned char>(text[p]))) ++p;
  return p;
}

// Index one past the JSON value starting at p (object, array, string or scalar); npos when the text ends inside it.
std::size_t value_end(const std::string& text, std::size_t p) {
  if (p >= text.size()) return npos;
  const char c = text[p];
  if (c == '"') return string_end(text, p);
  if (c == '{' || c == '[') {
    int depth = 0;
    for (std::size_t i = p; i < text.size(); ++i) {
      const char d = text[i];
      if (d == '"') {
        i = string_end(text, i);
        if (i == npos) return npos;
        --i;
      } else if (d == '{' || d == '[') {
        ++depth;
      } else if (d == '}' || d == ']') {
        if (--depth == 0) return i + 1;
      }
    }
    return npos;
  }
  std::size_t i = p;
  while (i < text.size() && text[i] != ',' && text[i] != '}' && text[i] != ']' &&
         !std::isspace(static_cast<unsigned char>(text[i])))
    ++i;
  return i < text.size() ? i : npos;
}

bool starts_with_at(const std::string& text, std::size_t p, const char* word) {
  return text.compare(p, std::strlen(word), word) == 0;
}

}  // namespace

std::string quote_nonfinite_tokens(const std::string& text) {
  static const char* const tokens[] = {"-Infinity", "Infinity", "-NaN", "NaN", "-nan", "nan", "-inf", "inf"};
  std::string out;
  out.reserve(text.size() + 16);
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '"') {
      const std::size_t end = string_end(text, i);
      const std::size_t stop = end == npos ? text.size() : end;
      out.append(text, i, stop - i);
      i = stop;
      continue;
    }
    bool replaced = false;
    // Only where a value may start: after ':', ',', '[' or whitespace following them.
    if (text[i] == '-' || text[i] == 'N' || text[i] == 'I' || text[i] == 'n' || text[i] == 'i') {
      std::size_t back = out.size();
      while (back > 0 && std::isspace(static_cast<unsigned char>(out[back - 1]))) --back;
      const bool value_start = back > 0 && (out[back - 1] == ':' || out[back - 1] == ',' || out[back - 1] == '[');
      for (const char* token : tokens) {
        if (!value_start || !starts_with_at(text, i, token)) continue;
        const std::size_t after = i + std::strlen(token);
        if (after < text.size() && std::isalnum(static_cast<unsigned char>(text[after]))) continue;
        out += '"';
        out += token;
        out += '"';
        i = after;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

SalvagedText salvage_benchmarks(const std::string& text) {
  SalvagedText result;
  std::size_t p = skip_space(text, 0);
  if (p >= text.size() || text[p] != '{') return result;
  p = skip_space(text, p + 1);
  while (p < text.size() && text[p] == '"') {
    const std::size_t key_end = string_end(text, p);
    if (key_end == npos) break;
    const std::string key = text.substr(p + 1, key_end - p - 2);
    p = skip_space(text, key_end);
    if (p >= text.size() || text[p] != ':') break;
    p = skip_space(text, p + 1);
    if (key == "benchmarks" && p < text.size() && text[p] == '[') {
      result.found_benchmarks = true;
      p = skip_space(text, p + 1);
      while (p < text.size() && text[p] == '{') {
        const std::size_t end = value_end(text, p);
        if (end == npos) break;
        result.entries.push_back(text.substr(p, end - p));
        p = skip_space(text, end);
        if (p < text.size() && text[p] == ',') p = skip_space(text, p + 1);
      }
      break;
    }
    const std::size_t end = value_end(text, p);
    if (end == npos) break;
    if (key == "context") result.context = text.substr(p, end - p);
    p = skip_space(text, end);
    if (p < text.size() && text[p] == ',') p = skip_space(text, p + 1);
  }
  result.stop_offset = p;
  return result;
}

}  // namespace layer_energy::result_format
