// An ONNX file read for the import (internal): the model loaded and its opset checked, every tensor's producer,
// consumers and constness indexed, the batch set, and the shapes ONNX shape inference gives; plus the node lookups
// the mapping to layers needs (onnx_import.cpp). Built only with ONNX (LAYER_ENERGY_HAVE_ONNX).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "layers/onnx/onnx_values.hpp"

namespace layer_energy::layers::onnx_detail {

class OnnxGraph {
 public:
  // Reads `path`, in this order: load, opset check, index, batch (0: the file's own, a symbolic one taken as 1;
  // > 0: set on every data input), shape inference. Throws std::runtime_error("PATH: what is wrong").
  OnnxGraph(const std::string& path, int64_t batch);
  // The index and the tensor pointers refer into the model: no copies.
  OnnxGraph(const OnnxGraph&) = delete;
  OnnxGraph& operator=(const OnnxGraph&) = delete;

  const std::string& path() const { return path_; }
  int64_t opset() const { return opset_; }  // the default-domain opset
  // What reading changed, in order: a batch set, a symbolic batch taken as 1.
  const std::vector<std::string>& notes() const { return notes_; }

  int node_count() const { return model_.graph().node_size(); }
  const ox::NodeProto& node(int i) const { return model_.graph().node(i); }
  // The node's name, or its first output's where it has none, or "#i".
  std::string display_name(int i) const;
  // Throws std::runtime_error("PATH: node NAME (OpType): what").
  [[noreturn]] void fail_node(int i, const std::string& what) const;

  // Node attributes: the fallback where the node has none of that name.
  int64_t int_attribute(int i, const char* name, int64_t fallback) const;
  double float_attribute(int i, const char* name, double fallback) const;
  std::string string_attribute(int i, const char* name, const std::string& fallback) const;
  // A list of window values (kernel, strides, pads, dilations); each must lie in [0, 2^31 - 1].
  std::vector<int64_t> ints_attribute(int i, const char* name) const;

  bool has_input(int i, int k) const { return node(i).input_size() > k && !node(i).input(k).empty(); }
  // The complete shape of input k of node i; fails naming the node when inference left it unknown.
  const Shape& input_shape(int i, int k) const;
  // The output shape where inference gave a complete one (empty otherwise).
  Shape output_shape(int i) const;
  // Whether both tensors have an inferred shape, and the same one.
  bool same_shape(const std::string& a, const std::string& b) const;

  // An initializer, a Constant node's output or a graph input no node reads as data.
  bool is_weight(const std::string& name) const { return constants_.count(name) || weight_inputs_.count(name); }
  // The node writing tensor `name`, or -1 (a graph input or initializer).
  int producer(const std::string& name) const;
  // The only node reading tensor `name`, or -1 (none, several, or a graph output as well).
  int only_consumer(const std::string& name) const;
  // The value of a one-element constant: an initializer, or a Constant node's value / value_float / value_int.
  bool constant_scalar(const std::string& name, double* value) const;

 private:
  [[noreturn]] void fail(const std::string& what) const;
  const ox::AttributeProto* attribute(int i, const char* name) const;

  void load();
  void check_opset();
  void index_graph();
  bool read_as_data(const std::string& name, int depth) const;
  void set_batch(int64_t batch);
  void infer_shapes();
  void collect_shapes();

  std::string path_;
  ox::ModelProto model_;
  int64_t opset_ = 0;
  std::vector<std::string> notes_;
  std::unordered_map<std::string, Shape> shapes_;
  std::unordered_map<std::string, int> producer_;
  std::unordered_map<std::string, std::vector<int> > consumers_;
  std::unordered_set<std::string> constants_;      // initializers and Constant outputs
  std::unordered_set<std::string> weight_inputs_;  // graph inputs no node reads at input 0
  std::unordered_map<std::string, const ox::TensorProto*> constant_values_;
  std::unordered_set<std::string> graph_outputs_;
  std::vector<int> data_inputs_;  // indices into graph().input()
};

}  // namespace layer_energy::layers::onnx_detail
