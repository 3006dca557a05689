// Tensor and shape helpers of the ONNX import (internal): the shapes it works on, their text in error messages and
// notes, and the values it reads out of ONNX's protobuf messages. Built only with ONNX (LAYER_ENERGY_HAVE_ONNX).
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace layer_energy::layers::onnx_detail {

namespace ox = ONNX_NAMESPACE;

// Dimensions and window attributes beyond int range are refused before any arithmetic on them (as validate() does).
constexpr int64_t kMaxValue = 2147483647;

using Shape = std::vector<int64_t>;  // -1: a dimension shape inference left unknown (symbolic or missing)

// "[1,2,3]": attribute values in messages.
std::string join(const std::vector<int64_t>& values);
// "[1,?,3]": a shape in messages, "?" for an unknown dimension.
std::string shape_text(const Shape& shape);
// Whether every dimension is known.
bool known(const Shape& shape);
// A double without trailing zeros ("6", "0.5", "inf").
std::string number(double v);

// The first element of a tensor as a double; false when it has none or its type is not a number read here.
bool scalar_value(const ox::TensorProto& t, double* value);
// The shape of a tensor type; *has_shape is false (and the shape empty) when the type carries none.
Shape shape_of_type(const ox::TypeProto& type, bool* has_shape);

}  // namespace layer_energy::layers::onnx_detail
