// F16C / AVX2 conversions to float. Unaligned loads: mapped tensors may sit at
// any 2-byte offset.
#include <immintrin.h>

#include <cstdint>

#include "core/fp16.h"

namespace mcs::avx2 {

void f16_to_f32(const uint16_t* in, int64_t n, float* out) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(out + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i))));
  for (; i < n; ++i) out[i] = ::mcs::f16_to_f32(in[i]);
}

void bf16_to_f32(const uint16_t* in, int64_t n, float* out) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i)));
    _mm256_storeu_ps(out + i, _mm256_castsi256_ps(_mm256_slli_epi32(w, 16)));
  }
  for (; i < n; ++i) out[i] = ::mcs::bf16_to_f32(in[i]);
}

}  // namespace mcs::avx2
