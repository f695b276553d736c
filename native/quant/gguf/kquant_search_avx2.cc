// AVX2 scale searches (kquant_search.h): eight groups at once, one per lane.
// Each lane runs its group's scalar algorithm step for step — the same float
// operations in the same order (every sum still runs over the group's elements
// in order), comparisons and updates turned into lane masks — so the results
// equal the scalar reference bit for bit. Groups are transposed in so that
// element i of the eight groups is one vector.
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "cpu/simd_avx2.h"
#include "quant/gguf/blocks.h"
#include "quant/gguf/kquant_search.h"

namespace mcs::gguf::kq {
namespace {

constexpr int kLanes = 8;
constexpr int kMaxN = 32;  // largest group

using ::mcs::cpu::avx2::lookup16;

// In-register transpose of an 8×8 block of floats.
inline void transpose8(__m256& r0, __m256& r1, __m256& r2, __m256& r3, __m256& r4, __m256& r5, __m256& r6, __m256& r7) {
  const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1), t2 = _mm256_unpacklo_ps(r2, r3),
               t3 = _mm256_unpackhi_ps(r2, r3), t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5),
               t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE), u2 = _mm256_shuffle_ps(t1, t3, 0x44),
               u3 = _mm256_shuffle_ps(t1, t3, 0xEE), u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE),
               u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  r0 = _mm256_permute2f128_ps(u0, u4, 0x20), r1 = _mm256_permute2f128_ps(u1, u5, 0x20);
  r2 = _mm256_permute2f128_ps(u2, u6, 0x20), r3 = _mm256_permute2f128_ps(u3, u7, 0x20);
  r4 = _mm256_permute2f128_ps(u0, u4, 0x31), r5 = _mm256_permute2f128_ps(u1, u5, 0x31);
  r6 = _mm256_permute2f128_ps(u2, u6, 0x31), r7 = _mm256_permute2f128_ps(u3, u7, 0x31);
}

// Element i of groups g0 … g0+count−1 (zero where a lane has no group) into v[i].
inline void transpose_in(const float* src, int n, int count, __m256* v) {
  if (count == kLanes && n % 8 == 0) {
    for (int j = 0; j < n; j += 8) {
      __m256 r[8];
      for (int k = 0; k < 8; ++k) r[k] = _mm256_loadu_ps(src + k * n + j);
      transpose8(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
      for (int k = 0; k < 8; ++k) v[j + k] = r[k];
    }
    return;
  }
  alignas(32) float tmp[kLanes];
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < kLanes; ++k) tmp[k] = k < count ? src[k * n + i] : 0.0f;
    v[i] = _mm256_load_ps(tmp);
  }
}

// Lane k of codes[i] into dst[k·n + i] for the lanes that hold a group (codes fit a byte).
template <typename T>
inline void transpose_out(const __m256i* codes, int n, int count, T* dst) {
  if (count == kLanes && n % 8 == 0) {
    for (int j = 0; j < n; j += 8) {
      __m256 r[8];
      for (int k = 0; k < 8; ++k) r[k] = _mm256_castsi256_ps(codes[j + k]);
      transpose8(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
      for (int k = 0; k < 8; ++k) {  // group k, elements j..j+7: eight int32 → eight bytes
        const __m256i v = _mm256_castps_si256(r[k]);
        const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
        _mm_storel_epi64(reinterpret_cast<__m128i*>(dst + k * n + j), _mm_packus_epi16(w, w));
      }
    }
    return;
  }
  alignas(32) int32_t tmp[kLanes];
  for (int i = 0; i < n; ++i) {
    _mm256_store_si256(reinterpret_cast<__m256i*>(tmp), codes[i]);
    for (int k = 0; k < count; ++k) dst[k * n + i] = static_cast<T>(tmp[k]);
  }
}

inline void store_lanes(__m256 v, int count, float* dst) {
  alignas(32) float tmp[kLanes];
  _mm256_store_ps(tmp, v);
  std::copy(tmp, tmp + count, dst);
}

// nearest_int per lane: the same 1.5·2^23 trick.
inline __m256i nearest(__m256 v) {
  const __m256i bits = _mm256_castps_si256(_mm256_add_ps(v, _mm256_set1_ps(12582912.0f)));
  return _mm256_sub_epi32(_mm256_and_si256(bits, _mm256_set1_epi32(0x007fffff)), _mm256_set1_epi32(0x00400000));
}

inline __m256i clamp(__m256i l, int lo, int hi) {
  return _mm256_max_epi32(_mm256_set1_epi32(lo), _mm256_min_epi32(_mm256_set1_epi32(hi), l));
}

inline __m256 fabs8(__m256 v) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v); }
inline __m256 neg8(__m256 v) { return _mm256_xor_ps(_mm256_set1_ps(-0.0f), v); }  // C's unary minus
inline __m256 blend(__m256 a, __m256 b, __m256 mask) { return _mm256_blendv_ps(a, b, mask); }
inline __m256i blendi(__m256i a, __m256i b, __m256 mask) {
  return _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(b), mask));
}
inline __m256 gt(__m256 a, __m256 b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
inline __m256 lt(__m256 a, __m256 b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
inline __m256 both(__m256 a, __m256 b) { return _mm256_and_ps(a, b); }

// The value of largest magnitude per lane, the first one winning ties (ggml's
// `if (ax > amax) { amax = ax; max = x; }`).
inline void signed_absmax(const __m256* X, int n, __m256& amax, __m256& max) {
  amax = _mm256_setzero_ps(), max = _mm256_setzero_ps();
  for (int i = 0; i < n; ++i) {
    const __m256 ax = fabs8(X[i]), m = gt(ax, amax);
    amax = blend(amax, ax, m);
    max = blend(max, X[i], m);
  }
}

// make_qx_quants's Σw·x·l and Σw·l² for one candidate inverse scale per lane.
inline void symmetric_sums(const __m256* X, const __m256* W, int n, int nmax, __m256 iscale, __m256& sumlx, __m256& suml2) {
  sumlx = _mm256_setzero_ps(), suml2 = _mm256_setzero_ps();
  for (int i = 0; i < n; ++i) {
    const __m256 l = _mm256_cvtepi32_ps(clamp(nearest(_mm256_mul_ps(iscale, X[i])), -nmax, nmax - 1));
    sumlx = _mm256_add_ps(sumlx, _mm256_mul_ps(_mm256_mul_ps(W[i], X[i]), l));
    suml2 = _mm256_add_ps(suml2, _mm256_mul_ps(_mm256_mul_ps(W[i], l), l));
  }
}

void symmetric(int groups, int n, int nmax, const float* x, const float* qw, int8_t* L, float* scales) {
  __m256 X[kMaxN], W[kMaxN];
  __m256i codes[kMaxN];
  for (int g0 = 0; g0 < groups; g0 += kLanes) {
    const int count = std::min(kLanes, groups - g0);
    transpose_in(x + g0 * n, n, count, X);
    if (qw) transpose_in(qw + g0 * n, n, count, W);
    else for (int i = 0; i < n; ++i) W[i] = _mm256_mul_ps(X[i], X[i]);
    __m256 amax, max;
    signed_absmax(X, n, amax, max);
    const __m256 zero = lt(amax, _mm256_set1_ps(kGroupMaxEps));
    __m256 win = _mm256_div_ps(_mm256_set1_ps(static_cast<float>(-nmax)), max);
    __m256 sumlx, suml2;
    symmetric_sums(X, W, n, nmax, win, sumlx, suml2);
    // `suml2 ? sumlx/suml2 : 0`: a NaN sum counts as non-zero in C.
    __m256 scale = blend(_mm256_setzero_ps(), _mm256_div_ps(sumlx, suml2), _mm256_cmp_ps(suml2, _mm256_setzero_ps(), _CMP_NEQ_UQ));
    __m256 best = _mm256_mul_ps(scale, sumlx);
    for (int is = -9; is <= 9; ++is) {
      if (is == 0) continue;
      const float c = static_cast<float>(nmax) + 0.1f * static_cast<float>(is);
      const __m256 iscale = _mm256_div_ps(_mm256_set1_ps(-c), max);
      symmetric_sums(X, W, n, nmax, iscale, sumlx, suml2);
      const __m256 take = both(gt(suml2, _mm256_setzero_ps()), gt(_mm256_mul_ps(sumlx, sumlx), _mm256_mul_ps(best, suml2)));
      const __m256 s = _mm256_div_ps(sumlx, suml2);
      scale = blend(scale, s, take);
      best = blend(best, _mm256_mul_ps(s, sumlx), take);
      win = blend(win, iscale, take);
    }
    for (int i = 0; i < n; ++i) {
      const __m256i l = _mm256_add_epi32(clamp(nearest(_mm256_mul_ps(win, X[i])), -nmax, nmax - 1), _mm256_set1_epi32(nmax));
      codes[i] = blendi(l, _mm256_setzero_si256(), zero);
    }
    transpose_out(codes, n, count, L + g0 * n);
    store_lanes(blend(scale, _mm256_setzero_ps(), zero), count, scales + g0);
  }
}

void with_min(int groups, int n, int nmax, const float* x, const float* w, uint8_t* L, float* scales, float* the_mins,
              float rmin, float rdelta, int nstep, bool use_mad) {
  __m256 X[kMaxN], W[kMaxN], lf[kMaxN];
  __m256i codes[kMaxN];
  const __m256 zero = _mm256_setzero_ps();
  auto error = [use_mad](__m256 diff) { return use_mad ? fabs8(diff) : _mm256_mul_ps(diff, diff); };
  for (int g0 = 0; g0 < groups; g0 += kLanes) {
    const int count = std::min(kLanes, groups - g0);
    transpose_in(x + g0 * n, n, count, X);
    transpose_in(w + g0 * n, n, count, W);
    __m256 min = X[0], max = X[0], sum_w = W[0], sum_x = _mm256_mul_ps(W[0], X[0]);
    for (int i = 1; i < n; ++i) {
      min = blend(min, X[i], lt(X[i], min));
      max = blend(max, X[i], gt(X[i], max));
      sum_w = _mm256_add_ps(sum_w, W[i]);
      sum_x = _mm256_add_ps(sum_x, _mm256_mul_ps(W[i], X[i]));
    }
    min = blend(min, zero, gt(min, zero));
    const __m256 done = _mm256_cmp_ps(max, min, _CMP_LE_OQ);
    __m256 iscale = _mm256_div_ps(_mm256_set1_ps(static_cast<float>(nmax)), _mm256_sub_ps(max, min));
    __m256 scale = _mm256_div_ps(_mm256_set1_ps(1.0f), iscale);
    __m256 best_mad = zero;
    for (int i = 0; i < n; ++i) {
      const __m256 l = _mm256_cvtepi32_ps(clamp(nearest(_mm256_mul_ps(iscale, _mm256_sub_ps(X[i], min))), 0, nmax));
      const __m256 diff = _mm256_sub_ps(_mm256_add_ps(_mm256_mul_ps(scale, l), min), X[i]);
      best_mad = _mm256_add_ps(best_mad, _mm256_mul_ps(W[i], error(diff)));
    }
    __m256 win_iscale = iscale, win_min = min;  // what the kept codes were made with
    for (int is = 0; is <= nstep; ++is) {
      const float c = rmin + rdelta * static_cast<float>(is) + static_cast<float>(nmax);
      iscale = _mm256_div_ps(_mm256_set1_ps(c), _mm256_sub_ps(max, min));
      __m256 sum_l = zero, sum_l2 = zero, sum_xl = zero;
      for (int i = 0; i < n; ++i) {
        lf[i] = _mm256_cvtepi32_ps(clamp(nearest(_mm256_mul_ps(iscale, _mm256_sub_ps(X[i], min))), 0, nmax));
        const __m256 wl = _mm256_mul_ps(W[i], lf[i]);
        sum_l = _mm256_add_ps(sum_l, wl);
        sum_l2 = _mm256_add_ps(sum_l2, _mm256_mul_ps(wl, lf[i]));
        sum_xl = _mm256_add_ps(sum_xl, _mm256_mul_ps(wl, X[i]));
      }
      const __m256 D = _mm256_sub_ps(_mm256_mul_ps(sum_w, sum_l2), _mm256_mul_ps(sum_l, sum_l));
      __m256 this_scale = _mm256_div_ps(_mm256_sub_ps(_mm256_mul_ps(sum_w, sum_xl), _mm256_mul_ps(sum_x, sum_l)), D);
      __m256 this_min = _mm256_div_ps(_mm256_sub_ps(_mm256_mul_ps(sum_l2, sum_x), _mm256_mul_ps(sum_l, sum_xl)), D);
      const __m256 positive = gt(this_min, zero);
      this_min = blend(this_min, zero, positive);
      this_scale = blend(this_scale, _mm256_div_ps(sum_xl, sum_l2), positive);
      __m256 mad = zero;
      for (int i = 0; i < n; ++i) {
        const __m256 diff = _mm256_sub_ps(_mm256_add_ps(_mm256_mul_ps(this_scale, lf[i]), this_min), X[i]);
        mad = _mm256_add_ps(mad, _mm256_mul_ps(W[i], error(diff)));
      }
      const __m256 take = both(gt(D, zero), lt(mad, best_mad));
      best_mad = blend(best_mad, mad, take);
      scale = blend(scale, this_scale, take);
      win_iscale = blend(win_iscale, iscale, take);
      win_min = blend(win_min, min, take);
      min = blend(min, this_min, take);
    }
    for (int i = 0; i < n; ++i) {
      const __m256i l = clamp(nearest(_mm256_mul_ps(win_iscale, _mm256_sub_ps(X[i], win_min))), 0, nmax);
      codes[i] = blendi(l, _mm256_setzero_si256(), done);
    }
    transpose_out(codes, n, count, L + g0 * n);
    store_lanes(blend(scale, zero, done), count, scales + g0);
    store_lanes(neg8(min), count, the_mins + g0);
  }
}

void q3(int groups, int n, int nmax, const float* x, int8_t* L, float* scales) {
  __m256 X[kMaxN], W[kMaxN], WX[kMaxN];  // x, w = x², w·x (the same products every pass)
  __m256i Li[kMaxN];
  const __m256 zero = _mm256_setzero_ps();
  for (int g0 = 0; g0 < groups; g0 += kLanes) {
    const int count = std::min(kLanes, groups - g0);
    transpose_in(x + g0 * n, n, count, X);
    __m256 amax, max;
    signed_absmax(X, n, amax, max);
    const __m256 is_zero = lt(amax, _mm256_set1_ps(kGroupMaxEps));
    const __m256 iscale = _mm256_div_ps(_mm256_set1_ps(static_cast<float>(-nmax)), max);
    __m256 sumlx = zero, suml2 = zero;
    for (int i = 0; i < n; ++i) {
      W[i] = _mm256_mul_ps(X[i], X[i]);
      WX[i] = _mm256_mul_ps(W[i], X[i]);
      Li[i] = clamp(nearest(_mm256_mul_ps(iscale, X[i])), -nmax, nmax - 1);
      const __m256 l = _mm256_cvtepi32_ps(Li[i]);
      sumlx = _mm256_add_ps(sumlx, _mm256_mul_ps(WX[i], l));
      suml2 = _mm256_add_ps(suml2, _mm256_mul_ps(_mm256_mul_ps(W[i], l), l));
    }
    // A lane that changed nothing in a pass would change nothing in the next
    // ones either, so running passes until no lane changes is each lane's loop.
    for (int itry = 0; itry < 5; ++itry) {
      __m256 changed = zero;
      for (int i = 0; i < n; ++i) {
        const __m256 w = W[i], wx = WX[i];
        const __m256 li = _mm256_cvtepi32_ps(Li[i]);
        __m256 slx = _mm256_sub_ps(sumlx, _mm256_mul_ps(wx, li));
        const __m256 active = gt(slx, zero);
        __m256 sl2 = _mm256_sub_ps(suml2, _mm256_mul_ps(_mm256_mul_ps(w, li), li));
        const __m256i nl = clamp(nearest(_mm256_div_ps(_mm256_mul_ps(X[i], sl2), slx)), -nmax, nmax - 1);
        const __m256 differs = _mm256_castsi256_ps(_mm256_xor_si256(_mm256_cmpeq_epi32(nl, Li[i]), _mm256_set1_epi32(-1)));
        const __m256 nlf = _mm256_cvtepi32_ps(nl);
        slx = _mm256_add_ps(slx, _mm256_mul_ps(wx, nlf));
        sl2 = _mm256_add_ps(sl2, _mm256_mul_ps(_mm256_mul_ps(w, nlf), nlf));
        const __m256 better = gt(_mm256_mul_ps(_mm256_mul_ps(slx, slx), suml2), _mm256_mul_ps(_mm256_mul_ps(sumlx, sumlx), sl2));
        const __m256 take = both(both(active, differs), both(gt(sl2, zero), better));
        Li[i] = blendi(Li[i], nl, take);
        sumlx = blend(sumlx, slx, take);
        suml2 = blend(suml2, sl2, take);
        changed = _mm256_or_ps(changed, take);
      }
      if (_mm256_movemask_ps(changed) == 0) break;
    }
    for (int i = 0; i < n; ++i) Li[i] = blendi(_mm256_add_epi32(Li[i], _mm256_set1_epi32(nmax)), _mm256_setzero_si256(), is_zero);
    transpose_out(Li, n, count, L + g0 * n);
    store_lanes(blend(_mm256_div_ps(sumlx, suml2), zero, is_zero), count, scales + g0);
  }
}

// best_index_int8 over the IQ4 levels per lane: c = #{k ∈ 1..14 : level[k] ≤ x}
// is the binary search's lower end for x inside (level[0], level[15]); then the
// nearer of levels c and c+1 by ggml's comparison; the ends and NaN as ggml.
struct Iq4Table {
  __m256 lo, hi;  // levels 0..7, 8..15 as floats
  Iq4Table() {
    alignas(32) float v[16];
    for (int k = 0; k < 16; ++k) v[k] = kIQ4Values[k];
    lo = _mm256_load_ps(v), hi = _mm256_load_ps(v + 8);
  }
};

inline __m256i iq4_index(const Iq4Table& t, __m256 x) {
  __m256i c = _mm256_setzero_si256();
  for (int k = 1; k < 15; ++k)
    c = _mm256_sub_epi32(c, _mm256_castps_si256(_mm256_cmp_ps(x, _mm256_set1_ps(kIQ4Values[k]), _CMP_GE_OQ)));
  const __m256i c1 = _mm256_add_epi32(c, _mm256_set1_epi32(1));
  const __m256 below = lookup16(t.lo, t.hi, c), above = lookup16(t.lo, t.hi, c1);
  const __m256 nearer_below = lt(_mm256_sub_ps(x, below), _mm256_sub_ps(above, x));
  __m256i idx = blendi(c1, c, nearer_below);
  idx = blendi(idx, _mm256_set1_epi32(15), _mm256_cmp_ps(x, _mm256_set1_ps(kIQ4Values[15]), _CMP_NLT_UQ));
  return blendi(idx, _mm256_setzero_si256(), _mm256_cmp_ps(x, _mm256_set1_ps(kIQ4Values[0]), _CMP_LE_OQ));
}

const Iq4Table& iq4_table() {
  static const Iq4Table t;
  return t;
}

void iq4(int groups, const float* x, const float* w, uint8_t* L, int ntry, float* scales) {
  __m256 X[32], W[32];
  __m256i codes[32];
  const Iq4Table& t = iq4_table();
  const __m256 zero = _mm256_setzero_ps();
  for (int g0 = 0; g0 < groups; g0 += kLanes) {
    const int count = std::min(kLanes, groups - g0);
    transpose_in(x + 32 * g0, 32, count, X);
    transpose_in(w + 32 * g0, 32, count, W);
    __m256 amax, max;
    signed_absmax(X, 32, amax, max);
    const __m256 is_zero = lt(amax, _mm256_set1_ps(kGroupMaxEps));
    const __m256 v0 = _mm256_set1_ps(static_cast<float>(kIQ4Values[0]));
    __m256 d = _mm256_div_ps(ntry > 0 ? neg8(max) : max, v0);
    __m256 id = _mm256_div_ps(_mm256_set1_ps(1.0f), d);
    __m256 sumqx = zero, sumq2 = zero;
    for (int j = 0; j < 32; ++j) {
      codes[j] = iq4_index(t, _mm256_mul_ps(id, X[j]));
      const __m256 q = lookup16(t.lo, t.hi, codes[j]), wq = _mm256_mul_ps(W[j], q);
      sumqx = _mm256_add_ps(sumqx, _mm256_mul_ps(wq, X[j]));
      sumq2 = _mm256_add_ps(sumq2, _mm256_mul_ps(wq, q));
    }
    d = _mm256_div_ps(sumqx, sumq2);
    __m256 best = _mm256_mul_ps(d, sumqx);
    for (int itry = -ntry; itry <= ntry; ++itry) {
      id = _mm256_div_ps(_mm256_set1_ps(static_cast<float>(itry + kIQ4Values[0])), max);
      sumqx = zero, sumq2 = zero;
      for (int j = 0; j < 32; ++j) {
        const __m256 q = lookup16(t.lo, t.hi, iq4_index(t, _mm256_mul_ps(id, X[j]))), wq = _mm256_mul_ps(W[j], q);
        sumqx = _mm256_add_ps(sumqx, _mm256_mul_ps(wq, X[j]));
        sumq2 = _mm256_add_ps(sumq2, _mm256_mul_ps(wq, q));
      }
      const __m256 take = both(gt(sumq2, zero), gt(_mm256_mul_ps(sumqx, sumqx), _mm256_mul_ps(best, sumq2)));
      const __m256 dn = _mm256_div_ps(sumqx, sumq2);
      d = blend(d, dn, take);
      best = blend(best, _mm256_mul_ps(dn, sumqx), take);
    }
    // Groups below kGroupMaxEps keep their codes (ggml skips them).
    const int skip = _mm256_movemask_ps(is_zero);
    alignas(32) int32_t tmp[kLanes];
    for (int j = 0; j < 32; ++j) {
      _mm256_store_si256(reinterpret_cast<__m256i*>(tmp), codes[j]);
      for (int k = 0; k < count; ++k)
        if (!(skip >> k & 1)) L[(g0 + k) * 32 + j] = static_cast<uint8_t>(tmp[k]);
    }
    store_lanes(blend(d, zero, is_zero), count, scales + g0);
  }
}

void iq4_codes(int n, const float* x, float idl, uint8_t* L) {
  const Iq4Table& t = iq4_table();
  const __m256 s = _mm256_set1_ps(idl);
  alignas(32) int32_t tmp[kLanes];
  int j = 0;
  for (; j + kLanes <= n; j += kLanes) {
    _mm256_store_si256(reinterpret_cast<__m256i*>(tmp), iq4_index(t, _mm256_mul_ps(s, _mm256_loadu_ps(x + j))));
    for (int k = 0; k < kLanes; ++k) L[j + k] = static_cast<uint8_t>(tmp[k]);
  }
  for (; j < n; ++j) L[j] = static_cast<uint8_t>(kq::iq4_index(idl * x[j]));
}

// 8 int32 lanes (each in 0..255 or −128..127) → 8 bytes at dst.
inline void store8_bytes(__m256i v, uint8_t* dst) {
  const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  _mm_storel_epi64(reinterpret_cast<__m128i*>(dst), _mm_packus_epi16(w, w));
}

void round_div(int n, const float* x, float add, float d, int lo, int hi, int offset, uint8_t* L) {
  const __m256 va = _mm256_set1_ps(add), vd = _mm256_set1_ps(d);
  const __m256i off = _mm256_set1_epi32(offset);
  int i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    const __m256 q = _mm256_div_ps(_mm256_add_ps(_mm256_loadu_ps(x + i), va), vd);
    store8_bytes(_mm256_add_epi32(clamp(nearest(q), lo, hi), off), L + i);  // lo + offset ≥ 0 for every caller
  }
  for (; i < n; ++i) L[i] = static_cast<uint8_t>(c_max(lo, c_min(hi, nearest_int((x[i] + add) / d))) + offset);
}

void q8_K(const float* x, uint8_t* out) {
  __m256 v[32], amax8 = _mm256_setzero_ps();
  for (int k = 0; k < 32; ++k) v[k] = _mm256_loadu_ps(x + 8 * k), amax8 = _mm256_max_ps(amax8, fabs8(v[k]));
  const float amax = cpu::avx2::hmax(amax8);
  if (!amax) {
    std::memset(out, 0, sizeof(block_q8_K));
    return;
  }
  // ggml's max is the first element of largest magnitude, sign kept.
  const __m256 target = _mm256_set1_ps(amax);
  int first = 0;
  for (int k = 0; k < 32; ++k) {
    const int m = _mm256_movemask_ps(_mm256_cmp_ps(fabs8(v[k]), target, _CMP_EQ_OQ));
    if (m) {
      first = 8 * k + __builtin_ctz(static_cast<unsigned>(m));
      break;
    }
  }
  const float iscale = -127.f / x[first];
  const __m256 vs = _mm256_set1_ps(iscale);
  int8_t* qs = reinterpret_cast<int8_t*>(out + 4);
  for (int k = 0; k < 32; k += 4) {
    __m256i q[4];
    for (int r = 0; r < 4; ++r) q[r] = _mm256_min_epi32(nearest(_mm256_mul_ps(vs, v[k + r])), _mm256_set1_epi32(127));
    const __m256i b = _mm256_permutevar8x32_epi32(
        _mm256_packs_epi16(_mm256_packs_epi32(q[0], q[1]), _mm256_packs_epi32(q[2], q[3])), _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(qs + 8 * k), b);
  }
  int16_t bsums[16];
  for (int j = 0; j < 16; ++j) {
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs + 16 * j));
    const __m256i w = _mm256_cvtepi8_epi16(b);
    bsums[j] = static_cast<int16_t>(cpu::avx2::hsum8_epi32(_mm256_madd_epi16(w, _mm256_set1_epi16(1))));
  }
  std::memcpy(out + 4 + 256, bsums, sizeof bsums);
  const float d = 1 / iscale;
  std::memcpy(out, &d, 4);
}

}  // namespace

const Searches& searches_avx2() {
  static const Searches s{symmetric, with_min, q3, iq4, iq4_codes, round_div, q8_K};
  return s;
}

}  // namespace mcs::gguf::kq
