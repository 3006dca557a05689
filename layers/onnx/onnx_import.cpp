// The ONNX import's public side: import_onnx maps each node of the file, read by OnnxGraph (onnx_graph.hpp), to a
// layer case (see onnx_import.hpp for the mapping). Without libonnx (LAYER_ENERGY_HAVE_ONNX=0) only this file is
// built, and import_onnx throws the reason.
#include "layers/onnx/onnx_import.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#if LAYER_ENERGY_HAVE_ONNX
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <unordered_set>
#include <utility>

#include "layers/onnx/onnx_graph.hpp"
#include "layers/onnx/onnx_values.hpp"
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
using onnx_detail::join;
using onnx_detail::kMaxValue;
using onnx_detail::number;
using onnx_detail::OnnxGraph;
using onnx_detail::Shape;
using onnx_detail::shape_text;

// The view-like operators counted in free_ops: no work of their own.
const std::unordered_set<std::string>& free_op_types() {
  static const std::unordered_set<std::string> ops = {"Flatten", "Reshape",   "Identity", "Dropout",
                                                      "Squeeze", "Unsqueeze", "Constant"};
  return ops;
}

// Maps the nodes of one graph, in graph order, to layers, skipped and free operators and notes.
class LayerMapper {
 public:
  LayerMapper(const OnnxGraph& graph, const OnnxOptions& options) : graph_(graph), options_(options) {}

  OnnxImport run() {
    result_.stem = onnx_stem(graph_.path());
    result_.opset = graph_.opset();
    result_.notes = graph_.notes();
    for (int i = 0; i < graph_.node_count(); ++i) {
      if (consumed_.count(i)) continue;
      map_node(i);
    }
    return std::move(result_);
  }

 private:
  // ---- results

  void add_layer(int i, Layer layer) {
    layer.label = graph_.display_name(i);
    const std::string problem = validate(layer);
    if (!problem.empty()) graph_.fail_node(i, problem + " (as " + case_name(layer) + ")");
    result_.node_names.push_back(layer.label);
    result_.layers.push_back(std::move(layer));
  }

  void skip(int i, const std::string& key) {
    const std::string& domain = graph_.node(i).domain();
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
    const std::string auto_pad = graph_.string_attribute(i, "auto_pad", "NOTSET");
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
      const std::vector<int64_t> pads = graph_.ints_attribute(i, "pads");
      if (!pads.empty()) {
        if (pads.size() != 4) graph_.fail_node(i, "pads " + join(pads) + " are not the 4 values of a 2-D window");
        begin_h = pads[0], begin_w = pads[1], end_h = pads[2], end_w = pads[3];
      }
    } else {
      graph_.fail_node(i, "auto_pad " + auto_pad + " is not an ONNX value");
    }
    const std::string shown = auto_pad == "NOTSET" || auto_pad.empty()
                                  ? "pads " + join({begin_h, begin_w, end_h, end_w})
                                  : "auto_pad " + auto_pad + " (pads " + join({begin_h, begin_w, end_h, end_w}) + ")";
    if (begin_h != end_h || begin_w != end_w) {
      graph_.fail_node(i, shown + " are not symmetric: the cases have one pad for both sides");
    }
    if (begin_h != begin_w) {
      graph_.fail_node(i, shown + " differ between height and width: the cases have one pad for both axes");
    }
    return begin_h;
  }

  // The one stride of both axes; fails naming the node when they differ.
  int64_t single_stride(int i) const {
    const std::vector<int64_t> strides = graph_.ints_attribute(i, "strides");
    if (strides.empty()) return 1;
    if (strides.size() != 2) graph_.fail_node(i, "strides " + join(strides) + " are not the 2 values of a 2-D window");
    if (strides[0] != strides[1]) {
      graph_.fail_node(i, "strides " + join(strides) + " differ between height and width: the cases have one stride");
    }
    if (strides[0] < 1) graph_.fail_node(i, "strides " + join(strides) + " must be positive");
    return strides[0];
  }

  void check_dilations(int i) const {
    const std::vector<int64_t> dilations = graph_.ints_attribute(i, "dilations");
    for (int64_t d : dilations) {
      if (d != 1) graph_.fail_node(i, "dilation not supported yet (dilations " + join(dilations) + ")");
    }
  }

  void check_output(int i, const Shape& expected) const {
    const Shape inferred = graph_.output_shape(i);
    if (!inferred.empty() && inferred != expected) {
      graph_.fail_node(i, "shape inference gives output " + shape_text(inferred) + " but the layer's geometry gives " +
                              shape_text(expected));
    }
  }

  // ---- the operators

  void map_node(int i) {
    const ox::NodeProto& n = graph_.node(i);
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
      const bool same = graph_.has_input(i, 1) && graph_.same_shape(n.input(0), n.input(1));
      return skip(i, same ? "Mul" : "Mul (broadcast)");
    }
    if (free_op_types().count(op)) {
      ++result_.free_ops[op];
      return;
    }
    skip(i, op);
  }

  void conv(int i) {
    const Shape& x = graph_.input_shape(i, 0);
    const Shape& w = graph_.input_shape(i, 1);
    if (x.size() != 4 || w.size() != 4) {
      graph_.fail_node(i, "only 2-D convolution (4-D input and weight) has a case; input " + shape_text(x) +
                              ", weight " + shape_text(w));
    }
    check_dilations(i);
    const int64_t groups = graph_.int_attribute(i, "group", 1);
    const std::vector<int64_t> kernel = graph_.ints_attribute(i, "kernel_shape");
    if (!kernel.empty() && kernel != std::vector<int64_t>{w[2], w[3]}) {
      graph_.fail_node(i, "kernel_shape " + join(kernel) + " differs from the weight's " + shape_text(w));
    }
    if (groups < 1 || x[1] % groups != 0 || w[1] != x[1] / groups) {
      graph_.fail_node(i, "weight " + shape_text(w) + " with group=" + std::to_string(groups) + " does not fit input " +
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
    const Shape& a = graph_.input_shape(i, 0);
    const Shape& b = graph_.input_shape(i, 1);
    if (a.size() != 2 || b.size() != 2) {
      graph_.fail_node(i, "Gemm needs 2-D A and B (A is N x in); got A " + shape_text(a) + ", B " + shape_text(b));
    }
    const bool trans_a = graph_.int_attribute(i, "transA", 0) != 0, trans_b = graph_.int_attribute(i, "transB", 0) != 0;
    Layer layer;
    layer.type = LayerType::fc;
    layer.fc.N = trans_a ? a[1] : a[0];
    layer.fc.in = trans_a ? a[0] : a[1];
    const int64_t b_in = trans_b ? b[1] : b[0];
    layer.fc.out = trans_b ? b[0] : b[1];
    if (b_in != layer.fc.in) {
      graph_.fail_node(i, "A " + shape_text(a) + (trans_a ? " (transA)" : "") + " and B " + shape_text(b) +
                              (trans_b ? " (transB)" : "") + " do not multiply");
    }
    check_output(i, {layer.fc.N, layer.fc.out});
    add_layer(i, layer);
  }

  void matmul(int i) {
    const Shape& a = graph_.input_shape(i, 0);
    const Shape& b = graph_.input_shape(i, 1);
    if (b.size() != 2 || a.empty()) return skip(i, "MatMul (batched)");
    Layer layer;
    layer.type = LayerType::fc;
    layer.fc.N = 1;
    for (std::size_t d = 0; d + 1 < a.size(); ++d) {
      layer.fc.N *= a[d];
      if (layer.fc.N > kMaxValue) graph_.fail_node(i, "A " + shape_text(a) + " has more than 2^31 - 1 rows");
    }
    layer.fc.in = a.back();
    layer.fc.out = b[1];
    if (b[0] != layer.fc.in) graph_.fail_node(i, "A " + shape_text(a) + " and B " + shape_text(b) + " do not multiply");
    if (a.size() > 2) {
      result_.notes.push_back("MatMul " + graph_.display_name(i) + ": N=" + std::to_string(layer.fc.N) +
                              " is the product of the leading dimensions of its " + shape_text(a) + " input");
    }
    add_layer(i, layer);
  }

  void pool(int i, PoolMode mode) {
    const Shape& x = graph_.input_shape(i, 0);
    if (x.size() != 4) graph_.fail_node(i, "only 2-D pooling (a 4-D input) has a case; input " + shape_text(x));
    const std::vector<int64_t> kernel = graph_.ints_attribute(i, "kernel_shape");
    if (kernel.size() != 2) {
      graph_.fail_node(i, "kernel_shape " + join(kernel) + " is not the 2 values of a 2-D window");
    }
    if (kernel[0] != kernel[1]) {
      graph_.fail_node(i, "kernel_shape " + join(kernel) + " is not square: the cases have one R");
    }
    check_dilations(i);
    Layer layer;
    layer.type = LayerType::pool;
    TensorOpShape& p = layer.op;
    p.N = x[0], p.C = x[1], p.H = x[2], p.W = x[3];
    p.R = kernel[0];
    p.stride = single_stride(i);
    p.pad = single_pad(i, x, p.R, p.R, p.stride);
    p.mode = mode;
    if (graph_.int_attribute(i, "ceil_mode", 0) != 0) {
      // Ceil mode differs from the cases' floor only where the window does not fit evenly.
      const auto ceil_size = [&p](int64_t in) { return (in + 2 * p.pad - p.R + p.stride - 1) / p.stride + 1; };
      if (ceil_size(p.H) != pool_output_height(p) || ceil_size(p.W) != pool_output_width(p)) {
        graph_.fail_node(i, "ceil_mode=1 is not supported (it gives a " + std::to_string(ceil_size(p.H)) + "x" +
                                std::to_string(ceil_size(p.W)) + " output where the cases' floor gives " +
                                std::to_string(pool_output_height(p)) + "x" + std::to_string(pool_output_width(p)) +
                                ")");
      }
    }
    check_output(i, {p.N, p.C, pool_output_height(p), pool_output_width(p)});
    if (p.R == 1 && p.stride == 1 && p.pad == 0) {
      // A 1x1 window copies its input: torch exports AdaptiveAvgPool2d at its own output size so.
      ++result_.free_ops[graph_.node(i).op_type() + " (1x1)"];
      return;
    }
    add_layer(i, layer);
  }

  void global_pool(int i) {
    const Shape& x = graph_.input_shape(i, 0);
    if (x.size() != 4) graph_.fail_node(i, "only 2-D pooling (a 4-D input) has a case; input " + shape_text(x));
    Layer layer;
    layer.type = LayerType::pool;
    TensorOpShape& p = layer.op;
    p.N = x[0], p.C = x[1], p.H = x[2], p.W = x[3];
    p.R = p.H, p.stride = 1, p.pad = 0;
    p.mode = PoolMode::global;
    add_layer(i, layer);
  }

  void add(int i) {
    const ox::NodeProto& n = graph_.node(i);
    if (n.input_size() != 2) return skip(i, "Add");
    if (graph_.is_weight(n.input(0)) || graph_.is_weight(n.input(1))) return skip(i, "Add (bias)");
    const Shape& a = graph_.input_shape(i, 0);
    const Shape& b = graph_.input_shape(i, 1);
    if (a != b) return skip(i, "Add (broadcast)");
    Layer layer;
    layer.type = LayerType::add;
    if (!tensor_op_shape(a, &layer.op)) return skip(i, "Add (rank " + std::to_string(a.size()) + ")");
    add_layer(i, layer);
  }

  void act(int i, Activation a) {
    const Shape& x = graph_.input_shape(i, 0);
    Layer layer;
    layer.type = LayerType::act;
    layer.op.op = a;
    if (!tensor_op_shape(x, &layer.op)) {
      return skip(i, graph_.node(i).op_type() + " (rank " + std::to_string(x.size()) + ")");
    }
    add_layer(i, layer);
  }

  // Sigmoid(x) * x -> silu, HardSigmoid(x; 1/6, 0.5) * x -> hardswish, the Mul consumed; a lone Sigmoid is a sigmoid
  // layer, a lone HardSigmoid has no case.
  void gated(int i, Activation fused) {
    const ox::NodeProto& n = graph_.node(i);
    if (!graph_.has_input(i, 0)) graph_.fail_node(i, "input 0 is missing");
    const bool hard = fused == Activation::hardswish;
    bool gate_form = true;
    if (hard) {
      const double alpha = graph_.float_attribute(i, "alpha", 0.2), beta = graph_.float_attribute(i, "beta", 0.5);
      gate_form = std::fabs(alpha - 1.0 / 6.0) < 1e-4 && std::fabs(beta - 0.5) < 1e-6;
    }
    const int mul = n.output_size() == 1 ? graph_.only_consumer(n.output(0)) : -1;
    if (gate_form && mul >= 0 && graph_.node(mul).op_type() == "Mul" && graph_.node(mul).input_size() == 2) {
      const ox::NodeProto& m = graph_.node(mul);
      const std::string& x = n.input(0);
      const std::string& gate = n.output(0);
      if ((m.input(0) == x && m.input(1) == gate) || (m.input(0) == gate && m.input(1) == x)) {
        consumed_.insert(mul);
        result_.notes.push_back(n.op_type() + " " + graph_.display_name(i) + " and Mul " + graph_.display_name(mul) +
                                " fused into " + to_string(fused));
        return act(i, fused);
      }
    }
    if (hard) return skip(i, "HardSigmoid");
    act(i, Activation::sigmoid);
  }

  // A bound of Clip: an attribute before opset 11, a constant input from 11 on; false when it is not constant.
  bool clip_bound(int i, int k, const char* name, double fallback, double* value) const {
    *value = fallback;
    if (graph_.opset() < 11) {
      *value = graph_.float_attribute(i, name, fallback);
      return true;
    }
    if (!graph_.has_input(i, k)) return true;
    return graph_.constant_scalar(graph_.node(i).input(k), value);
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
    result_.notes.push_back("Clip " + graph_.display_name(i) + " with range [" + number(lo) + ", " + number(hi) +
                            "] has no case (relu6 is [0, 6])");
  }

  void batch_norm(int i) {
    const ox::NodeProto& n = graph_.node(i);
    if (!graph_.has_input(i, 0)) graph_.fail_node(i, "input 0 is missing");
    const std::string& x = n.input(0);
    const int producer = graph_.producer(x);
    if (options_.fold_bn && producer >= 0 && graph_.node(producer).op_type() == "Conv" &&
        (graph_.node(producer).domain().empty() || graph_.node(producer).domain() == "ai.onnx") &&
        graph_.only_consumer(x) == i) {
      result_.notes.push_back("BatchNormalization " + graph_.display_name(i) + " folded into " +
                              graph_.display_name(producer));
      return;
    }
    const Shape& s = graph_.input_shape(i, 0);
    Layer layer;
    layer.type = LayerType::bn;
    if (!tensor_op_shape(s, &layer.op)) return skip(i, "BatchNormalization (rank " + std::to_string(s.size()) + ")");
    add_layer(i, layer);
  }

  const OnnxGraph& graph_;
  OnnxOptions options_;
  OnnxImport result_;
  std::set<int> consumed_;  // Mul nodes fused into an activation
};

}  // namespace

OnnxImport import_onnx(const std::string& path, const OnnxOptions& options) {
  const OnnxGraph graph(path, options.batch);
  return LayerMapper(graph, options).run();
}

#endif

}  // namespace layer_energy::layers
