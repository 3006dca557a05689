// IEEE 754 binary16 <-> binary32 on the host, without CUDA headers: the CUDA backend fills fp16 tensors on the host
// (there are no .cu files, so no conversion kernel) and converts fp16 results back to float for tests. Header-only
// and dependency-free so the conversions are unit-tested on machines without the CUDA toolkit.
#pragma once

#include <cstdint>
#include <cstring>

namespace layer_energy::bench::cuda {

// Round to nearest, ties to even; overflow gives infinity, NaN stays a (quiet) NaN, subnormals are exact.
inline uint16_t float_to_half_bits(float value) {
  uint32_t f = 0;
  std::memcpy(&f, &value, sizeof f);
  const auto sign = static_cast<uint16_t>((f >> 16) & 0x8000u);
  const uint32_t exponent = (f >> 23) & 0xffu;
  uint32_t mantissa = f & 0x7fffffu;
  if (exponent == 0xffu) {  // infinity or NaN
    return static_cast<uint16_t>(sign | 0x7c00u | (mantissa != 0 ? 0x200u | (mantissa >> 13) : 0u));
  }
  const int e = static_cast<int>(exponent) - 127 + 15;  // the half's biased exponent
  if (e >= 31) return static_cast<uint16_t>(sign | 0x7c00u);
  if (e <= 0) {                // subnormal half (or zero)
    if (e < -10) return sign;  // below half the smallest subnormal: rounds to zero
    mantissa |= 0x800000u;     // the implicit bit
    const int shift = 14 - e;  // 14..24
    uint32_t half = mantissa >> shift;
    const uint32_t rest = mantissa & ((1u << shift) - 1u);
    const uint32_t halfway = 1u << (shift - 1);
    if (rest > halfway || (rest == halfway && (half & 1u) != 0)) ++half;
    return static_cast<uint16_t>(sign | half);
  }
  uint32_t half = (static_cast<uint32_t>(e) << 10) | (mantissa >> 13);
  const uint32_t rest = mantissa & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u) != 0)) ++half;  // may carry into the exponent: still right
  return static_cast<uint16_t>(sign | half);
}

inline float half_bits_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;
  uint32_t f = 0;
  if (exponent == 0x1fu) {
    f = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {
    f = sign | ((exponent + 112u) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    f = sign;
  } else {  // subnormal: normalise
    exponent = 113u;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      --exponent;
    }
    f = sign | (exponent << 23) | ((mantissa & 0x3ffu) << 13);
  }
  float value = 0;
  std::memcpy(&value, &f, sizeof value);
  return value;
}

}  // namespace layer_energy::bench::cuda
