// Geometry, MACs, compulsory bytes and the stable case names of every layer type.
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

std::vector<Field> op_fields(LayerType type, TensorOpShape& p) {
  std::vector<Field> fields = {{"N", &p.N}, {"C", &p.C}, {"H", &p.H}, {"W", &p.W}};
  if (type == LayerType::pool) fields.insert(fields.end(), {{"R", &p.R}, {"stride", &p.stride}, {"pad", &p.pad}});
  return fields;
}

std::vector<Field> fields_of(Layer& layer) {
  if (layer.type == LayerType::conv) return conv_fields(layer.conv);
  if (layer.type == LayerType::fc) return fc_fields(layer.fc);
  return op_fields(layer.type, layer.op);
}

// Case-name prefixes, in LayerType order.
const char* const kPrefixes[] = {"Conv", "FC", "Pool", "Add", "Act", "BN"};
constexpr LayerType kTypes[] = {LayerType::conv, LayerType::fc,  LayerType::pool,
                                LayerType::add,  LayerType::act, LayerType::bn};

// The trailing "mode:" or "op:" token of pooling and activation names ("" for the others).
std::string kind_token(const Layer& layer) {
  if (layer.type == LayerType::pool) return std::string("mode:") + to_string(layer.op.mode);
  if (layer.type == LayerType::act) return std::string("op:") + to_string(layer.op.op);
  return "";
}

bool parse_kind_token(const std::string& token, Layer* layer) {
  if (layer->type == LayerType::pool) {
    for (PoolMode m : {PoolMode::max, PoolMode::avg, PoolMode::global}) {
      if (token == std::string("mode:") + to_string(m)) return layer->op.mode = m, true;
    }
  } else if (layer->type == LayerType::act) {
    for (Activation a : {Activation::relu, Activation::relu6, Activation::sigmoid, Activation::silu,
                         Activation::hardswish}) {
      if (token == std::string("op:") + to_string(a)) return layer->op.op = a, true;
    }
  }
  return false;
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

std::string validate_pool(const TensorOpShape& p) {
  if (p.mode == PoolMode::global) {
    if (p.R != p.H || p.stride != 1 || p.pad != 0) {
      return "global pooling has R=H, stride=1, pad=0 (got R=" + std::to_string(p.R) + ", stride=" +
             std::to_string(p.stride) + ", pad=" + std::to_string(p.pad) + ")";
    }
    return {};
  }
  // cuDNN and oneDNN refuse a padding that is the whole window (a window of padding only).
  if (p.pad >= p.R) return "pad=" + std::to_string(p.pad) + " must be less than R=" + std::to_string(p.R);
  const std::string geometry = ", R=" + std::to_string(p.R) + ", pad=" + std::to_string(p.pad) +
                               ", stride=" + std::to_string(p.stride) + ")";
  const int64_t out_h = pool_output_height(p), out_w = pool_output_width(p);
  if (out_h < 1) {
    return "output height P=" + std::to_string(out_h) + " is less than 1 (H=" + std::to_string(p.H) + geometry;
  }
  if (out_w < 1) {
    return "output width Q=" + std::to_string(out_w) + " is less than 1 (W=" + std::to_string(p.W) + geometry;
  }
  return {};
}

}  // namespace

int64_t output_height(const ConvShape& c) {
  return output_size(c.H, c.R, c.pad, c.stride);
}
int64_t output_width(const ConvShape& c) {
  return output_size(c.W, c.S, c.pad, c.stride);
}

int64_t pool_output_height(const TensorOpShape& p) {
  return p.mode == PoolMode::global ? 1 : output_size(p.H, p.R, p.pad, p.stride);
}
int64_t pool_output_width(const TensorOpShape& p) {
  return p.mode == PoolMode::global ? 1 : output_size(p.W, p.R, p.pad, p.stride);
}

double macs(const Layer& layer) {
  if (!has_weights(layer.type)) {
    const TensorOpShape& p = layer.op;
    const double elements = positive(p.N) * positive(p.C) * positive(p.H) * positive(p.W);
    if (layer.type != LayerType::pool || p.mode == PoolMode::global) return elements;
    return positive(p.N) * positive(p.C) * positive(pool_output_height(p)) * positive(pool_output_width(p)) *
           positive(p.R) * positive(p.R);
  }
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
  if (!has_weights(layer.type)) {
    const TensorOpShape& p = layer.op;
    const double input = positive(p.N) * positive(p.C) * positive(p.H) * positive(p.W);
    switch (layer.type) {
      case LayerType::pool:
        return size * (input + positive(p.N) * positive(p.C) * positive(pool_output_height(p)) *
                                   positive(pool_output_width(p)));
      case LayerType::add:
        return size * 3 * input;
      case LayerType::bn:
        return size * (2 * input + 4 * positive(p.C));
      default:
        return size * 2 * input;
    }
  }
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
  for (const Field& f : fields_of(copy)) {
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
  if (layer.type == LayerType::pool) return validate_pool(layer.op);
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
  std::string name = kPrefixes[static_cast<int>(layer.type)];
  for (const Field& f : fields_of(copy)) name += std::string("/") + f.key + ":" + std::to_string(*f.value);
  const std::string kind = kind_token(layer);
  if (!kind.empty()) name += "/" + kind;
  if (precision != Precision::fp32) name += std::string("/") + to_string(precision);
  // FC has no tensor layout: one name per FC case whatever --layout says.
  if (layer.type != LayerType::fc && layout != Layout::nchw) name += std::string("/") + to_string(layout);
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
  bool known = false;
  for (std::size_t i = 0; i < sizeof kTypes / sizeof kTypes[0]; ++i) {
    if (tokens[0] == kPrefixes[i]) parsed.type = kTypes[i], known = true;
  }
  if (!known) return false;
  const std::vector<Field> fields = fields_of(parsed);
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
  std::size_t next = 1 + fields.size();
  if (parsed.type == LayerType::pool || parsed.type == LayerType::act) {
    if (tokens.size() <= next || !parse_kind_token(tokens[next], &parsed)) return false;
    ++next;
  }
  Precision parsed_precision = Precision::fp32;
  Layout parsed_layout = Layout::nchw;
  bool have_precision = false, have_layout = false;
  for (std::size_t i = next; i < tokens.size(); ++i) {
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

const char* to_string(LayerType t) {
  switch (t) {
    case LayerType::fc:
      return "fc";
    case LayerType::pool:
      return "pool";
    case LayerType::add:
      return "add";
    case LayerType::act:
      return "act";
    case LayerType::bn:
      return "bn";
    case LayerType::conv:
      break;
  }
  return "conv";
}

const char* to_string(PoolMode m) {
  return m == PoolMode::max ? "max" : (m == PoolMode::avg ? "avg" : "global");
}

const char* to_string(Activation a) {
  switch (a) {
    case Activation::relu6:
      return "relu6";
    case Activation::sigmoid:
      return "sigmoid";
    case Activation::silu:
      return "silu";
    case Activation::hardswish:
      return "hardswish";
    case Activation::relu:
      break;
  }
  return "relu";
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
