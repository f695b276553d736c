// AVX2 segment kernels for tensor statistics. A segment holding any NaN/inf is
// handed to the scalar kernel (rare, and keeps the vector loop branch-free).
#include <immintrin.h>

#include <cmath>

#include "cpu/simd_avx2.h"
#include "stats/tensor_stats.h"

namespace mcs::stats::avx2 {
namespace {

using namespace ::mcs::cpu::avx2;

bool all_finite(const float* x, int64_t n) {
  const __m256i exp_mask = _mm256_set1_epi32(0x7f800000);
  __m256i bad = _mm256_setzero_si256();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i e = _mm256_and_si256(_mm256_castps_si256(_mm256_loadu_ps(x + i)), exp_mask);
    bad = _mm256_or_si256(bad, _mm256_cmpeq_epi32(e, exp_mask));
  }
  if (!_mm256_testz_si256(bad, bad)) return false;
  for (; i < n; ++i)
    if (!std::isfinite(x[i])) return false;
  return true;
}

}  // namespace

Moments segment_moments(const float* x, int64_t n) {
  if (n < 8 || !all_finite(x, n)) return segment_moments_scalar(x, n);
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256 zero = _mm256_setzero_ps();
  __m256 vmin = _mm256_loadu_ps(x), vmax = vmin, vabs = _mm256_setzero_ps();
  __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
  __m256i zeros = _mm256_setzero_si256();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    vmin = _mm256_min_ps(vmin, v);
    vmax = _mm256_max_ps(vmax, v);
    vabs = _mm256_max_ps(vabs, _mm256_andnot_ps(sign, v));
    s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
    s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
    zeros = _mm256_sub_epi32(zeros, _mm256_castps_si256(_mm256_cmp_ps(v, zero, _CMP_EQ_OQ)));
  }
  Moments m;
  m.count = n;
  m.min = hmin(vmin);
  m.max = hmax(vmax);
  m.absmax = hmax(vabs);
  double sum = hsum(_mm256_add_pd(s0, s1));
  alignas(32) int32_t z[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(z), zeros);
  for (int k = 0; k < 8; ++k) m.zeros += z[k];
  for (; i < n; ++i) {
    const float v = x[i];
    m.min = std::fmin(m.min, v);
    m.max = std::fmax(m.max, v);
    m.absmax = std::fmax(m.absmax, std::fabs(v));
    m.zeros += v == 0.0f;
    sum += v;
  }
  m.mean = sum / double(n);
  const __m256d mean = _mm256_set1_pd(m.mean);
  __m256d q0 = _mm256_setzero_pd(), q1 = _mm256_setzero_pd();
  i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    const __m256d d0 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)), mean);
    const __m256d d1 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)), mean);
    q0 = _mm256_fmadd_pd(d0, d0, q0);
    q1 = _mm256_fmadd_pd(d1, d1, q1);
  }
  m.m2 = hsum(_mm256_add_pd(q0, q1));
  for (; i < n; ++i) {
    const double d = double(x[i]) - m.mean;
    m.m2 += d * d;
  }
  return m;
}

void segment_tail(const float* x, int64_t n, const TailParams& p, Tail& acc, uint64_t* hist) {
  if (n < 8 || !all_finite(x, n)) return segment_tail_scalar(x, n, p, acc, hist);
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256 mean = _mm256_set1_ps(p.mean), thr = _mm256_set1_ps(p.threshold);
  const __m256 lo = _mm256_set1_ps(p.lo), scale = _mm256_set1_ps(p.scale);
  const __m256i zero_i = _mm256_setzero_si256(), top = _mm256_set1_epi32(p.bins - 1);
  __m256d q0 = _mm256_setzero_pd(), q1 = _mm256_setzero_pd();
  __m256i outl = _mm256_setzero_si256();
  alignas(32) int32_t bins[8];
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    const __m256 d = _mm256_sub_ps(v, mean);
    const __m256d d0 = _mm256_cvtps_pd(_mm256_castps256_ps128(d));
    const __m256d d1 = _mm256_cvtps_pd(_mm256_extractf128_ps(d, 1));
    const __m256d e0 = _mm256_mul_pd(d0, d0), e1 = _mm256_mul_pd(d1, d1);
    q0 = _mm256_fmadd_pd(e0, e0, q0);
    q1 = _mm256_fmadd_pd(e1, e1, q1);
    outl = _mm256_sub_epi32(outl, _mm256_castps_si256(_mm256_cmp_ps(_mm256_andnot_ps(sign, d), thr, _CMP_GT_OQ)));
    __m256i b = _mm256_cvttps_epi32(_mm256_mul_ps(_mm256_sub_ps(v, lo), scale));
    b = _mm256_min_epi32(_mm256_max_epi32(b, zero_i), top);
    _mm256_store_si256(reinterpret_cast<__m256i*>(bins), b);
    for (int k = 0; k < 8; ++k) ++hist[bins[k]];
  }
  acc.m4 += hsum(_mm256_add_pd(q0, q1));
  alignas(32) int32_t o[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(o), outl);
  for (int k = 0; k < 8; ++k) acc.outliers += o[k];
  segment_tail_scalar(x + i, n - i, p, acc, hist);
}

}  // namespace mcs::stats::avx2
