// The layers of a network in an ONNX file (--onnx=FILE): one Layer per graph node that has a case, in graph order,
// with shapes from ONNX shape inference; every node without a case is counted, never silently dropped.
//
// Mapping (a node's attributes as ONNX defines them; every refusal names the file and the node):
//   Conv (2-D only; pads symmetric and equal on both axes, strides equal, dilations 1, auto_pad SAME_* only where
//     the padding comes out symmetric) -> conv; kernel R x S from the weight's shape (may be rectangular).
//   Gemm (transA/transB handled; A 2-D) and MatMul with a 2-D B -> fc. B is normally an initializer, but any 2-D B
//     is taken (an export without parameters has its weights as graph inputs); a MatMul's A of rank > 2 gives
//     N = the product of its leading dimensions (noted); a B of another rank is skipped as "MatMul (batched)".
//     Gemm's C and a following bias Add are not layers of their own.
//   MaxPool / AveragePool (square kernel, equal strides, symmetric pads, ceil_mode 0, dilations 1) -> pool max/avg;
//     GlobalAveragePool -> pool global (R = H). A 1x1 window with stride 1 and no padding (torch's export of an
//     adaptive average pool that keeps the size) copies its input: free "AveragePool (1x1)" / "MaxPool (1x1)".
//   Add of two non-constant tensors of the same shape -> add. An Add with a constant operand (initializer,
//     Constant node or weight input: a bias, whose cost an inference engine fuses into the layer before it) is
//     counted as skipped "Add (bias)", one of two different shapes as "Add (broadcast)".
//   Relu; Clip(0, 6) -> relu6 (Clip(0, +inf) -> relu; any other range is skipped as "Clip (other range)");
//     Sigmoid; HardSwish; Sigmoid(x) whose only consumer is Mul(x, sigmoid) -> one silu (the Mul is consumed);
//     HardSigmoid(x; alpha 1/6, beta 0.5) whose only consumer is Mul(x, hardsigmoid) -> one hardswish.
//   BatchNormalization -> folded into the Conv before it (a note) when that conv's output feeds only the BN and
//     fold_bn is set; otherwise a bn layer.
//   Mul -> skipped "Mul" (same shapes) or "Mul (broadcast)" (e.g. a squeeze-excitation channel scale): no case.
//   Flatten, Reshape, Identity, Dropout, Squeeze, Unsqueeze, Constant -> free_ops (no work of their own).
//   Any other operator -> skipped_ops[op_type] (with " (domain)" appended outside the default domain).
// Tensors of rank 2 or 3 for act/add/bn (e.g. Relu on N x 4096 after an FC; pooling needs 4-D) become N, C = dim 1,
// H = dim 2 (or 1), W = 1.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "layers/layer.hpp"

namespace layer_energy::layers {

struct OnnxImport {
  std::vector<Layer> layers;               // in graph order; each label is its node's name (see node_names)
  std::vector<std::string> node_names;     // same order: the node's name, or its first output's where it has none
  std::map<std::string, int> skipped_ops;  // operator -> count: nodes with no case (never silent)
  std::map<std::string, int> free_ops;     // operator -> count: view-like nodes with no work of their own
  std::vector<std::string> notes;          // e.g. "BatchNormalization bn1 folded into conv1"
  std::string stem;                        // file name without folder and extension: the Net/<stem> case
  int64_t opset = 0;                       // the model's default-domain opset
};

struct OnnxOptions {
  bool fold_bn = true;
  // 0: the file's own batch (a symbolic batch dimension is taken as 1, with a note); > 0: dimension 0 of every data
  // input is set to this before shape inference. A data input is a graph input that is not an initializer and that
  // some node reads at input 0 (weights given as graph inputs, as in an export without parameters, are left alone).
  int64_t batch = 0;
};

// Throws std::runtime_error("FILE: what is wrong") or ("FILE: node NAME (OpType): what is wrong"): an unreadable or
// malformed file, an opset this build cannot read, a shape missing after inference, a node geometry with no case
// (dilation, asymmetric padding, ceil mode, ...). In a build without ONNX it throws "FILE: " + the reason that
// onnx_built gives.
OnnxImport import_onnx(const std::string& path, const OnnxOptions& options = {});

// Whether this build has the ONNX import; when not, *why (if given) is the one-line reason.
bool onnx_built(std::string* why);

// The file name without folders and without its last extension ("models/resnet18.onnx" -> "resnet18").
std::string onnx_stem(const std::string& path);

}  // namespace layer_energy::layers
