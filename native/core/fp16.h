// IEEE half and bfloat16 conversions, scalar. These are the references that the
// F16C paths are tested against; rounding is round-to-nearest-even like numpy.
#pragma once
#include <cstdint>
#include <cstring>

namespace mcs {

inline float bits_to_f32(uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }
inline uint32_t f32_to_bits(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }

inline float f16_to_f32(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ffu;
  if (exp == 0x1f) return bits_to_f32(sign | 0x7f800000u | (mant << 13));  // inf / nan
  if (exp == 0) {
    if (mant == 0) return bits_to_f32(sign);
    // Subnormal: normalise the mantissa.
    int e = -1;
    do { mant <<= 1; ++e; } while ((mant & 0x400u) == 0);
    mant &= 0x3ffu;
    return bits_to_f32(sign | uint32_t(127 - 15 - e) << 23 | (mant << 13));
  }
  return bits_to_f32(sign | (exp + 112) << 23 | (mant << 13));
}

inline uint16_t f32_to_f16(float f) {
  uint32_t x = f32_to_bits(f);
  const uint32_t sign = (x >> 16) & 0x8000u;
  x &= 0x7fffffffu;
  if (x == 0x7f800000u) return uint16_t(sign | 0x7c00u);  // inf
  // NaN: quiet bit set, top payload bits kept — what F16C's vcvtps2ph does.
  if (x > 0x7f800000u) return uint16_t(sign | 0x7e00u | ((x & 0x7fffffu) >> 13));
  if (x >= 0x477ff000u) return uint16_t(sign | 0x7c00u);  // rounds to inf
  if (x < 0x38800000u) {
    // Result is subnormal or zero in half precision.
    if (x < 0x33000000u) return uint16_t(sign);
    const uint32_t e = x >> 23;
    uint32_t m = (x & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126 - e;  // 14..24
    const uint32_t half_m = m >> shift;
    const uint32_t rem = m & ((1u << shift) - 1);
    const uint32_t halfway = 1u << (shift - 1);
    uint32_t r = half_m + ((rem > halfway || (rem == halfway && (half_m & 1))) ? 1 : 0);
    return uint16_t(sign | r);
  }
  // Normal: rebias exponent, round mantissa to 10 bits (nearest even).
  uint32_t r = x + 0xfffu + ((x >> 13) & 1u);
  r -= (112u << 23);
  return uint16_t(sign | (r >> 13));
}

inline float bf16_to_f32(uint16_t h) { return bits_to_f32(uint32_t(h) << 16); }

inline uint16_t f32_to_bf16(float f) {
  uint32_t x = f32_to_bits(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) return uint16_t((x >> 16) | 0x40u);  // quiet nan
  x += 0x7fffu + ((x >> 16) & 1u);
  return uint16_t(x >> 16);
}

}  // namespace mcs
