// See onnx_graph.hpp.
#include "layers/onnx/onnx_graph.hpp"

#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <fstream>
#include <stdexcept>
#include <utility>

namespace layer_energy::layers::onnx_detail {

namespace {

// The oldest default-domain opset read: older ones differ in attributes this import does not handle (e.g.
// BatchNormalization's "spatial", Clip's min/max before opset 11 are handled; "consumed_inputs" before 6 is not).
constexpr int64_t kMinOpset = 7;

}  // namespace

OnnxGraph::OnnxGraph(const std::string& path, int64_t batch) : path_(path) {
  load();
  check_opset();
  index_graph();
  set_batch(batch);
  infer_shapes();
  collect_shapes();
}

void OnnxGraph::fail(const std::string& what) const {
  throw std::runtime_error(path_ + ": " + what);
}

void OnnxGraph::load() {
  std::ifstream in(path_, std::ios::binary);
  if (!in) fail(std::string("cannot open (") + std::strerror(errno) + ")");
  if (!model_.ParseFromIstream(&in)) fail("not an ONNX model (the file does not parse as an ONNX ModelProto)");
  if (model_.ir_version() <= 0 || !model_.has_graph() || model_.graph().node_size() == 0) {
    fail("not an ONNX model (" + std::string(model_.ir_version() <= 0 ? "no IR version" : "no graph nodes") + ")");
  }
}

void OnnxGraph::check_opset() {
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
  opset_ = opset;
}

// Producers, consumers and constants of every tensor name.
void OnnxGraph::index_graph() {
  const ox::GraphProto& g = model_.graph();
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
bool OnnxGraph::read_as_data(const std::string& name, int depth) const {
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

// A symbolic batch dimension becomes 1 (noted); batch > 0 replaces the batch of every data input.
void OnnxGraph::set_batch(int64_t batch) {
  ox::GraphProto* g = model_.mutable_graph();
  bool changed = false;
  for (int k : data_inputs_) {
    ox::ValueInfoProto* input = g->mutable_input(k);
    if (!input->type().has_tensor_type() || !input->type().tensor_type().has_shape()) continue;
    ox::TensorShapeProto* shape = input->mutable_type()->mutable_tensor_type()->mutable_shape();
    if (shape->dim_size() == 0) continue;
    ox::TensorShapeProto_Dimension* dim = shape->mutable_dim(0);
    if (batch > 0) {
      if (!dim->has_dim_value() || dim->dim_value() != batch) {
        notes_.push_back("input " + input->name() + ": batch " +
                         (dim->has_dim_value() ? std::to_string(dim->dim_value()) : "'" + dim->dim_param() + "'") +
                         " set to " + std::to_string(batch));
        dim->set_dim_value(batch);
        changed = true;
      }
    } else if (!dim->has_dim_value()) {
      notes_.push_back("input " + input->name() + ": symbolic batch dimension" +
                       (dim->dim_param().empty() ? std::string() : " '" + dim->dim_param() + "'") + " taken as 1");
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

void OnnxGraph::infer_shapes() {
  // Node-level inference errors are not thrown (error_mode 0): a node left without a shape is reported where a
  // layer needs it, naming that node. Data propagation computes Reshape targets built from Shape/Gather/Concat.
  const ox::ShapeInferenceOptions inference(/*check_type=*/false, /*error_mode=*/0, /*data_prop=*/true);
  try {
    ox::shape_inference::InferShapes(model_, ox::OpSchemaRegistry::Instance(), inference);
  } catch (const std::exception& e) {
    fail(std::string("shape inference failed: ") + e.what());
  }
}

void OnnxGraph::collect_shapes() {
  const ox::GraphProto& g = model_.graph();
  bool has = false;
  for (const auto* list : {&g.input(), &g.value_info(), &g.output()}) {
    for (const auto& v : *list) {
      Shape s = shape_of_type(v.type(), &has);
      if (has) shapes_[v.name()] = std::move(s);
    }
  }
  for (const auto& init : g.initializer()) shapes_[init.name()] = Shape(init.dims().begin(), init.dims().end());
}

// ---- lookups for the mapping

std::string OnnxGraph::display_name(int i) const {
  const ox::NodeProto& n = node(i);
  if (!n.name().empty()) return n.name();
  if (n.output_size() > 0 && !n.output(0).empty()) return n.output(0);
  return "#" + std::to_string(i);
}

void OnnxGraph::fail_node(int i, const std::string& what) const {
  fail("node " + display_name(i) + " (" + node(i).op_type() + "): " + what);
}

const ox::AttributeProto* OnnxGraph::attribute(int i, const char* name) const {
  for (const auto& a : node(i).attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

int64_t OnnxGraph::int_attribute(int i, const char* name, int64_t fallback) const {
  const ox::AttributeProto* a = attribute(i, name);
  return a ? a->i() : fallback;
}

double OnnxGraph::float_attribute(int i, const char* name, double fallback) const {
  const ox::AttributeProto* a = attribute(i, name);
  return a ? a->f() : fallback;
}

std::string OnnxGraph::string_attribute(int i, const char* name, const std::string& fallback) const {
  const ox::AttributeProto* a = attribute(i, name);
  return a ? a->s() : fallback;
}

std::vector<int64_t> OnnxGraph::ints_attribute(int i, const char* name) const {
  const ox::AttributeProto* a = attribute(i, name);
  std::vector<int64_t> values = a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : std::vector<int64_t>{};
  for (int64_t v : values) {
    if (v < 0 || v > kMaxValue) fail_node(i, std::string(name) + " " + join(values) + ": a value out of range");
  }
  return values;
}

const Shape& OnnxGraph::input_shape(int i, int k) const {
  if (!has_input(i, k)) fail_node(i, "input " + std::to_string(k) + " is missing");
  const std::string& name = node(i).input(k);
  const auto it = shapes_.find(name);
  if (it == shapes_.end()) fail_node(i, "no shape for input '" + name + "' after shape inference");
  if (!known(it->second)) {
    fail_node(i, "input '" + name + "' has shape " + shape_text(it->second) +
                     " after shape inference (a symbolic dimension other than the batch)");
  }
  for (int64_t d : it->second) {
    if (d > kMaxValue)
      fail_node(i, "input '" + name + "' has shape " + shape_text(it->second) + ": a dimension too large");
  }
  return it->second;
}

Shape OnnxGraph::output_shape(int i) const {
  if (node(i).output_size() == 0) return {};
  const auto it = shapes_.find(node(i).output(0));
  return it != shapes_.end() && known(it->second) ? it->second : Shape{};
}

bool OnnxGraph::same_shape(const std::string& a, const std::string& b) const {
  const auto ia = shapes_.find(a), ib = shapes_.find(b);
  return ia != shapes_.end() && ib != shapes_.end() && ia->second == ib->second;
}

int OnnxGraph::producer(const std::string& name) const {
  const auto it = producer_.find(name);
  return it == producer_.end() ? -1 : it->second;
}

int OnnxGraph::only_consumer(const std::string& name) const {
  if (graph_outputs_.count(name)) return -1;
  const auto it = consumers_.find(name);
  if (it == consumers_.end() || it->second.size() != 1) return -1;
  return it->second.front();
}

bool OnnxGraph::constant_scalar(const std::string& name, double* value) const {
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

}  // namespace layer_energy::layers::onnx_detail
