// Reads layer files: CSV with a header row, columns found by name; every error names the file and the line.
#include "layers/layer_csv.hpp"

#include <cctype>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "layers/text_util.hpp"

namespace layer_energy::layers {
namespace {

// Geometry columns; every other column is a label.
const char* const kConvColumns[] = {"N", "C", "H", "W", "K", "R", "S", "stride", "pad", "groups"};
const char* const kFcColumns[] = {"in", "out"};

// The known column `name` spells in another case ("Stride" for "stride", "n" for "N"), else empty: such a column
// would otherwise be kept as a label, and the layer would silently run with the default (stride 1).
std::string miscased_known_column(const std::string& name) {
  const auto lower = [](std::string s) {
    for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  };
  std::vector<std::string> known(std::begin(kConvColumns), std::end(kConvColumns));
  known.insert(known.end(), std::begin(kFcColumns), std::end(kFcColumns));
  known.push_back("type");
  for (const std::string& k : known)
    if (k != name && lower(k) == lower(name)) return k;
  return "";
}

bool is_geometry_column(const std::string& name) {
  for (const char* c : kConvColumns) {
    if (name == c) return true;
  }
  for (const char* c : kFcColumns) {
    if (name == c) return true;
  }
  return false;
}

class LineError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One CSV record (no embedded newlines): fields split on commas, double-quoted fields may hold commas and "" quotes.
// Fields are trimmed, so "N, C" reads like "N,C".
std::vector<std::string> split_record(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false, was_quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c != '"') {
        field += c;
      } else if (i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"' && detail::trim(field).empty()) {
      quoted = was_quoted = true;
      field.clear();
    } else if (c == ',') {
      fields.push_back(was_quoted ? field : detail::trim(field));
      field.clear();
      was_quoted = false;
    } else if (was_quoted) {
      if (c != ' ' && c != '\t') throw LineError("text after a closing quote");
    } else {
      field += c;
    }
  }
  if (quoted) throw LineError("unterminated quote");
  fields.push_back(was_quoted ? field : detail::trim(field));
  return fields;
}

class Row {
 public:
  Row(const std::map<std::string, std::size_t>& columns, const std::vector<std::string>& fields)
      : columns_(columns), fields_(fields) {}

  // The field under `column`; empty when the column is absent or the field is empty ("not given").
  std::string get(const std::string& column) const {
    const auto it = columns_.find(column);
    return it == columns_.end() ? std::string() : fields_[it->second];
  }

  int64_t required(const std::string& column, const std::string& type) const {
    const std::string text = get(column);
    if (text.empty()) throw LineError(type + " needs a value in column '" + column + "'");
    return integer(column, text);
  }

  int64_t optional(const std::string& column, int64_t fallback) const {
    const std::string text = get(column);
    return text.empty() ? fallback : integer(column, text);
  }

 private:
  static int64_t integer(const std::string& column, const std::string& text) {
    int64_t value = 0;
    if (!detail::parse_int64(text, &value)) {
      throw LineError("column '" + column + "': '" + text + "' is not an integer");
    }
    return value;
  }

  const std::map<std::string, std::size_t>& columns_;
  const std::vector<std::string>& fields_;
};

Layer parse_row(const std::map<std::string, std::size_t>& columns, const std::vector<std::string>& fields) {
  const Row row(columns, fields);
  Layer layer;
  const std::string type = detail::to_lower(row.get("type"));
  if (type == "conv") {
    layer.type = LayerType::conv;
    ConvShape& c = layer.conv;
    c.N = row.required("N", "conv");
    c.C = row.required("C", "conv");
    c.H = row.required("H", "conv");
    c.W = row.required("W", "conv");
    c.K = row.required("K", "conv");
    c.R = row.required("R", "conv");
    c.S = row.required("S", "conv");
    c.stride = row.optional("stride", 1);
    c.pad = row.optional("pad", 0);
    c.groups = row.optional("groups", 1);
  } else if (type == "fc") {
    layer.type = LayerType::fc;
    layer.fc.N = row.required("N", "fc");
    layer.fc.in = row.required("in", "fc");
    layer.fc.out = row.required("out", "fc");
  } else if (type.empty()) {
    throw LineError("no value in column 'type' (conv or fc)");
  } else {
    throw LineError("column 'type': unknown layer type '" + row.get("type") + "' (conv or fc)");
  }
  const std::string problem = validate(layer);
  if (!problem.empty()) throw LineError(problem);
  for (const auto& column : columns) {
    if (column.first == "type" || is_geometry_column(column.first)) continue;
    const std::string& value = fields[column.second];
    if (!value.empty()) layer.extra[column.first] = value;
  }
  layer.label = row.get("name");
  return layer;
}

}  // namespace

std::vector<Layer> read_layer_csv(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error(path + ": cannot open");
  std::map<std::string, std::size_t> columns;
  std::size_t column_count = 0;
  bool have_header = false;
  std::vector<Layer> layers;
  std::string line;
  for (int number = 1; std::getline(file, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();                     // CRLF files from spreadsheets
    if (number == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);  // UTF-8 byte order mark
    const std::string trimmed = detail::trim(line);
    if (trimmed.empty() || trimmed[0] == '#') continue;
    const std::string where = path + ":" + std::to_string(number) + ": ";
    std::vector<std::string> fields;
    try {
      fields = split_record(line);
    } catch (const LineError& e) {
      throw std::runtime_error(where + e.what());
    }
    if (!have_header) {
      for (std::size_t i = 0; i < fields.size(); ++i) {
        if (fields[i].empty())
          throw std::runtime_error(where + "header column " + std::to_string(i + 1) + " has no name");
        const std::string meant = miscased_known_column(fields[i]);
        if (!meant.empty()) {
          throw std::runtime_error(where + "header column '" + fields[i] + "': did you mean '" + meant +
                                   "'? (column names are case-sensitive)");
        }
        if (!columns.emplace(fields[i], i).second) {
          throw std::runtime_error(where + "header names column '" + fields[i] + "' twice");
        }
      }
      if (columns.count("type") == 0) throw std::runtime_error(path + ": no 'type' column");
      column_count = fields.size();
      have_header = true;
      continue;
    }
    if (fields.size() != column_count) {
      throw std::runtime_error(where + std::to_string(fields.size()) + " fields, but the header has " +
                               std::to_string(column_count));
    }
    try {
      layers.push_back(parse_row(columns, fields));
    } catch (const LineError& e) {
      throw std::runtime_error(where + e.what());
    }
  }
  if (file.bad()) throw std::runtime_error(path + ": read error");
  if (!have_header) throw std::runtime_error(path + ": no header row");
  if (layers.empty()) throw std::runtime_error(path + ": no layers (only a header)");
  return layers;
}

}  // namespace layer_energy::layers
