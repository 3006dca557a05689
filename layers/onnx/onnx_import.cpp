// The ONNX import: load the ModelProto, check its opset, run ONNX shape inference, map each node to a layer (see
// onnx_import.hpp for the mapping). Without libonnx (LAYER_ENERGY_HAVE_ONNX=0) import_onnx throws the reason.
#include "layers/onnx/onnx_import.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#if LAYER_ENERGY_HAVE_ONNX
#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <unordered_map>
#include <unordered_set>
#endif

namespace layer_energy::layers {

std::string onnx_stem(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  const std::size_t dot = name.find_last_of('.');
  if (dot != std::string::npos && dot > 0) name.erase(dot);
  return name;
}

bool onnx_built(std::string* why) {
#if LAYER_ENERGY_HAVE_ONNX
  if (why != nullptr) why->clear();
  return true;
#else
  if (why != nullptr) *why = LAYER_ENERGY_ONNX_MISSING;
  return false;
#endif
}

#if !LAYER_ENERGY_HAVE_ONNX

OnnxImport import_onnx(const std::string& path, const OnnxOptions& /*options*/) {
  throw std::runtime_error(path + ": " + LAYER_ENERGY_ONNX_MISSING);
}

#else

namespace {

namespace ox = ONNX_NAMESPACE;

// The oldest default-domain opset read: older ones differ in attributes this import does not handle (e.g.
// BatchNormalization's "spatial", Clip's min/max before opset 11 are handled; "consumed_inputs" before 6 is not).
constexpr int64_t kMinOpset = 7;
// Dimensions and window attributes beyond int range are refused before any arithmetic on them (as validate() does).
constexpr int64_t kMaxValue = 2147483647;

using Shape = std::vector<int64_t>;  // -1: a dimension shape inference left unknown (symbolic or missing)

std::string join(const std::vector<int64_t>& values) {
  std::string s = "[";
  for (std::size_t i = 0; i < values.size(); ++i) s += (i ? "," : "") + std::to_string(values[i]);
  return s + "]";
}

std::string shape_text(const Shape& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + (shape[i] < 0 ? "?" : std::to_string(shape[i]));
  return s + "]";
}

bool known(const Shape& shape) {
  return std::all_of(shape.begin(), shape.end(), [](int64_t d) { return d >= 0; });
}

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::string s = std::to_string(v);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

// The first element of a tensor as a double; false when it has none or its type is not a number read here.
bool scalar_value(const ox::TensorProto& t, double* value) {
  const std::string& raw = t.raw_data();
  switch (t.data_type()) {
    case ox::TensorProto::FLOAT:
      if (t.float_data_size() > 0) return *value = t.float_data(0), true;
      if (raw.size() >= sizeof(float)) {
        float f;
        std::memcpy(&f, raw.data(), sizeof f);
        return *value = f, true;
      }
      return false;
    case ox::TensorProto::DOUBLE:
      if (t.double_data_size() > 0) return *value = t.double_data(0), true;
      if (raw.size() >= sizeof(double)) {
        double d;
        std::memcpy(&d, raw.data(), sizeof d);
        return *value = d, true;
      }
      return false;
    case ox::TensorProto::FLOAT16: {
      uint16_t h;
      if (t.int32_data_size() > 0) {
        h = static_cast<uint16_t>(t.int32_data(0));
      } else if (raw.size() >= sizeof h) {
        std::memcpy(&h, raw.data(), sizeof h);
      } else {
        return false;
      }
      const int exponent = (h >> 10) & 0x1f;
      const int mantissa = h & 0x3ff;
      double v;
      if (exponent == 0) {
        v = std::ldexp(mantissa, -24);
      } else if (exponent == 31) {
        v = mantissa ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity();
      } else {
        v = std::ldexp(mantissa + 1024, exponent - 25);
      }
      return *value = (h & 0x8000) ? -v : v, true;
    }
    case ox::TensorProto::INT32:
      if (t.int32_data_size() > 0) return *value = t.int32_data(0), true;
      if (raw.size() >= sizeof(int32_t)) {
        int32_t i;
        std::memcpy(&i, raw.data(), sizeof i);
        return *value = i, true;
      }
      return false;
    case ox::TensorProto::INT64:
      if (t.int64_data_size() > 0) return *value = static_cast<double>(t.int64_data(0)), true;
      if (raw.size() >= sizeof(int64_t)) {
        int64_t i;
        std::memcpy(&i, raw.data(), sizeof i);
        return *value = static_cast<double>(i), true;
      }
      return false;
    default:
      return false;
  }
}

Shape shape_of_type(const ox::TypeProto& type, bool* has_shape) {
  Shape shape;
  *has_shape = type.has_tensor_type() && type.tensor_type().has_shape();
  if (!*has_shape) return shape;
  for (const auto& dim : type.tensor_type().shape().dim()) shape.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
  return shape;
}

const std::unordered_set<std::string>& free_op_types() {
  static const std::unordered_set<std::string> ops = {"Flatten", "Reshape",   "Identity", "Dropout",
                                                      "Squeeze", "Unsqueeze", "Constant"};
  return ops;
}

class Importer {
 public:
  Importer(const std::string& path, const OnnxOptions& options) : path_(path), options_(options) {}

  OnnxImport run() {
    load();
    result_.stem = onnx_stem(path_);
    check_opset();
    index_graph();
    set_batch();
    infer_shapes();
    collect_shapes();
    const auto& nodes = graph().node();
    for (int i = 0; i < nodes.size(); ++i) {
      if (consumed_.count(i)) continue;
      map_node(i);
    }
    return std::move(result_);
  }

 private:
  const ox::GraphProto& graph() const { return model_.graph(); }
  const ox::NodeProto& node(int i) const { return graph().node(i); }

  [[noreturn]] void fail(const std::string& what) const { throw std::runtime_error(path_ + ": " + what); }
  [[noreturn]] void fail(int i, const std::string& what) const {
    fail("node " + display_name(i) + " (" + node(i).op_type() + "): " + what);
  }

  std::string display_name(int i) const {
    const ox::NodeProto& n = node(i);
    if (!n.name().empty()) return n.name();
    if (n.output_size() > 0 && !n.output(0).empty()) return n.output(0);
    return "#" + std::to_string(i);
  }

  void load() {
    std::ifstream in(path_, std::ios::binary);
    if (!in) fail(std::string("cannot open (") + std::strerror(errno) + ")");
    if (!model_.ParseFromIstream(&in)) fail("not an ONNX model (the file does not parse as an ONNX ModelProto)");
    if (model_.ir_version() <= 0 || !model_.has_graph() || model_.graph().node_size() == 0) {
      fail("not an ONNX model (" + std::string(model_.ir_version() <= 0 ? "no IR version" : "no graph nodes") + ")");
    }
  }

  void check_opset() {
    int64_t opset = -1;
    for (const auto& import : model_.opset_import()) {
      if (import.domain().empty() || import.domain() == "ai.onnx") opset = import.version();
    }
    if (opset < 0) fail("no opset for the default domain (ai.onnx) in opset_import");
    const auto& ranges = ox::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
    const auto it = ranges.find(ox::ONNX_DOMAIN);
    const int64_t newest = it == ranges.end() ? kMinOpset : it->second.second;
    if (opset < kMinOpset || opset > newest) {
      fail("opset " + std::to_string(opset) + " cannot be read (this build reads default-domain opsets " +
           std::to_string(kMinOpset) + " to " + std::to_string(newest) + ")");
    }
    result_.opset = opset;
  }

  // Producers, consumers and constants of every tensor name.
  void index_graph() {
    const ox::GraphProto& g = graph();
    for (const auto& init : g.initializer()) constants_.insert(init.name());
    for (const auto& out : g.output()) graph_outputs_.insert(out.name());
    for (int i = 0; i < g.node_size(); ++i) {
      const ox::NodeProto& n = g.node(i);
      for (int k = 0; k < n.input_size(); ++k) {
        if (n.input(k).empty()) continue;
        consumers_[n.input(k)].push_back(i);
      }
      for (const auto& out : n.output()) producer_[out] = i;
      if (n.op_type() == "Constant" && n.output_size() == 1) {
        constants_.insert(n.output(0));
        for (const auto& a : n.attribute()) {
          if (a.name() == "value" && a.has_t()) constant_values_[n.output(0)] = &a.t();
        }
      }
    }
    for (const auto& init : g.initializer()) constant_values_[init.name()] = &init;
    // A graph input that is an initializer (IR < 4 lists them), or that no node reads at input 0, is a weight.
    for (int k = 0; k < g.input_size(); ++k) {
      const std::string& name = g.input(k).name();
      if (constants_.count(name)) continue;
      if (read_as_data(name, 0)) {
        data_inputs_.push_back(k);
      } else {
        weight_inputs_.insert(name);
      }
    }
  }

  // Whether some node reads tensor `name` at its input 0 (the data input of every operator mapped here), looking
  // through the view-like operators an exporter puts between a weight and its use (Identity, Transpose, ...).
  bool read_as_data(const std::string& name, int depth) const {
    static const std::unordered_set<std::string> pass = {"Identity", "Transpose", "Reshape", "Flatten",
                                                         "Squeeze",  "Unsqueeze", "Cast"};
    const auto it = consumers_.find(name);
    if (it == consumers_.end()) return false;
    for (int c : it->second) {
      const ox::NodeProto& n = node(c);
      if (n.input(0) != name) continue;
      if (!pass.count(n.op_type()) || depth > 16) return true;
      for (const auto& out : n.output()) {
        if (read_as_data(out, depth + 1)) return true;
      }
    }
    return false;
  }

  // A symbolic batch dimension becomes 1 (noted); options_.batch > 0 replaces the batch of every data input.
  void set_batch() {
    ox::GraphProto* g = model_.mutable_graph();
    bool changed = false;
    for (int k : data_inputs_) {
      ox::ValueInfoProto* input = g->mutable_input(k);
      if (!input->type().has_tensor_type() || !input->type().tensor_type().has_shape()) continue;
      ox::TensorShapeProto* shape = input->mutable_type()->mutable_tensor_type()->mutable_shape();
      if (shape->dim_size() == 0) continue;
      ox::TensorShapeProto_Dimension* dim = shape->mutable_dim(0);
      if (options_.batch > 0) {
        if (!dim->has_dim_value() || dim->dim_value() != options_.batch) {
          result_.notes.push_back(
              "input " + input->name() + ": batch " +
              (dim->has_dim_value() ? std::to_string(dim->dim_value()) : "'" + dim->dim_param() + "'") + " set to " +
              std::to_string(options_.batch));
          dim->set_dim_value(options_.batch);
          changed = true;
        }
      } else if (!dim->has_dim_value()) {
        result_.notes.push_back("input " + input->name() + ": symbolic batch dimension" +
                                (dim->dim_param().empty() ? std::string() : " '" + dim->dim_param() + "'") +
                                " taken as 1");
        dim->set_dim_value(1);
        changed = true;
      }
    }
    if (changed) {
      // Shapes recorded for the old batch would contradict the new ones: inference recomputes them.
      g->clear_value_info();
      for (auto& out : *g->mutable_output()) {
        if (out.type().has_tensor_type()) out.mutable_type()->mutable_tensor_type()->clear_shape();
      }
    }
  }

  void infer_shapes() {
    // Node-level inference errors are not thrown (error_mode 0): a node left without a shape is reported where a
    // layer needs it, naming that node. Data propagation computes Reshape targets built from Shape/Gather/Concat.
    const ox::ShapeInferenceOptions inference(/*check_type=*/false, /*error_mode=*/0, /*data_prop=*/true);
    try {
      ox::shape_inference::InferShapes(model_, ox::OpSchemaRegistry::Instance(), inference);
    } catch (const std::exception& e) {
      fail(std::string("shape inference failed: ") + e.what());
    }
  }

  void collect_shapes() {
    const ox::GraphProto& g = graph();
    bool has = false;
    for (const auto* list : {&g.input(), &g.value_info(), &g.output()}) {
      for (const auto& v : *list) {
        Shape s = shape_of_type(v.type(), &has);
        if (has) shapes_[v.name()] = std::move(s);
      }
    }
    for (const auto& init : g.initializer()) shapes_[init.name()] = Shape(init.dims().begin(), init.dims().end());
  }

  // ---- node attributes and inputs

  const ox::AttributeProto* attribute(int i, const char* name) const {
    for (const auto& a : node(i).attribute()) {
      if (a.name() == name) return &a;
    }
    return nullptr;
  }
  int64_t int_attribute(int i, const char* name, int64_t fallback) const {
    const ox::AttributeProto* a = attribute(i, name);
    return a ? a->i() : fallback;
  }
  double float_attribute(int i, const char* name, double fallback) const {
    const ox::AttributeProto* a = attribute(i, name);
    return a ? a->f() : fallback;
  }
  // A list of window values (kernel, strides, pads, dilations); each must lie in [0, 2^31 - 1].
  std::vector<int64_t> ints_attribute(int i, const char* name) const {
    const ox::AttributeProto* a = attribute(i, name);
    std::vector<int64_t> values = a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : std::vector<int64_t>{};
    for (int64_t v : values) {
      if (v < 0 || v > kMaxValue) fail(i, std::string(name) + " " + join(values) + ": a value out of range");
    }
    return values;
  }
  std::string string_attribute(int i, const char* name, const std::string& fallback) const {
    const ox::AttributeProto* a = attribute(i, name);
    return a ? a->s() : fallback;
  }

  bool has_input(int i, int k) const { return node(i).input_size() > k && !node(i).input(k).empty(); }

  // The complete shape of input k of node i; fails naming the node when inference left it unknown.
  const Shape& input_shape(int i, int k) const {
    if (!has_input(i, k)) fail(i, "input " + std::to_string(k) + " is missing");
    const std::string& name = node(i).input(k);
    const auto it = shapes_.find(name);
    if (it == shapes_.end()) fail(i, "no shape for input '" + name + "' after shape inference");
    if (!known(it->second)) {
      fail(i, "input '" + name + "' has shape " + shape_text(it->second) +
                  " after shape inference (a symbolic dimension other than the batch)");
    }
    for (int64_t d : it->second) {
      if (d > kMaxValue)
        fail(i, "input '" + name + "' has shape " + shape_text(it->second) + ": a dimension too large");
    }
    return it->second;
  }
  // The output shape where inference gave a complete one (empty otherwise).
  Shape output_shape(int i) const {
    if (node(i).output_size() == 0) return {};
    const auto it = shapes_.find(node(i).output(0));
    return it != shapes_.end() && known(it->second) ? it->second : Shape{};
  }

  bool is_weight(const std::string& name) const { return constants_.count(name) || weight_inputs_.count(name); }

  // The only node reading tensor `name`, or -1 (none, several, or a graph output as well).
  int only_consumer(const std::string& name) const {
    if (graph_outputs_.count(name)) return -1;
    const auto it = consumers_.find(name);
    if (it == consumers_.end() || it->second.size() != 1) return -1;
    return it->second.front();
  }

  // ---- results

  void add_layer(int i, Layer layer) {
    layer.label = display_name(i);
    const std::string problem = validate(layer);
    if (!problem.empty()) fail(i, problem + " (as " + case_name(layer) + ")");
    result_.node_names.push_back(layer.label);
    result_.layers.push_back(std::move(layer));
  }

  void skip(int i, const std::string& key) {
    const std::string& domain = node(i).domain();
    ++result_.skipped_ops[domain.empty() || domain == "ai.onnx" ? key : key + " (" + domain + ")"];
  }

  // N, C, H, W of a pool/act/add/bn tensor: rank 4 as it is, rank 3 as N, C, H, 1, rank 2 as N, C, 1, 1.
  bool tensor_op_shape(const Shape& s, TensorOpShape* op) const {
    if (s.size() < 2 || s.size() > 4) return false;
    op->N = s[0];
    op->C = s[1];
    op->H = s.size() > 2 ? s[2] : 1;
    op->W = s.size() > 3 ? s[3] : 1;
    return true;
  }

  // One pad for both sides of both axes, from pads or auto_pad; fails naming the node otherwise.
  int64_t single_pad(int i, const Shape& x, int64_t kernel_h, int64_t kernel_w, int64_t stride) const {
    const std::string auto_pad = string_attribute(i, "auto_pad", "NOTSET");
    int64_t begin_h = 0, begin_w = 0, end_h = 0, end_w = 0;
    if (auto_pad == "VALID") return 0;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      const auto total = [stride](int64_t in, int64_t kernel) {
        const int64_t out = (in + stride - 1) / stride;
        return std::max<int64_t>((out - 1) * stride + kernel - in, 0);
      };
      const int64_t total_h = total(x[2], kernel_h), total_w = total(x[3], kernel_w);
      const bool upper = auto_pad == "SAME_UPPER";
      begin_h = upper ? total_h / 2 : total_h - total_h / 2;
      end_h = total_h - begin_h;
      begin_w = upper ? total_w / 2 : total_w - total_w / 2;
      end_w = total_w - begin_w;
    } else if (auto_pad == "NOTSET" || auto_pad.empty()) {
      const std::vector<int64_t> pads = ints_attribute(i, "pads");
      if (!pads.empty()) {
        if (pads.size() != 4) fail(i, "pads " + join(pads) + " are not the 4 values of a 2-D window");
        begin_h = pads[0], begin_w = pads[1], end_h = pads[2], end_w = pads[3];
      }
    } else {
      fail(i, "auto_pad " + auto_pad + " is not an ONNX value");
    }
    const std::string shown = auto_pad == "NOTSET" || auto_pad.empty()
                                  ? "pads " + join({begin_h, begin_w, end_h, end_w})
                                  : "auto_pad " + auto_pad + " (pads " + join({begin_h, begin_w, end_h, end_w}) + ")";
    if (begin_h != end_h || begin_w != end_w) {
      fail(i, shown + " are not symmetric: the cases have one pad for both sides");
    }
    if (begin_h != begin_w) fail(i, shown + " differ between height and width: the cases have one pad for both axes");
    return begin_h;
  }

  // The one stride of both axes; fails naming the node when they differ.
  int64_t single_stride(int i) const {
    const std::vector<int64_t> strides = ints_attribute(i, "strides");
    if (strides.empty()) return 1;
    if (strides.size() != 2) fail(i, "strides " + join(strides) + " are not the 2 values of a 2-D window");
    if (strides[0] != strides[1]) {
      fail(i, "strides " + join(strides) + " differ between height and width: the cases have one stride");
    }
    if (strides[0] < 1) fail(i, "strides " + join(strides) + " must be positive");
    return strides[0];
  }

  void check_dilations(int i) const {
    const std::vector<int64_t> dilations = ints_attribute(i, "dilations");
    for (int64_t d : dilations) {
      if (d != 1) fail(i, "dilation not supported yet (dilations " + join(dilations) + ")");
    }
  }

  void check_output(int i, const Shape& expected) const {
    const Shape inferred = output_shape(i);
    if (!inferred.empty() && inferred != expected) {
      fail(i, "shape inference gives output " + shape_text(inferred) + " but the layer's geometry gives " +
                  shape_text(expected));
    }
  }

  // ---- the operators

  void map_node(int i) {
    const ox::NodeProto& n = node(i);
    const std::string& op = n.op_type();
    const bool default_domain = n.domain().empty() || n.domain() == "ai.onnx";
    if (!default_domain) return skip(i, op);
    if (op == "Conv") return conv(i);
    if (op == "Gemm") return gemm(i);
    if (op == "MatMul") return matmul(i);
    if (op == "MaxPool" || op == "AveragePool") return pool(i, op == "MaxPool" ? PoolMode::max : PoolMode::avg);
    if (op == "GlobalAveragePool") return global_pool(i);
    if (op == "Add") return add(i);
    if (op == "Relu") return act(i, Activation::relu);
    if (op == "Sigmoid") return gated(i, Activation::silu);
    if (op == "HardSwish") return act(i, Activation::hardswish);
    if (op == "HardSigmoid") return gated(i, Activation::hardswish);
    if (op == "Clip") return clip(i);
    if (op == "BatchNormalization") return batch_norm(i);
    if (op == "Mul") {
      const bool same = has_input(i, 1) && shapes_.count(n.input(0)) && shapes_.count(n.input(1)) &&
                        shapes_.at(n.input(0)) == shapes_.at(n.input(1));
      return skip(i, same ? "Mul" : "Mul (broadcast)");
    }
    if (free_op_types().count(op)) {
      ++result_.free_ops[op];
      return;
    }
    skip(i, op);
  }

  void conv(int i) {
    const Shape& x = input_shape(i, 0);
    const Shape& w = input_shape(i, 1);
    if (x.size() != 4 || w.size() != 4) {
      fail(i, "only 2-D convolution (4-D input and weight) has a case; input " + shape_text(x) + ", weight " +
                  shape_text(w));
    }
    check_dilations(i);
    const int64_t groups = int_attribute(i, "group", 1);
    const std::vector<int64_t> kernel = ints_attribute(i, "kernel_shape");
    if (!kernel.empty() && kernel != std::vector<int64_t>{w[2], w[3]}) {
      fail(i, "kernel_shape " + join(kernel) + " differs from the weight's " + shape_text(w));
    }
    if (groups < 1 || x[1] % groups != 0 || w[1] != x[1] / groups) {
      fail(i, "weight " + shape_text(w) + " with group=" + std::to_string(groups) + " does not fit input " +
                  shape_text(x));
    }
    Layer layer;
    layer.type = LayerType::conv;
    ConvShape& c = layer.conv;
    c.N = x[0], c.C = x[1], c.H = x[2], c.W = x[3];
    c.K = w[0], c.R = w[2], c.S = w[3];
    c.stride = single_stride(i);
    c.pad = single_pad(i, x, c.R, c.S, c.stride);
    c.groups = groups;
    check_output(i, {c.N, c.K, output_height(c), output_width(c)});
    add_layer(i, layer);
  }

  void gemm(int i) {
    const Shape& a = input_shape(i, 0);
    const Shape& b = input_shape(i, 1);
    if (a.size() != 2 || b.size() != 2) {
      fail(i, "Gemm needs 2-D A and B (A is N x in); got A " + shape_text(a) + ", B " + shape_text(b));
    }
    const bool trans_a = int_attribute(i, "transA", 0) != 0, trans_b = int_attribute(i, "transB", 0) != 0;
    Layer layer;
    layer.type = LayerType::fc;
    layer.fc.N = trans_a ? a[1] : a[0];
    layer.fc.in = trans_a ? a[0] : a[1];
    const int64_t b_in = trans_b ? b[1] : b[0];
    layer.fc.out = trans_b ? b[0] : b[1];
    if (b_in != layer.fc.in) {
      fail(i, "A " + shape_text(a) + (trans_a ? " (transA)" : "") + " and B " + shape_text(b) +
                  (trans_b ? " (transB)" : "") + " do not multiply");
    }
    check_output(i, {layer.fc.N, layer.fc.out});
    add_layer(i, layer);
  }

  void matmul(int i) {
    const Shape& a = input_shape(i, 0);
    const Shape& b = input_shape(i, 1);
    if (b.size() != 2 || a.empty()) return skip(i, "MatMul (batched)");
    Layer layer;
    layer.type = LayerType::fc;
    layer.fc.N = 1;
    for (std::size_t d = 0; d + 1 < a.size(); ++d) {
      layer.fc.N *= a[d];
      if (layer.fc.N > kMaxValue) fail(i, "A " + shape_text(a) + " has more than 2^31 - 1 rows");
    }
    layer.fc.in = a.back();
    layer.fc.out = b[1];
    if (b[0] != layer.fc.in) fail(i, "A " + shape_text(a) + " and B " + shape_text(b) + " do not multiply");
    if (a.size() > 2) {
      result_.notes.push_back("MatMul " + display_name(i) + ": N=" + std::to_string(layer.fc.N) +
                              " is the product of the leading dimensions of its " + shape_text(a) + " input");
    }
    add_layer(i, layer);
  }

  void pool(int i, PoolMode mode) {
    const Shape& x = input_shape(i, 0);
    if (x.size() != 4) fail(i, "only 2-D pooling (a 4-D input) has a case; input " + shape_text(x));
    const std::vector<int64_t> kernel = ints_attribute(i, "kernel_shape");
    if (kernel.size() != 2) fail(i, "kernel_shape " + join(kernel) + " is not the 2 values of a 2-D window");
    if (kernel[0] != kernel[1]) fail(i, "kernel_shape " + join(kernel) + " is not square: the cases have one R");
    check_dilations(i);
    Layer layer;
    layer.type = LayerType::pool;
    TensorOpShape& p = layer.op;
    p.N = x[0], p.C = x[1], p.H = x[2], p.W = x[3];
    p.R = kernel[0];
    p.stride = single_stride(i);
    p.pad = single_pad(i, x, p.R, p.R, p.stride);
    p.mode = mode;
    if (int_attribute(i, "ceil_mode", 0) != 0) {
      // Ceil mode differs from the cases' floor only where the window does not fit evenly.
      const auto ceil_size = [&p](int64_t in) { return (in + 2 * p.pad - p.R + p.stride - 1) / p.stride + 1; };
      if (ceil_size(p.H) != pool_output_height(p) || ceil_size(p.W) != pool_output_width(p)) {
        fail(i, "ceil_mode=1 is not supported (it gives a " + std::to_string(ceil_size(p.H)) + "x" +
                    std::to_string(ceil_size(p.W)) + " output where the cases' floor gives " +
                    std::to_string(pool_output_height(p)) + "x" + std::to_string(pool_output_width(p)) + ")");
      }
    }
    check_output(i, {p.N, p.C, pool_output_height(p), pool_output_width(p)});
    if (p.R == 1 && p.stride == 1 && p.pad == 0) {
      // A 1x1 window copies its input: torch exports AdaptiveAvgPool2d at its own output size so.
      ++result_.free_ops[node(i).op_type() + " (1x1)"];
      return;
    }
    add_layer(i, layer);
  }

  void global_pool(int i) {
    const Shape& x = input_shape(i, 0);
    if (x.size() != 4) fail(i, "only 2-D pooling (a 4-D input) has a case; input " + shape_text(x));
    Layer layer;
    layer.type = LayerType::pool;
    TensorOpShape& p = layer.op;
    p.N = x[0], p.C = x[1], p.H = x[2], p.W = x[3];
    p.R = p.H, p.stride = 1, p.pad = 0;
    p.mode = PoolMode::global;
    add_layer(i, layer);
  }

  void add(int i) {
    const ox::NodeProto& n = node(i);
    if (n.input_size() != 2) return skip(i, "Add");
    if (is_weight(n.input(0)) || is_weight(n.input(1))) return skip(i, "Add (bias)");
    const Shape& a = input_shape(i, 0);
    const Shape& b = input_shape(i, 1);
    if (a != b) return skip(i, "Add (broadcast)");
    Layer layer;
    layer.type = LayerType::add;
    if (!tensor_op_shape(a, &layer.op)) return skip(i, "Add (rank " + std::to_string(a.size()) + ")");
    add_layer(i, layer);
  }

  void act(int i, Activation a) {
    const Shape& x = input_shape(i, 0);
    Layer layer;
    layer.type = LayerType::act;
    layer.op.op = a;
    if (!tensor_op_shape(x, &layer.op)) {
      return skip(i, node(i).op_type() + " (rank " + std::to_string(x.size()) + ")");
    }
    add_layer(i, layer);
  }

  // Sigmoid(x) * x -> silu, HardSigmoid(x; 1/6, 0.5) * x -> hardswish, the Mul consumed; a lone Sigmoid is a sigmoid
  // layer, a lone HardSigmoid has no case.
  void gated(int i, Activation fused) {
    const ox::NodeProto& n = node(i);
    if (!has_input(i, 0)) fail(i, "input 0 is missing");
    const bool hard = fused == Activation::hardswish;
    bool gate_form = true;
    if (hard) {
      const double alpha = float_attribute(i, "alpha", 0.2), beta = float_attribute(i, "beta", 0.5);
      gate_form = std::fabs(alpha - 1.0 / 6.0) < 1e-4 && std::fabs(beta - 0.5) < 1e-6;
    }
    const int mul = n.output_size() == 1 ? only_consumer(n.output(0)) : -1;
    if (gate_form && mul >= 0 && node(mul).op_type() == "Mul" && node(mul).input_size() == 2) {
      const ox::NodeProto& m = node(mul);
      const std::string& x = n.input(0);
      const std::string& gate = n.output(0);
      if ((m.input(0) == x && m.input(1) == gate) || (m.input(0) == gate && m.input(1) == x)) {
        consumed_.insert(mul);
        result_.notes.push_back(n.op_type() + " " + display_name(i) + " and Mul " + display_name(mul) + " fused into " +
                                to_string(fused));
        return act(i, fused);
      }
    }
    if (hard) return skip(i, "HardSigmoid");
    act(i, Activation::sigmoid);
  }

  // A bound of Clip: an attribute before opset 11, a constant input from 11 on; false when it is not constant.
  bool clip_bound(int i, int k, const char* name, double fallback, double* value) const {
    *value = fallback;
    if (result_.opset < 11) {
      *value = float_attribute(i, name, fallback);
      return true;
    }
    if (!has_input(i, k)) return true;
    return constant_scalar(node(i).input(k), value);
  }

  // The value of a one-element constant: an initializer, or a Constant node's value / value_float / value_int.
  bool constant_scalar(const std::string& name, double* value) const {
    const auto it = constant_values_.find(name);
    if (it != constant_values_.end()) return scalar_value(*it->second, value);
    const auto producer = producer_.find(name);
    if (producer == producer_.end() || node(producer->second).op_type() != "Constant") return false;
    for (const auto& a : node(producer->second).attribute()) {
      if (a.name() == "value_float") return *value = a.f(), true;
      if (a.name() == "value_int") return *value = static_cast<double>(a.i()), true;
    }
    return false;
  }

  void clip(int i) {
    double lo = 0, hi = 0;
    const double inf = std::numeric_limits<double>::infinity();
    if (!clip_bound(i, 1, "min", -inf, &lo) || !clip_bound(i, 2, "max", inf, &hi)) {
      return skip(i, "Clip (non-constant range)");
    }
    // fp32 files store FLT_MAX/-FLT_MAX for "no bound" (torch's hardtanh, opset < 11 defaults).
    const double big = static_cast<double>(std::numeric_limits<float>::max());
    if (lo == 0 && hi == 6) return act(i, Activation::relu6);
    if (lo == 0 && hi >= big) return act(i, Activation::relu);
    skip(i, "Clip (other range)");
    result_.notes.push_back("Clip " + display_name(i) + " with range [" + number(lo) + ", " + number(hi) +
                            "] has no case (relu6 is [0, 6])");
  }

  void batch_norm(int i) {
    const ox::NodeProto& n = node(i);
    if (!has_input(i, 0)) fail(i, "input 0 is missing");
    const std::string& x = n.input(0);
    const auto producer = producer_.find(x);
    if (options_.fold_bn && producer != producer_.end() && node(producer->second).op_type() == "Conv" &&
        (node(producer->second).domain().empty() || node(producer->second).domain() == "ai.onnx") &&
        only_consumer(x) == i) {
      result_.notes.push_back("BatchNormalization " + display_name(i) + " folded into " +
                              display_name(producer->second));
      return;
    }
    const Shape& s = input_shape(i, 0);
    Layer layer;
    layer.type = LayerType::bn;
    if (!tensor_op_shape(s, &layer.op)) return skip(i, "BatchNormalization (rank " + std::to_string(s.size()) + ")");
    add_layer(i, layer);
  }

  std::string path_;
  OnnxOptions options_;
  ox::ModelProto model_;
  OnnxImport result_;
  std::unordered_map<std::string, Shape> shapes_;
  std::unordered_map<std::string, int> producer_;
  std::unordered_map<std::string, std::vector<int> > consumers_;
  std::unordered_set<std::string> constants_;      // initializers and Constant outputs
  std::unordered_set<std::string> weight_inputs_;  // graph inputs no node reads at input 0
  std::unordered_map<std::string, const ox::TensorProto*> constant_values_;
  std::unordered_set<std::string> graph_outputs_;
  std::vector<int> data_inputs_;  // indices into graph().input()
  std::set<int> consumed_;        // Mul nodes fused into an activation
};

}  // namespace

OnnxImport import_onnx(const std::string& path, const OnnxOptions& options) {
  return Importer(path, options).run();
}

#endif

}  // namespace layer_energy::layers
