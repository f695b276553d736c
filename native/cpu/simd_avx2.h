// Small AVX2 reductions shared by the *_avx2.cc kernels (include only from
// files compiled with -mavx2). Min/max do not depend on lane order; the sums
// are used where the portable path does not copy a particular order.
#pragma once
#include <immintrin.h>

#include <cstdint>

namespace mcs::cpu::avx2 {

inline float hmax(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
  return _mm_cvtss_f32(m);
}

inline float hmin(__m256 v) {
  __m128 m = _mm_min_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_min_ps(m, _mm_movehl_ps(m, m));
  m = _mm_min_ss(m, _mm_shuffle_ps(m, m, 1));
  return _mm_cvtss_f32(m);
}

inline double hsum(__m256d v) {
  const __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

// acc + the 8 float lanes of v, widened to double (flushes a float32 partial sum).
inline __m256d add_widened(__m256d acc, __m256 v) {
  return _mm256_add_pd(acc, _mm256_add_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)), _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1))));
}

// Σ of the squares of 8 floats, widened to double.
inline __m256d add_squares(__m256d acc, __m256 v) {
  const __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(v));
  const __m256d hi = _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1));
  return _mm256_fmadd_pd(hi, hi, _mm256_fmadd_pd(lo, lo, acc));
}

// ((a0+a4)+(a2+a6)) + ((a1+a5)+(a3+a7)): the order the engine's portable
// paths copy, so fast and portable dot products agree to the bit.
inline float hsum8(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline int32_t hsum8_epi32(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_unpackhi_epi64(s, s));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 1));
  return _mm_cvtsi128_si32(s);
}

// table[code & 15] for 8 lanes (bits above 3 are ignored): two 8-entry
// permutes of the table's halves, chosen by bit 3 moved to the sign.
inline __m256 lookup16(__m256 lo, __m256 hi, __m256i code) {
  const __m256 a = _mm256_permutevar8x32_ps(lo, code), b = _mm256_permutevar8x32_ps(hi, code);
  return _mm256_blendv_ps(a, b, _mm256_castsi256_ps(_mm256_slli_epi32(code, 28)));
}

}  // namespace mcs::cpu::avx2
