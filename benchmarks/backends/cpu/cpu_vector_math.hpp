// The CPU backend's element-wise math, written as branch-free scalar code that the compiler vectorises when it is
// inlined into a contiguous loop (internal; see benchmarks/backends/cpu/cpu_backend.hpp).
//
// std::exp is a library call that GCC vectorises only under -ffast-math (glibc's libmvec), which the backend does
// not use; exp_nonpositive() is the Cephes expf polynomial, a few ulp from the exact value, in plain arithmetic.
#pragma once

#include <cstdint>
#include <cstring>

namespace layer_energy::bench::cpu {

// e^x for x <= 0, relative error a few ulp; 0 below -87.3 (where e^x is below FLT_MIN, in the denormals).
inline float exp_nonpositive(float x) {
  const float clamped = x < -87.3f ? -87.3f : x;
  // n = round(x / ln 2): adding and removing 1.5 * 2^23 rounds to an integer (round to nearest, |x / ln 2| < 2^22).
  constexpr float kRound = 12582912.0f;
  const float n = (clamped * 1.44269504088896341f + kRound) - kRound;
  // r = x - n ln 2 in two steps (ln 2 = 0.693359375 - 2.12194440e-4: the first part exact in few bits).
  const float r = (clamped - n * 0.693359375f) + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  // 2^n: n in [-126, 0], so n + 127 is a normal float's biased exponent.
  const int32_t bits = (static_cast<int32_t>(n) + 127) * (1 << 23);
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return x < -87.3f ? 0.0f : p * scale;
}

// 1 / (1 + e^-x), from e^-|x| so that no term overflows: x >= 0 gives 1 / (1 + e), x < 0 gives e / (1 + e).
inline float sigmoid(float x) {
  const float e = exp_nonpositive(x < 0.0f ? x : -x);
  const float s = 1.0f / (1.0f + e);
  return x < 0.0f ? e * s : s;
}

inline float relu(float x) { return x > 0.0f ? x : 0.0f; }
inline float relu6(float x) {
  const float r = x > 0.0f ? x : 0.0f;
  return r < 6.0f ? r : 6.0f;
}
inline float silu(float x) { return x * sigmoid(x); }
// Times 1/6 rather than divided by 6: a vector division is slow (about 15% of the loop on 64x56x56, one Zen 4 core);
// the product is within 2 ulp.
inline float hardswish(float x) { return x * relu6(x + 3.0f) * (1.0f / 6.0f); }

}  // namespace layer_energy::bench::cpu
