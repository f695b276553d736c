// AVX2 versions of the integer quantization kernels (see int_kernels.h). Codes
// equal the portable ones exactly: _mm256_div_ps and _mm256_round_ps (nearest,
// ties to even) are the same IEEE operations as x / s and nearbyintf.
#include <immintrin.h>

#include <algorithm>
#include <cmath>

#include "quant/int_kernels.h"
#include "cpu/simd_avx2.h"

// No fused multiply-add where the portable code rounds twice: the error terms
// must match the portable kernels (and the reference) exactly.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace mcs::quant::avx2 {
namespace {

using namespace ::mcs::cpu::avx2;

const IntKernels& portable() { return int_kernels_portable(); }

// 8 int32 (each in [-128, 127]) → 8 int8 stored at out.
inline void store_codes8(int8_t* out, __m256i q) {
  const __m256i w = _mm256_packs_epi16(_mm256_packs_epi32(q, q), _mm256_setzero_si256());
  const int32_t a = _mm_cvtsi128_si32(_mm256_castsi256_si128(w));
  const int32_t b = _mm_cvtsi128_si32(_mm256_extracti128_si256(w, 1));
  __builtin_memcpy(out, &a, 4);
  __builtin_memcpy(out + 4, &b, 4);
}

bool minmax(const float* x, int64_t n, float* lo, float* hi) {
  if (n < 8) return portable().minmax(x, n, lo, hi);
  const __m256i exp_mask = _mm256_set1_epi32(0x7f800000);
  __m256 a = _mm256_loadu_ps(x), b = a;
  __m256i bad = _mm256_setzero_si256();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    a = _mm256_min_ps(a, v);
    b = _mm256_max_ps(b, v);
    bad = _mm256_or_si256(bad, _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_castps_si256(v), exp_mask), exp_mask));
  }
  float l = hmin(a), h = hmax(b);
  bool finite = _mm256_testz_si256(bad, bad);
  for (; i < n; ++i) {
    finite &= std::isfinite(x[i]);
    l = std::fmin(l, x[i]);
    h = std::fmax(h, x[i]);
  }
  *lo = l;
  *hi = h;
  return finite;
}

struct Consts {
  __m256 scale, zero, qmin, qmax, clip_hi, clip_lo;
  explicit Consts(QParams p, IntGrid g)
      : scale(_mm256_set1_ps(p.scale)), zero(_mm256_set1_ps(p.zero)), qmin(_mm256_set1_ps(float(g.qmin))),
        qmax(_mm256_set1_ps(float(g.qmax))), clip_hi(_mm256_set1_ps(p.clip_hi)), clip_lo(_mm256_set1_ps(p.clip_lo)) {}
};

inline __m256 scaled(const Consts& c, __m256 x) { return _mm256_add_ps(_mm256_div_ps(x, c.scale), c.zero); }
inline __m256 to_code(const Consts& c, __m256 v) {
  return _mm256_round_ps(_mm256_min_ps(_mm256_max_ps(v, c.qmin), c.qmax), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}

void quantize(const float* x, int64_t n, QParams p, IntGrid g, int8_t* codes, ErrorStats* err) {
  const Consts c(p, g);
  const __m256 sign = _mm256_set1_ps(-0.0f);
  __m256d sq = _mm256_setzero_pd(), se = _mm256_setzero_pd();
  __m256 maxe = _mm256_setzero_ps();
  int64_t clipped = 0, i = 0;
  // Squares are summed in float32 over runs of 16 vectors (128 values), then
  // in double: the sums keep ~6 significant digits, plenty for MSE and SNR,
  // at a fraction of the cost of widening every term.
  constexpr int64_t kRun = 128;
  while (i + 8 <= n) {
    const int64_t end = std::min<int64_t>(n & ~int64_t(7), i + kRun);
    __m256 sq32 = _mm256_setzero_ps(), se32 = _mm256_setzero_ps();
    for (; i < end; i += 8) {
      const __m256 v = _mm256_loadu_ps(x + i);
      const __m256 s = scaled(c, v);
      const __m256 out = _mm256_or_ps(_mm256_cmp_ps(v, c.clip_hi, _CMP_GT_OQ), _mm256_cmp_ps(v, c.clip_lo, _CMP_LT_OQ));
      clipped += __builtin_popcount(unsigned(_mm256_movemask_ps(out)));
      const __m256 q = to_code(c, s);
      store_codes8(codes + i, _mm256_cvtps_epi32(q));
      const __m256 e = _mm256_sub_ps(v, _mm256_mul_ps(_mm256_sub_ps(q, c.zero), c.scale));
      sq32 = _mm256_fmadd_ps(v, v, sq32);
      se32 = _mm256_fmadd_ps(e, e, se32);
      maxe = _mm256_max_ps(maxe, _mm256_andnot_ps(sign, e));
    }
    sq = add_widened(sq, sq32);
    se = add_widened(se, se32);
  }
  ErrorStats tail;
  tail.max_abs = std::fmax(err->max_abs, hmax(maxe));
  portable().quantize(x + i, n - i, p, g, codes + i, &tail);
  err->count += i;
  err->sum_sq += hsum(sq);
  err->sse += hsum(se);
  err->clipped += clipped;
  err->merge(tail);
}

double sse(const float* x, int64_t n, QParams p, IntGrid g) {
  const Consts c(p, g);
  __m256d se0 = _mm256_setzero_pd(), se1 = _mm256_setzero_pd();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 v0 = _mm256_loadu_ps(x + i), v1 = _mm256_loadu_ps(x + i + 8);
    const __m256 q0 = to_code(c, scaled(c, v0)), q1 = to_code(c, scaled(c, v1));
    se0 = add_squares(se0, _mm256_sub_ps(v0, _mm256_mul_ps(_mm256_sub_ps(q0, c.zero), c.scale)));
    se1 = add_squares(se1, _mm256_sub_ps(v1, _mm256_mul_ps(_mm256_sub_ps(q1, c.zero), c.scale)));
  }
  return hsum(_mm256_add_pd(se0, se1)) + portable().sse(x + i, n - i, p, g);
}

void dequantize(const int8_t* codes, int64_t n, QParams p, float* out) {
  const __m256 scale = _mm256_set1_ps(p.scale), zero = _mm256_set1_ps(p.zero);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i b = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(codes + i));
    const __m256 q = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(b));
    _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_sub_ps(q, zero), scale));
  }
  portable().dequantize(codes + i, n - i, p, out + i);
}

void compare(const float* x, const float* y, int64_t n, ErrorStats* err) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  __m256d sq = _mm256_setzero_pd(), se = _mm256_setzero_pd();
  __m256 maxe = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    const __m256 e = _mm256_sub_ps(v, _mm256_loadu_ps(y + i));
    sq = add_squares(sq, v);
    se = add_squares(se, e);
    maxe = _mm256_max_ps(maxe, _mm256_andnot_ps(sign, e));
  }
  ErrorStats tail;
  tail.max_abs = std::fmax(err->max_abs, hmax(maxe));
  portable().compare(x + i, y + i, n - i, &tail);
  err->count += i;
  err->sum_sq += hsum(sq);
  err->sse += hsum(se);
  err->merge(tail);
}

const IntKernels kAvx2 = {minmax, quantize, sse, dequantize, compare};

}  // namespace

const IntKernels& int_kernels() { return kAvx2; }

}  // namespace mcs::quant::avx2
