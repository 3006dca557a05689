// Direct (naive) conv, FC, pooling, add, activation and batch-norm in double precision: the reference the backends are
// tested against, and the builders of the shapes and layers the backend tests run. Each output comes with the sum of
// the absolute values of its products (or terms), the scale for a relative tolerance that stays meaningful where
// positive and negative terms cancel.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "layers/layer.hpp"

namespace layer_energy::test {

inline layers::ConvShape conv(int64_t N, int64_t C, int64_t H, int64_t W, int64_t K, int64_t R, int64_t S,
                              int64_t stride, int64_t pad, int64_t groups) {
  layers::ConvShape s;
  s.N = N, s.C = C, s.H = H, s.W = W, s.K = K, s.R = R, s.S = S, s.stride = stride, s.pad = pad, s.groups = groups;
  return s;
}

inline layers::Layer conv_layer(const layers::ConvShape& shape) {
  layers::Layer layer;
  layer.type = layers::LayerType::conv;
  layer.conv = shape;
  return layer;
}

inline layers::Layer fc_layer(const layers::FcShape& shape) {
  layers::Layer layer;
  layer.type = layers::LayerType::fc;
  layer.fc = shape;
  return layer;
}

// N x C x H x W for add, activation and batch-norm.
inline layers::TensorOpShape tensor_op(int64_t N, int64_t C, int64_t H, int64_t W) {
  layers::TensorOpShape s;
  s.N = N, s.C = C, s.H = H, s.W = W;
  return s;
}

// Pooling with an R x R window; global pooling takes R = H, stride 1, pad 0 whatever is passed.
inline layers::TensorOpShape pool(int64_t N, int64_t C, int64_t H, int64_t W, int64_t R, int64_t stride, int64_t pad,
                                  layers::PoolMode mode) {
  layers::TensorOpShape s = tensor_op(N, C, H, W);
  s.mode = mode;
  if (mode == layers::PoolMode::global) {
    s.R = H, s.stride = 1, s.pad = 0;
  } else {
    s.R = R, s.stride = stride, s.pad = pad;
  }
  return s;
}

inline layers::Layer tensor_op_layer(layers::LayerType type, const layers::TensorOpShape& shape) {
  layers::Layer layer;
  layer.type = type;
  layer.op = shape;
  return layer;
}

inline layers::Layer act_layer(layers::TensorOpShape shape, layers::Activation op) {
  shape.op = op;
  return tensor_op_layer(layers::LayerType::act, shape);
}

struct Reference {
  std::vector<double> value;      // the exact (double) result
  std::vector<double> magnitude;  // sum over the products of |input * weight|
};

// input NCHW, weights K x (C/groups) x R x S, output NCHW (N x K x P x Q).
inline Reference naive_conv(const layers::ConvShape& s, const std::vector<float>& input,
                            const std::vector<float>& weights) {
  const int64_t P = (s.H + 2 * s.pad - s.R) / s.stride + 1, Q = (s.W + 2 * s.pad - s.S) / s.stride + 1;
  const int64_t Cg = s.C / s.groups, Kg = s.K / s.groups;
  Reference ref;
  ref.value.assign(static_cast<std::size_t>(s.N * s.K * P * Q), 0.0);
  ref.magnitude.assign(ref.value.size(), 0.0);
  for (int64_t n = 0; n < s.N; ++n) {
    for (int64_t k = 0; k < s.K; ++k) {
      const int64_t g = k / Kg;
      for (int64_t p = 0; p < P; ++p) {
        for (int64_t q = 0; q < Q; ++q) {
          double sum = 0.0, magnitude = 0.0;
          for (int64_t c = 0; c < Cg; ++c) {
            for (int64_t r = 0; r < s.R; ++r) {
              for (int64_t t = 0; t < s.S; ++t) {
                const int64_t h = p * s.stride - s.pad + r, w = q * s.stride - s.pad + t;
                if (h < 0 || h >= s.H || w < 0 || w >= s.W) continue;
                const double x = input[static_cast<std::size_t>(((n * s.C + g * Cg + c) * s.H + h) * s.W + w)];
                const double y = weights[static_cast<std::size_t>(((k * Cg + c) * s.R + r) * s.S + t)];
                sum += x * y;
                magnitude += std::fabs(x * y);
              }
            }
          }
          const auto index = static_cast<std::size_t>(((n * s.K + k) * P + p) * Q + q);
          ref.value[index] = sum;
          ref.magnitude[index] = magnitude;
        }
      }
    }
  }
  return ref;
}

// input N x in, weights in x out, output N x out (all row-major).
inline Reference naive_fc(const layers::FcShape& s, const std::vector<float>& input,
                          const std::vector<float>& weights) {
  Reference ref;
  ref.value.assign(static_cast<std::size_t>(s.N * s.out), 0.0);
  ref.magnitude.assign(ref.value.size(), 0.0);
  for (int64_t n = 0; n < s.N; ++n) {
    for (int64_t o = 0; o < s.out; ++o) {
      double sum = 0.0, magnitude = 0.0;
      for (int64_t i = 0; i < s.in; ++i) {
        const double x = input[static_cast<std::size_t>(n * s.in + i)];
        const double y = weights[static_cast<std::size_t>(i * s.out + o)];
        sum += x * y;
        magnitude += std::fabs(x * y);
      }
      ref.value[static_cast<std::size_t>(n * s.out + o)] = sum;
      ref.magnitude[static_cast<std::size_t>(n * s.out + o)] = magnitude;
    }
  }
  return ref;
}

// Pooling, input NCHW, output N x C x P x Q (global: N x C x 1 x 1). max: the largest in-bounds element, magnitude
// its absolute value. avg: the mean of the in-bounds elements only (padding left out of the divisor, ONNX's
// count_include_pad=0), magnitude the mean of their absolute values. global: the mean over H x W.
inline Reference naive_pool(const layers::TensorOpShape& s, const std::vector<float>& input) {
  const bool global = s.mode == layers::PoolMode::global;
  const int64_t R_h = global ? s.H : s.R, R_w = global ? s.W : s.R;
  const int64_t stride = global ? 1 : s.stride, pad = global ? 0 : s.pad;
  const int64_t P = (s.H + 2 * pad - R_h) / stride + 1, Q = (s.W + 2 * pad - R_w) / stride + 1;
  Reference ref;
  ref.value.assign(static_cast<std::size_t>(s.N * s.C * P * Q), 0.0);
  ref.magnitude.assign(ref.value.size(), 0.0);
  for (int64_t n = 0; n < s.N; ++n) {
    for (int64_t c = 0; c < s.C; ++c) {
      for (int64_t p = 0; p < P; ++p) {
        for (int64_t q = 0; q < Q; ++q) {
          double best = -INFINITY, sum = 0.0, magnitude = 0.0;
          int64_t count = 0;
          for (int64_t r = 0; r < R_h; ++r) {
            for (int64_t t = 0; t < R_w; ++t) {
              const int64_t h = p * stride - pad + r, w = q * stride - pad + t;
              if (h < 0 || h >= s.H || w < 0 || w >= s.W) continue;
              const double x = input[static_cast<std::size_t>(((n * s.C + c) * s.H + h) * s.W + w)];
              best = std::max(best, x);
              sum += x;
              magnitude += std::fabs(x);
              ++count;
            }
          }
          const auto index = static_cast<std::size_t>(((n * s.C + c) * P + p) * Q + q);
          if (s.mode == layers::PoolMode::max) {
            ref.value[index] = best;
            ref.magnitude[index] = std::fabs(best);
          } else {
            ref.value[index] = sum / static_cast<double>(count);
            ref.magnitude[index] = magnitude / static_cast<double>(count);
          }
        }
      }
    }
  }
  return ref;
}

// a + b element by element; magnitude |a| + |b|.
inline Reference naive_add(const std::vector<float>& a, const std::vector<float>& b) {
  Reference ref;
  ref.value.resize(a.size());
  ref.magnitude.resize(a.size());
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    ref.value[i] = static_cast<double>(a[i]) + static_cast<double>(b[i]);
    ref.magnitude[i] = std::fabs(static_cast<double>(a[i])) + std::fabs(static_cast<double>(b[i]));
  }
  return ref;
}

// One activation of x in double.
inline double naive_activation(layers::Activation op, double x) {
  const auto relu6 = [](double v) { return std::min(std::max(v, 0.0), 6.0); };
  const auto sigmoid = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
  switch (op) {
    case layers::Activation::relu:
      return std::max(x, 0.0);
    case layers::Activation::relu6:
      return relu6(x);
    case layers::Activation::sigmoid:
      return sigmoid(x);
    case layers::Activation::silu:
      return x * sigmoid(x);
    case layers::Activation::hardswish:
      return x * relu6(x + 3.0) / 6.0;
  }
  return NAN;
}

// op(x) element by element; magnitude |op(x)| (each is one rounded function value, no cancellation).
inline Reference naive_act(layers::Activation op, const std::vector<float>& input) {
  Reference ref;
  ref.value.resize(input.size());
  ref.magnitude.resize(input.size());
  for (std::size_t i = 0; i < input.size(); ++i) {
    ref.value[i] = naive_activation(op, input[i]);
    ref.magnitude[i] = std::fabs(ref.value[i]);
  }
  return ref;
}

// Batch-norm inference: y = scale[c] * (x - mean[c]) / sqrt(var[c] + eps) + bias[c] on NCHW, with `weights` the four
// per-channel vectors concatenated (scale, bias, mean, var; 4 x C). Magnitude |a| (|x| + |mean|) + |bias| with
// a = scale / sqrt(var + eps): the terms of the folded form a x + (bias - a mean) a backend may compute.
inline Reference naive_batchnorm(const layers::TensorOpShape& s, const std::vector<float>& input,
                                 const std::vector<float>& weights, double eps = 1e-5) {
  Reference ref;
  ref.value.assign(static_cast<std::size_t>(s.N * s.C * s.H * s.W), 0.0);
  ref.magnitude.assign(ref.value.size(), 0.0);
  if (weights.size() != static_cast<std::size_t>(4 * s.C) || input.size() != ref.value.size()) return ref;
  for (int64_t n = 0; n < s.N; ++n) {
    for (int64_t c = 0; c < s.C; ++c) {
      const double scale = weights[static_cast<std::size_t>(c)], bias = weights[static_cast<std::size_t>(s.C + c)];
      const double mean = weights[static_cast<std::size_t>(2 * s.C + c)];
      const double var = weights[static_cast<std::size_t>(3 * s.C + c)];
      const double a = scale / std::sqrt(var + eps);
      for (int64_t i = 0; i < s.H * s.W; ++i) {
        const auto index = static_cast<std::size_t>((n * s.C + c) * s.H * s.W + i);
        const double x = input[index];
        ref.value[index] = scale * (x - mean) / std::sqrt(var + eps) + bias;
        ref.magnitude[index] = std::fabs(a) * (std::fabs(x) + std::fabs(mean)) + std::fabs(bias);
      }
    }
  }
  return ref;
}

}  // namespace layer_energy::test
