// Direct (naive) conv and FC in double precision: the reference the backends are tested against, and the builders of
// the shapes and layers the backend tests run. Each output comes with the sum of the absolute values of its products,
// the scale for a relative tolerance that stays meaningful where positive and negative products cancel.
#pragma once

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

}  // namespace layer_energy::test
