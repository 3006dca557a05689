// The layer description shared by benchmarks/ and analysis/: geometry, MACs, compulsory bytes, case names.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace layer_energy::layers {

enum class LayerType { conv, fc };

struct ConvShape {
  int64_t N = 1, C = 1, H = 1, W = 1;  // input: batch, channels, height, width
  int64_t K = 1, R = 1, S = 1;         // K filters of R x S (height x width)
  int64_t stride = 1, pad = 0, groups = 1;
};

struct FcShape {
  int64_t N = 1, in = 1, out = 1;
};

enum class Precision { fp32, tf32, fp16 };
enum class Layout { nchw, nhwc };

struct Layer {
  LayerType type = LayerType::conv;
  ConvShape conv;
  FcShape fc;
  std::string label;                         // free text (e.g. a network's layer name, or the CSV's "name" column)
  std::map<std::string, std::string> extra;  // other CSV columns, kept as labels
};

// Output height/width of a conv: floor((H + 2 pad - R) / stride) + 1. Zero or negative means the shape is invalid.
int64_t output_height(const ConvShape& c);
int64_t output_width(const ConvShape& c);

// Multiply-accumulates: conv N*K*(C/groups)*R*S*P*Q; FC N*in*out.
double macs(const Layer& layer);
// Compulsory memory traffic: input, weights (and bias-free), output, each once, element size by precision.
double bytes(const Layer& layer, Precision precision);
int element_size(Precision precision);  // 4, 4, 2

// Empty when the layer is valid; else one line naming the problem (e.g. "C=3 is not divisible by groups=2").
std::string validate(const Layer& layer);

// The contract's stable case names:
//   Conv/N:1/C:64/H:56/W:56/K:64/R:3/S:3/stride:1/pad:1/groups:1   FC/N:8/in:1024/out:1024
// with "/fp16", "/tf32" or "/nhwc" appended for a non-default precision or layout (precision first).
std::string case_name(const Layer& layer, Precision precision = Precision::fp32, Layout layout = Layout::nchw);
// Parses a case name back (suffixes ignored); false when the name is not a Conv/ or FC/ case.
bool parse_case_name(const std::string& name, Layer* layer);
// As above, also giving the precision and layout the name carries (fp32 / nchw when absent); either may be null.
// Google Benchmark's own suffixes ("/iterations:10", "/repeats:5", "/real_time", "/manual_time", "_mean", ...) are
// accepted and dropped; a name whose geometry fails validate() is rejected.
bool parse_case_name(const std::string& name, Layer* layer, Precision* precision, Layout* layout);

const char* to_string(Precision p);
const char* to_string(Layout l);
bool parse_precision(const std::string& text, Precision* p);
bool parse_layout(const std::string& text, Layout* l);

}  // namespace layer_energy::layers
