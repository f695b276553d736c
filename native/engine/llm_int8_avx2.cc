// int8×int8 dot products with AVX2. _mm256_maddubs_epi16 multiplies unsigned
// by signed bytes, so the signed×signed product is taken as |x| × (w with x's
// sign): |x| ≤ 127 fits the unsigned operand, and a pair sum is at most
// 2·127·127 = 32258, so the int16 never saturates. Codes are never −128.
#include <immintrin.h>

#include <algorithm>

#include "engine/llm_int8.h"
#include "cpu/simd_avx2.h"

namespace mcs::engine::int8::avx2 {
namespace {

template <int R, int C>
inline void tile(const int8_t* Xq, const float* sx, int64_t K, const int8_t* Wq, const float* sw, int64_t n, int64_t t,
                 float* Y, int64_t ldy) {
  const __m256i ones = _mm256_set1_epi16(1);
  __m256i acc[R][C];
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) acc[r][c] = _mm256_setzero_si256();
  const int64_t K32 = K & ~int64_t(31);
  for (int64_t k = 0; k < K32; k += 32) {
    __m256i x[C], ax[C];
    for (int c = 0; c < C; ++c) {
      x[c] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(Xq + (t + c) * K + k));
      ax[c] = _mm256_sign_epi8(x[c], x[c]);
    }
    for (int r = 0; r < R; ++r) {
      const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(Wq + (n + r) * K + k));
      for (int c = 0; c < C; ++c) {
        const __m256i p = _mm256_maddubs_epi16(ax[c], _mm256_sign_epi8(w, x[c]));
        acc[r][c] = _mm256_add_epi32(acc[r][c], _mm256_madd_epi16(p, ones));
      }
    }
  }
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) {
      int32_t s = cpu::avx2::hsum8_epi32(acc[r][c]);
      for (int64_t k = K32; k < K; ++k) s += int32_t(Xq[(t + c) * K + k]) * int32_t(Wq[(n + r) * K + k]);
      Y[(t + c) * ldy + n + r] = dequant(s, sx[t + c], sw[n + r]);
    }
}

template <int R>
inline void rows_block(const int8_t* Xq, const float* sx, int64_t K, const int8_t* Wq, const float* sw, int64_t n,
                       int64_t t0, int64_t t1, float* Y, int64_t ldy) {
  int64_t t = t0;
  for (; t + 2 <= t1; t += 2) tile<R, 2>(Xq, sx, K, Wq, sw, n, t, Y, ldy);
  if (t < t1) tile<R, 1>(Xq, sx, K, Wq, sw, n, t, Y, ldy);
}

}  // namespace

void gemm(const int8_t* Xq, const float* sx, int64_t T, int64_t K, const int8_t* Wq, const float* sw, int64_t n0,
          int64_t n1, float* Y, int64_t ldy) {
  if (T == 1) {
    int64_t n = n0;
    for (; n + 8 <= n1; n += 8) tile<8, 1>(Xq, sx, K, Wq, sw, n, 0, Y, ldy);
    for (; n < n1; ++n) tile<1, 1>(Xq, sx, K, Wq, sw, n, 0, Y, ldy);
    return;
  }
  const int64_t tb = std::max<int64_t>(2, (192 * 1024 / std::max<int64_t>(K, 1)) / 2 * 2);
  for (int64_t t0 = 0; t0 < T; t0 += tb) {
    const int64_t t1 = std::min(T, t0 + tb);
    int64_t n = n0;
    for (; n + 4 <= n1; n += 4) rows_block<4>(Xq, sx, K, Wq, sw, n, t0, t1, Y, ldy);
    for (; n < n1; ++n) rows_block<1>(Xq, sx, K, Wq, sw, n, t0, t1, Y, ldy);
  }
}

}  // namespace mcs::engine::int8::avx2
