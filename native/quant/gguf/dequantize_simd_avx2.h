// Helpers shared by the AVX2 dequantizers (only included from *_avx2.cc files).
// Each turns 16 int8 codes into 16 floats with the reference's operations:
// float(code) × scale, then + or − a min as a separate rounding.
#pragma once
#include <immintrin.h>

#include <cstdint>

namespace mcs::gguf::avx2 {

enum class Op { Mul, MulAdd, MulSub };

template <Op kOp>
inline __m256 apply(__m256i codes32, __m256 d, __m256 m) {
  const __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(codes32), d);
  if constexpr (kOp == Op::MulAdd) return _mm256_add_ps(v, m);
  if constexpr (kOp == Op::MulSub) return _mm256_sub_ps(v, m);
  return v;
}

template <Op kOp = Op::Mul>
inline void put16(float* y, __m128i codes, float d, float m = 0.0f) {
  const __m256 vd = _mm256_set1_ps(d), vm = _mm256_set1_ps(m);
  _mm256_storeu_ps(y, apply<kOp>(_mm256_cvtepi8_epi32(codes), vd, vm));
  _mm256_storeu_ps(y + 8, apply<kOp>(_mm256_cvtepi8_epi32(_mm_srli_si128(codes, 8)), vd, vm));
}

template <Op kOp = Op::Mul>
inline void put32(float* y, __m256i codes, float d, float m = 0.0f) {
  put16<kOp>(y, _mm256_castsi256_si128(codes), d, m);
  put16<kOp>(y + 16, _mm256_extracti128_si256(codes, 1), d, m);
}

inline __m128i load16(const uint8_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
inline __m256i load32(const uint8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

// 16 bytes of nibbles → 32 codes: element j = low nibble of byte j, element 16 + j = high nibble.
inline __m256i split_nibbles(__m128i q) {
  const __m128i m = _mm_set1_epi8(0x0f);
  return _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(q, 4), m), _mm_and_si128(q, m));
}

// Bit j of a little-endian uint32 → 0x10 in byte j (0 otherwise).
inline __m256i bits_to_16(uint32_t bits) {
  const __m256i spread = _mm256_shuffle_epi8(_mm256_set1_epi32(static_cast<int>(bits)),
                                             _mm256_setr_epi64x(0, 0x0101010101010101LL, 0x0202020202020202LL,
                                                                0x0303030303030303LL));
  const __m256i bit = _mm256_set1_epi64x(static_cast<long long>(0x8040201008040201ULL));
  return _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit), _mm256_set1_epi8(0x10));
}

}  // namespace mcs::gguf::avx2
