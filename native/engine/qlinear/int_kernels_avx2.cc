// AVX2/FMA kernels for integer weights × float activations (int_kernels.h).
// A tile is R weight rows × C tokens; 16 codes are widened to two float
// vectors once and used by every token of the tile. Per group: 8-lane sums
// of u·x, scaled into 8-lane totals; the offset correction and any tail
// columns are scalar. Each element's arithmetic is the same in every tile.
#include <immintrin.h>

#include <algorithm>

#include "engine/qlinear/int_kernels.h"
#include "engine/qlinear/tile_walk.h"
#include "cpu/simd_avx2.h"

namespace mcs::engine::qlinear::avx2 {
namespace {

template <CodeLayout L>
constexpr int64_t kChunkBytes = (L == CodeLayout::U4 || L == CodeLayout::T4) ? 8 : 16;

// Widens 16 held codes to two float vectors (elements 0..7 and 8..15 of the chunk).
template <CodeLayout L>
struct Decoder {
  __m256 tlo, thi;  // T4: table[0..7], table[8..15]
  explicit Decoder(const IntWeights& w) {
    if constexpr (L == CodeLayout::T4) tlo = _mm256_loadu_ps(w.table), thi = _mm256_loadu_ps(w.table + 8);
  }
  inline void operator()(const uint8_t* p, __m256& lo, __m256& hi) const {
    if constexpr (L == CodeLayout::U4 || L == CodeLayout::T4) {
      const __m256i b = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
      if constexpr (L == CodeLayout::T4) {
        lo = cpu::avx2::lookup16(tlo, thi, b);
        hi = cpu::avx2::lookup16(tlo, thi, _mm256_srli_epi32(b, 4));
      } else {
        lo = _mm256_cvtepi32_ps(_mm256_and_si256(b, _mm256_set1_epi32(15)));
        hi = _mm256_cvtepi32_ps(_mm256_srli_epi32(b, 4));
      }
    } else if constexpr (L == CodeLayout::U8) {
      lo = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
      hi = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p + 8))));
    } else {
      lo = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
      hi = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p + 8))));
    }
  }
};

// Σ_g s[g] · off[g] · xsum[g] over a row's groups: 8 groups a step, then the rest in order.
inline float correction(const IntWeights& w, int64_t n, const float* xsum) {
  const float* s = w.scale.data() + n * w.groups;
  const float* off = w.offset.empty() ? nullptr : w.offset.data() + n * w.groups;
  const __m256 base = _mm256_set1_ps(w.base);
  __m256 acc = _mm256_setzero_ps();
  int64_t g = 0;
  for (; g + 8 <= w.groups; g += 8) {
    const __m256 so = _mm256_mul_ps(_mm256_loadu_ps(s + g), off ? _mm256_loadu_ps(off + g) : base);
    acc = _mm256_fmadd_ps(so, _mm256_loadu_ps(xsum + g), acc);
  }
  float c = cpu::avx2::hsum8(acc);
  for (; g < w.groups; ++g) c += (s[g] * (off ? off[g] : w.base)) * xsum[g];
  return c;
}

// y[t + c, n + r] for r < R, c < C. Per group: 8-lane sums of u·x, scaled
// into 8-lane totals; columns past the last 16-chunk (only when the row is
// one group) in a scalar tail; the offset term subtracted at the end.
template <CodeLayout L, int R, int C>
inline void tile(const IntCall& call, int64_t n, int64_t t) {
  const IntWeights& w = *call.w;
  const Decoder<L> decode16(w);
  const int64_t K = w.in, G = w.groups == 1 ? K & ~int64_t(15) : w.group;
  const float* x[C];
  for (int c = 0; c < C; ++c) x[c] = call.x + (t + c) * K;
  const uint8_t* row[R];
  const float* scale[R];
  for (int r = 0; r < R; ++r) row[r] = w.data + (n + r) * w.stride, scale[r] = w.scale.data() + (n + r) * w.groups;
  __m256 tot[R][C];
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) tot[r][c] = _mm256_setzero_ps();
  for (int64_t g = 0, k0 = 0; g < w.groups; ++g, k0 += G) {
    // Two accumulators per element (chunk halves): independent FMA chains.
    __m256 a[R][C], b[R][C];
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c) a[r][c] = _mm256_setzero_ps(), b[r][c] = _mm256_setzero_ps();
    for (int64_t k = k0; k < k0 + G; k += 16) {
      for (int r = 0; r < R; ++r) {
        __m256 lo, hi;
        decode16(row[r] + (k >> 4) * kChunkBytes<L>, lo, hi);
        for (int c = 0; c < C; ++c) {
          a[r][c] = _mm256_fmadd_ps(lo, _mm256_loadu_ps(x[c] + k), a[r][c]);
          b[r][c] = _mm256_fmadd_ps(hi, _mm256_loadu_ps(x[c] + k + 8), b[r][c]);
        }
      }
    }
    for (int r = 0; r < R; ++r) {
      const __m256 vs = _mm256_broadcast_ss(scale[r] + g);
      for (int c = 0; c < C; ++c) tot[r][c] = _mm256_fmadd_ps(vs, _mm256_add_ps(a[r][c], b[r][c]), tot[r][c]);
    }
  }
  const int64_t kt = w.groups == 1 ? K & ~int64_t(15) : K;
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) {
      float tl = 0.0f;
      for (int64_t k = kt; k < K; ++k) tl += w.value(n + r, k) * x[c][k];
      const float corr = correction(w, n + r, call.xsum + (t + c) * w.groups);
      call.y[(t + c) * call.ldy + n + r] = (cpu::avx2::hsum8(tot[r][c]) + scale[r][0] * tl) - corr;
    }
}

template <CodeLayout L>
void run(const IntCall& call, int64_t n0, int64_t n1) {
  const int64_t block = token_block<3>(4 * call.w->in);
  walk_tiles<3>(call.T, block, n0, n1, [&](auto r, auto c, int64_t n, int64_t t) {
    tile<L, decltype(r)::value, decltype(c)::value>(call, n, t);
  });
}

}  // namespace

void int_rows(const IntCall& call, int64_t n0, int64_t n1) {
  switch (call.w->layout) {
    case CodeLayout::U4: return run<CodeLayout::U4>(call, n0, n1);
    case CodeLayout::U8: return run<CodeLayout::U8>(call, n0, n1);
    case CodeLayout::S8: return run<CodeLayout::S8>(call, n0, n1);
    case CodeLayout::T4: return run<CodeLayout::T4>(call, n0, n1);
  }
}

}  // namespace mcs::engine::qlinear::avx2
