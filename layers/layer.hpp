// The layer description shared by benchmarks/ and analysis/: geometry, MACs, compulsory bytes, case names. Conv and
// FC, plus the other layers a network has (pooling, element-wise add, activation, batch-norm inference).
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace layer_energy::layers {

enum class LayerType { conv, fc, pool, add, act, bn };

struct ConvShape {
  int64_t N = 1, C = 1, H = 1, W = 1;  // input: batch, channels, height, width
  int64_t K = 1, R = 1, S = 1;         // K filters of R x S (height x width)
  int64_t stride = 1, pad = 0, groups = 1;
};

struct FcShape {
  int64_t N = 1, in = 1, out = 1;
};

enum class PoolMode { max, avg, global };  // global: average over all of H x W (GlobalAveragePool)
enum class Activation { relu, relu6, sigmoid, silu, hardswish };

// Pooling, element-wise add (two inputs of this shape), activation and batch-norm inference: NCHW in, NCHW out.
struct TensorOpShape {
  int64_t N = 1, C = 1, H = 1, W = 1;
  int64_t R = 1, stride = 1, pad = 0;  // pooling only: a square R x R window; global pooling has R = H, stride 1, pad 0
  PoolMode mode = PoolMode::max;       // pooling only
  Activation op = Activation::relu;    // activation only
};

enum class Precision { fp32, tf32, fp16 };
enum class Layout { nchw, nhwc };

struct Layer {
  LayerType type = LayerType::conv;
  ConvShape conv;
  FcShape fc;
  TensorOpShape op;  // pool, add, act, bn
  std::string label;                         // free text (e.g. a network's layer name, or the CSV's "name" column)
  std::map<std::string, std::string> extra;  // other CSV columns, kept as labels
};

// Output height/width of a conv: floor((H + 2 pad - R) / stride) + 1. Zero or negative means the shape is invalid.
int64_t output_height(const ConvShape& c);
int64_t output_width(const ConvShape& c);

// Whether the layer is a conv or an FC (the layers with weights that the energy model is fitted on).
inline bool has_weights(LayerType type) { return type == LayerType::conv || type == LayerType::fc; }

// Multiply-accumulates: conv N*K*(C/groups)*R*S*P*Q; FC N*in*out. The other layers count one operation per
// element they read: pooling N*C*P*Q*R*R (global: N*C*H*W), add, activation and batch-norm N*C*H*W.
double macs(const Layer& layer);
// Output height/width of a pooling layer (1 for global pooling); zero or negative means invalid.
int64_t pool_output_height(const TensorOpShape& p);
int64_t pool_output_width(const TensorOpShape& p);
// Compulsory memory traffic: input, weights (and bias-free), output, each once, element size by precision. Pooling
// and activation: input and output; add: two inputs and the output; batch-norm: input, output and its four
// per-channel vectors (scale, bias, mean, variance).
double bytes(const Layer& layer, Precision precision);
int element_size(Precision precision);  // 4, 4, 2

// Empty when the layer is valid; else one line naming the problem (e.g. "C=3 is not divisible by groups=2").
std::string validate(const Layer& layer);

// The contract's stable case names:
//   Conv/N:1/C:64/H:56/W:56/K:64/R:3/S:3/stride:1/pad:1/groups:1   FC/N:8/in:1024/out:1024
//   Pool/N:1/C:64/H:112/W:112/R:3/stride:2/pad:1/mode:max (mode max|avg|global)   Add/N:1/C:64/H:56/W:56
//   Act/N:1/C:64/H:56/W:56/op:relu (op relu|relu6|sigmoid|silu|hardswish)          BN/N:1/C:64/H:56/W:56
// with "/fp16", "/tf32" or "/nhwc" appended for a non-default precision or layout (precision first).
std::string case_name(const Layer& layer, Precision precision = Precision::fp32, Layout layout = Layout::nchw);
// Parses a case name back (suffixes ignored); false when the name is not a Conv/ or FC/ case.
bool parse_case_name(const std::string& name, Layer* layer);
// As above, also giving the precision and layout the name carries (fp32 / nchw when absent); either may be null.
// Google Benchmark's own suffixes ("/iterations:10", "/repeats:5", "/real_time", "/manual_time", "_mean", ...) are
// accepted and dropped; a name whose geometry fails validate() is rejected.
bool parse_case_name(const std::string& name, Layer* layer, Precision* precision, Layout* layout);

const char* to_string(Precision p);
const char* to_string(LayerType t);  // "conv", "fc", "pool", "add", "act", "bn"
const char* to_string(PoolMode m);
const char* to_string(Activation a);
const char* to_string(Layout l);
bool parse_precision(const std::string& text, Precision* p);
bool parse_layout(const std::string& text, Layout* l);

}  // namespace layer_energy::layers
