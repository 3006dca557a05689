// Geometry, MACs, compulsory bytes and the stable case names of conv and FC layers.
#include "layers/layer.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include "layers/text_util.hpp"

namespace layer_energy::layers {
namespace {

// cuDNN and cuBLAS take int dimensions; anything larger is a typo, and the bound keeps the int64 arithmetic below
// (H + 2 pad - R, products in validate) far from overflow.
constexpr int64_t kMaxDim = 2147483647;

bool in_range(int64_t v) {
  return v >= -kMaxDim && v <= kMaxDim;
}

// floor(a / b) for b > 0; C++ division truncates toward zero, which would turn -1/2 into 0 and P into 1.
int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

int64_t output_size(int64_t in, int64_t kernel, int64_t pad, int64_t stride) {
  if (stride < 1 || !in_range(in) || !in_range(kernel) || !in_range(pad) || !in_range(stride)) return 0;
  return floor_div(in + 2 * pad - kernel, stride) + 1;
}

double positive(int64_t v) {
  return v > 0 ? static_cast<double>(v) : 0.0;
}

struct Field {
  const char* key;
  int64_t* value;
};

std::vector<Field> conv_fields(ConvShape& c) {
  return {{"N", &c.N}, {"C", &c.C}, {"H", &c.H},           {"W", &c.W},     {"K", &c.K},
          {"R", &c.R}, {"S", &c.S}, {"stride", &c.stride}, {"pad", &c.pad}, {"groups", &c.groups}};
}

std::vector<Field> fc_fields(FcShape& f) {
  return {{"N", &f.N}, {"in", &f.in}, {"out", &f.out}};
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = s.find(sep, start);
    parts.push_back(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return parts;
    start = end + 1;
  }
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Suffixes Google Benchmark adds to a registered name: run options and aggregate names.
bool is_benchmark_suffix(const std::string& token) {
  if (token == "real_time" || token == "manual_time" || token == "process_time") return true;
  const std::size_t colon = token.find(':');
  if (colon == std::string::npos || colon + 1 == token.size()) return false;
  const std::string key = token.substr(0, colon);
  return key == "iterations" || key == "repeats" || key == "threads" || key == "min_time" || key == "min_warmup_time";
}

}  // namespace

int64_t output_height(const ConvShape& c) {
  return output_size(c.H, c.R, c.pad, c.stride);
}
int64_t output_width(const ConvShape& c) {
  return output_size(c.W, c.S, c.pad, c.stride);
}

double macs(const Layer& layer) {
  if (layer.type == LayerType::fc) {
    const FcShape& f = layer.fc;
    return positive(f.N) * positive(f.in) * positive(f.out);
  }
  const ConvShape& c = layer.conv;
  if (c.groups < 1) return 0.0;
  const double c_per_group = positive(c.C / c.groups);
  return positive(c.N) * positive(c.K) * c_per_group * positive(c.R) * positive(c.S) * positive(output_height(c)) *
         positive(output_width(c));
}

double bytes(const Layer& layer, Precision precision) {
  const double size = element_size(precision);
  if (layer.type == LayerType::fc) {
    const FcShape& f = layer.fc;
    const double n = positive(f.N), in = positive(f.in), out = positive(f.out);
    return size * (n * in + in * out + n * out);
  }
  const ConvShape& c = layer.conv;
  if (c.groups < 1) return 0.0;
  const double input = positive(c.N) * positive(c.C) * positive(c.H) * positive(c.W);
  const double weights = positive(c.K) * positive(c.C / c.groups) * positive(c.R) * positive(c.S);
  const double output = positive(c.N) * positive(c.K) * positive(output_height(c)) * positive(output_width(c));
  return size * (input + weights + output);
}

int element_size(Precision precision) {
  switch (precision) {
    case Precision::fp16:
      return 2;
    case Precision::fp32:
    case Precision::tf32:
      break;
  }
  return 4;  // TF32 keeps fp32 storage; only the tensor-core math is reduced
}

std::string validate(const Layer& layer) {
  Layer copy = layer;
  const bool conv = layer.type == LayerType::conv;
  for (const Field& f : conv ? conv_fields(copy.conv) : fc_fields(copy.fc)) {
    const std::string key = f.key;
    const int64_t v = *f.value;
    const std::string shown = key + "=" + std::to_string(v);
    if (v > kMaxDim) return shown + " is too large (at most " + std::to_string(kMaxDim) + ")";
    if (key == "pad") {
      if (v < 0) return shown + " must not be negative";
    } else if (v < 1) {
      return shown + (key == "stride" ? " must be at least 1" : " must be positive");
    }
  }
  if (!conv) return {};
  const ConvShape& c = layer.conv;
  if (c.C % c.groups != 0)
    return "C=" + std::to_string(c.C) + " is not divisible by groups=" + std::to_string(c.groups);
  if (c.K % c.groups != 0)
    return "K=" + std::to_string(c.K) + " is not divisible by groups=" + std::to_string(c.groups);
  const std::string geometry = ", pad=" + std::to_string(c.pad) + ", stride=" + std::to_string(c.stride) + ")";
  const int64_t p = output_height(c), q = output_width(c);
  if (p < 1) {
    return "output height P=" + std::to_string(p) + " is less than 1 (H=" + std::to_string(c.H) +
           ", R=" + std::to_string(c.R) + geometry;
  }
  if (q < 1) {
    return "output width Q=" + std::to_string(q) + " is less than 1 (W=" + std::to_string(c.W) +
           ", S=" + std::to_string(c.S) + geometry;
  }
  return {};
}

std::string case_name(const Layer& layer, Precision precision, Layout layout) {
  Layer copy = layer;
  const bool conv = layer.type == LayerType::conv;
  std::string name = conv ? "Conv" : "FC";
  for (const Field& f : conv ? conv_fields(copy.conv) : fc_fields(copy.fc)) {
    name += std::string("/") + f.key + ":" + std::to_string(*f.value);
  }
  if (precision != Precision::fp32) name += std::string("/") + to_string(precision);
  // FC has no tensor layout: one name per FC case whatever --layout says.
  if (conv && layout != Layout::nchw) name += std::string("/") + to_string(layout);
  return name;
}

bool parse_case_name(const std::string& name, Layer* layer) {
  return parse_case_name(name, layer, nullptr, nullptr);
}

bool parse_case_name(const std::string& name, Layer* layer, Precision* precision, Layout* layout) {
  std::string text = name;
  // Aggregates of repeated runs name the run plus "_mean" etc.
  for (const char* aggregate : {"_mean", "_median", "_stddev", "_cv"}) {
    if (ends_with(text, aggregate)) {
      text.resize(text.size() - std::string(aggregate).size());
      break;
    }
  }
  const std::vector<std::string> tokens = split(text, '/');
  Layer parsed;
  if (tokens[0] == "Conv") {
    parsed.type = LayerType::conv;
  } else if (tokens[0] == "FC") {
    parsed.type = LayerType::fc;
  } else {
    return false;
  }
  const std::vector<Field> fields = parsed.type == LayerType::conv ? conv_fields(parsed.conv) : fc_fields(parsed.fc);
  if (tokens.size() < 1 + fields.size()) return false;
  // Geometry in the canonical order, as case_name writes it.
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::string prefix = std::string(fields[i].key) + ":";
    const std::string& token = tokens[1 + i];
    if (token.compare(0, prefix.size(), prefix) != 0) return false;
    const std::string value = token.substr(prefix.size());
    // Canonical digits only ("+5", "05" are not names case_name writes), so one case has one name.
    if (!detail::parse_int64(value, fields[i].value) || std::to_string(*fields[i].value) != value) return false;
  }
  Precision parsed_precision = Precision::fp32;
  Layout parsed_layout = Layout::nchw;
  bool have_precision = false, have_layout = false;
  for (std::size_t i = 1 + fields.size(); i < tokens.size(); ++i) {
    const std::string& token = tokens[i];
    Precision p;
    Layout l;
    // Lower case only, as case_name writes them; "FP16" is not a name this suite produces.
    if (detail::to_lower(token) == token && parse_precision(token, &p)) {
      if (have_precision) return false;
      have_precision = true;
      parsed_precision = p;
    } else if (detail::to_lower(token) == token && parse_layout(token, &l)) {
      if (have_layout || parsed.type == LayerType::fc) return false;
      have_layout = true;
      parsed_layout = l;
    } else if (!is_benchmark_suffix(token)) {
      return false;
    }
  }
  if (!validate(parsed).empty()) return false;
  *layer = parsed;
  if (precision) *precision = parsed_precision;
  if (layout) *layout = parsed_layout;
  return true;
}

const char* to_string(Precision p) {
  switch (p) {
    case Precision::tf32:
      return "tf32";
    case Precision::fp16:
      return "fp16";
    case Precision::fp32:
      break;
  }
  return "fp32";
}

const char* to_string(Layout l) {
  return l == Layout::nhwc ? "nhwc" : "nchw";
}

bool parse_precision(const std::string& text, Precision* p) {
  const std::string t = detail::to_lower(text);
  for (Precision candidate : {Precision::fp32, Precision::tf32, Precision::fp16}) {
    if (t == to_string(candidate)) {
      *p = candidate;
      return true;
    }
  }
  return false;
}

bool parse_layout(const std::string& text, Layout* l) {
  const std::string t = detail::to_lower(text);
  for (Layout candidate : {Layout::nchw, Layout::nhwc}) {
    if (t == to_string(candidate)) {
      *l = candidate;
      return true;
    }
  }
  return false;
}

}  // namespace layer_energy::layers
