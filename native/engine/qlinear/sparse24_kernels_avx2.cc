// AVX2 2:4 sparse rows (sparse24_kernels.h). 16 inputs hold 8 kept weights:
// their positions come from two mask bytes (a 256-entry table), the inputs
// are gathered from two 8-float loads by permutes and a blend, and one FMA
// takes all 8. A tile is R rows × C tokens; a row's values and positions are
// decoded once per 16 inputs for every token of the tile.
#include <immintrin.h>

#include <algorithm>

#include "engine/qlinear/sparse24_kernels.h"
#include "engine/qlinear/tile_walk.h"
#include "cpu/simd_avx2.h"

namespace mcs::engine::qlinear::avx2 {
namespace {

template <WeightType V>
inline __m256 load8(const uint8_t* p) {
  if constexpr (V == WeightType::F32) return _mm256_loadu_ps(reinterpret_cast<const float*>(p));
  else if constexpr (V == WeightType::F16) return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  else return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))), 16));
}

template <WeightType V, int R, int C>
inline void tile(const Sparse24Call& call, int64_t n, int64_t t) {
  const Sparse24& w = *call.w;
  const int64_t K = w.in, K16 = K & ~int64_t(15), vsize = V == WeightType::F32 ? 4 : 2;
  __m256 acc[R][C];
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) acc[r][c] = _mm256_setzero_ps();
  for (int64_t k = 0; k < K16; k += 16) {
    for (int r = 0; r < R; ++r) {
      const uint8_t* m = w.mask + (n + r) * w.mask_stride + (k >> 3);
      const __m256i idx = _mm256_inserti128_si256(
          _mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w.positions[m[0]]))),
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(w.positions[m[1]])), 1);
      const __m256 v = load8<V>(w.values + ((n + r) * (K / 2) + k / 2) * vsize);
      for (int c = 0; c < C; ++c) {
        const float* x = call.x + (t + c) * K + k;
        const __m256 g = _mm256_blend_ps(_mm256_permutevar8x32_ps(_mm256_loadu_ps(x), idx),
                                         _mm256_permutevar8x32_ps(_mm256_loadu_ps(x + 8), idx), 0xF0);
        acc[r][c] = _mm256_fmadd_ps(v, g, acc[r][c]);
      }
    }
  }
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) {
      float s = cpu::avx2::hsum8(acc[r][c]);
      // Tail groups (in % 16 = 4, 8 or 12): two kept weights per 4 inputs, in order.
      const uint8_t* m = w.mask + (n + r) * w.mask_stride;
      for (int64_t k = K16, j = K16 / 2; k < K; ++k)
        if (m[k >> 3] >> (k & 7) & 1) s += w.value(n + r, j++) * call.x[(t + c) * K + k];
      call.y[(t + c) * call.ldy + n + r] = s;
    }
}

template <WeightType V>
void run(const Sparse24Call& call, int64_t n0, int64_t n1) {
  const int64_t block = token_block<3>(4 * call.w->in);
  walk_tiles<3>(call.T, block, n0, n1, [&](auto r, auto c, int64_t n, int64_t t) {
    tile<V, decltype(r)::value, decltype(c)::value>(call, n, t);
  });
}

}  // namespace

void sparse24_rows(const Sparse24Call& call, int64_t n0, int64_t n1) {
  switch (call.w->vtype) {
    case WeightType::F32: return run<WeightType::F32>(call, n0, n1);
    case WeightType::F16: return run<WeightType::F16>(call, n0, n1);
    case WeightType::BF16: return run<WeightType::BF16>(call, n0, n1);
  }
}

}  // namespace mcs::engine::qlinear::avx2
