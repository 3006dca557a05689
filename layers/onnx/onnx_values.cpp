// See onnx_values.hpp.
#include "layers/onnx/onnx_values.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace layer_energy::layers::onnx_detail {

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

namespace {

// The first element of a tensor stored as raw little-endian bytes (raw_data), as a double; false when too short.
template <typename T>
bool first_raw(const std::string& raw, double* value) {
  if (raw.size() < sizeof(T)) return false;
  T v;
  std::memcpy(&v, raw.data(), sizeof v);
  *value = static_cast<double>(v);
  return true;
}

}  // namespace

bool scalar_value(const ox::TensorProto& t, double* value) {
  const std::string& raw = t.raw_data();
  switch (t.data_type()) {
    case ox::TensorProto::FLOAT:
      if (t.float_data_size() > 0) return *value = t.float_data(0), true;
      return first_raw<float>(raw, value);
    case ox::TensorProto::DOUBLE:
      if (t.double_data_size() > 0) return *value = t.double_data(0), true;
      return first_raw<double>(raw, value);
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
      return first_raw<int32_t>(raw, value);
    case ox::TensorProto::INT64:
      if (t.int64_data_size() > 0) return *value = static_cast<double>(t.int64_data(0)), true;
      return first_raw<int64_t>(raw, value);
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

}  // namespace layer_energy::layers::onnx_detail
