// AVX2 version of q8_act.h: the same bytes as the reference (and as
// llama.cpp's x86 quantize_row_q8_0/q8_1, whose arithmetic this follows).
#include <immintrin.h>

#include "engine/qlinear/q8_act.h"
#include "cpu/simd_avx2.h"

namespace mcs::engine::qlinear::avx2 {

void quantize_q8(const float* x, Q8Act& a, int64_t t0, int64_t t1) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  for (int64_t t = t0; t < t1; ++t)
    for (int64_t b = 0; b < a.blocks; ++b) {
      const float* p = x + t * a.K + b * 32;
      __m256 v[4];
      for (int i = 0; i < 4; ++i) v[i] = _mm256_loadu_ps(p + 8 * i);
      __m256 m = _mm256_andnot_ps(sign, v[0]);
      for (int i = 1; i < 4; ++i) m = _mm256_max_ps(m, _mm256_andnot_ps(sign, v[i]));
      __m128 m4 = _mm_max_ps(_mm256_extractf128_ps(m, 1), _mm256_castps256_ps128(m));
      m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
      m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
      const float amax = _mm_cvtss_f32(m4);
      const float d = amax / 127.0f;
      const __m256 id = _mm256_set1_ps(amax != 0.0f ? 127.0f / amax : 0.0f);
      __m256i q[4];
      for (int i = 0; i < 4; ++i)
        q[i] = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v[i], id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
      const __m256i sum = _mm256_add_epi32(_mm256_add_epi32(q[0], q[1]), _mm256_add_epi32(q[2], q[3]));
      // int32 → int8 in element order: packs interleave 128-bit lanes, the permute undoes it.
      const __m256i p16a = _mm256_packs_epi32(q[0], q[1]), p16b = _mm256_packs_epi32(q[2], q[3]);
      const __m256i p8 = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(p16a, p16b), _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(a.q.data() + t * a.K + b * 32), p8);
      a.d[size_t(t * a.blocks + b)] = _cvtsh_ss(_cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT));
      if (a.with_sums) {
        const float s = d * float(cpu::avx2::hsum8_epi32(sum));
        a.s[size_t(t * a.blocks + b)] = _cvtsh_ss(_cvtss_sh(s, _MM_FROUND_TO_NEAREST_INT));
      }
    }
}

}  // namespace mcs::engine::qlinear::avx2
