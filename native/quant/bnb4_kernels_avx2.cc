// AVX2 NF4/FP4 block kernels (see bnb4_kernels.h): the code is the count of
// thresholds below the scaled value, as in the portable loop, so the bytes are
// identical; values come from the code book through in-register table lookups.
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "quant/bnb4_kernels.h"
#include "cpu/simd_avx2.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace mcs::quant::avx2 {
namespace {

using namespace ::mcs::cpu::avx2;

const Bnb4Kernels& portable() { return bnb4_kernels_portable(); }

// 8 codes (0..15, one per int32) → 4 bytes, even elements in the high nibble.
inline void store_nibbles(uint8_t* out, __m256i c) {
  const __m256i r = _mm256_or_si256(_mm256_slli_epi64(c, 4), _mm256_srli_epi64(c, 32));
  const __m256i pick = _mm256_setr_epi8(0, 8, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,  //
                                        0, 8, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
  const __m256i b = _mm256_shuffle_epi8(r, pick);
  const uint32_t lo = uint32_t(_mm_cvtsi128_si32(_mm256_castsi256_si128(b))) & 0xffffu;
  const uint32_t hi = uint32_t(_mm_cvtsi128_si32(_mm256_extracti128_si256(b, 1))) & 0xffffu;
  const uint32_t w = lo | hi << 16;
  std::memcpy(out, &w, 4);
}

bool absmax(const float* x, int64_t n, float* out) {
  if (n < 8) return portable().absmax(x, n, out);
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256i exp_mask = _mm256_set1_epi32(0x7f800000);
  __m256 m = _mm256_setzero_ps();
  __m256i bad = _mm256_setzero_si256();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    m = _mm256_max_ps(m, _mm256_andnot_ps(sign, v));
    bad = _mm256_or_si256(bad, _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_castps_si256(v), exp_mask), exp_mask));
  }
  float tail = 0;
  const bool tail_finite = portable().absmax(x + i, n - i, &tail);
  *out = std::fmax(hmax(m), tail);
  return tail_finite && _mm256_testz_si256(bad, bad);
}

// Code search tables: the thresholds padded to 16 (NF4) or 8 (FP4) entries for
// a branch-free binary search — after it, idx = the number of thresholds
// below s, exactly what the portable loop counts.
struct Tables {
  __m256 thr_lo, thr_hi;  // NF4: thresholds 0..7, 8..15; FP4: the 7 magnitude thresholds in thr_lo
  __m256 val_lo, val_hi;  // NF4: value[0..7], value[8..15]; FP4: magnitudes in increasing order
  __m256i fp4_mag_code;   // FP4: sorted magnitude index → code bits
  explicit Tables(Bnb4Type t) {
    const Bnb4Codebook& cb = bnb4_codebook(t);
    float thr[16];
    for (int j = 0; j < 16; ++j) thr[j] = j < (t == Bnb4Type::NF4 ? 15 : 7) ? cb.threshold[j] : INFINITY;
    thr_lo = _mm256_loadu_ps(thr);
    thr_hi = _mm256_loadu_ps(thr + 8);
    if (t == Bnb4Type::NF4) {
      val_lo = _mm256_loadu_ps(cb.value);
      val_hi = _mm256_loadu_ps(cb.value + 8);
    } else {
      float mags[8];
      int codes[8];
      for (int k = 0; k < 8; ++k) {
        mags[k] = cb.value[kFp4MagnitudeCode[k]];
        codes[k] = kFp4MagnitudeCode[k];
      }
      val_lo = val_hi = _mm256_loadu_ps(mags);
      fp4_mag_code = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(codes));
    }
  }
};

// One step of the search: idx += step where s > table[idx + step − 1].
inline __m256i search_step16(const Tables& tb, __m256 s, __m256i idx, int step) {
  const __m256i probe = _mm256_add_epi32(idx, _mm256_set1_epi32(step - 1));
  const __m256 t = lookup16(tb.thr_lo, tb.thr_hi, probe);
  return _mm256_add_epi32(idx, _mm256_and_si256(_mm256_castps_si256(_mm256_cmp_ps(s, t, _CMP_GT_OQ)), _mm256_set1_epi32(step)));
}

inline __m256i search_step8(const Tables& tb, __m256 a, __m256i idx, int step) {
  const __m256 t = _mm256_permutevar8x32_ps(tb.thr_lo, _mm256_add_epi32(idx, _mm256_set1_epi32(step - 1)));
  return _mm256_add_epi32(idx, _mm256_and_si256(_mm256_castps_si256(_mm256_cmp_ps(a, t, _CMP_GT_OQ)), _mm256_set1_epi32(step)));
}

// Codes and reconstructed (unscaled) values of 8 scaled values.
inline void encode8(const Tables& tb, Bnb4Type t, __m256 s, __m256i* code, __m256* value) {
  __m256i k = _mm256_setzero_si256();
  if (t == Bnb4Type::NF4) {
    for (int step = 8; step >= 1; step >>= 1) k = search_step16(tb, s, k, step);
    *code = k;
    *value = lookup16(tb.val_lo, tb.val_hi, k);
    return;
  }
  const __m256 sign_bit = _mm256_set1_ps(-0.0f);
  const __m256 a = _mm256_andnot_ps(sign_bit, s);
  for (int step = 4; step >= 1; step >>= 1) k = search_step8(tb, a, k, step);
  const __m256 neg = _mm256_cmp_ps(s, _mm256_setzero_ps(), _CMP_LT_OQ);
  *code = _mm256_or_si256(_mm256_permutevar8x32_epi32(tb.fp4_mag_code, k),
                          _mm256_and_si256(_mm256_castps_si256(neg), _mm256_set1_epi32(8)));
  *value = _mm256_xor_ps(_mm256_permutevar8x32_ps(tb.val_lo, k), _mm256_and_ps(neg, sign_bit));
}

void quantize(const float* x, int64_t n, int64_t blocksize, Bnb4Type t, const float* inv, const float* recon,
              uint8_t* packed, ErrorStats* err) {
  const Tables tb(t);
  const __m256 one = _mm256_set1_ps(1.0f), minus_one = _mm256_set1_ps(-1.0f), sign = _mm256_set1_ps(-0.0f);
  __m256d sq = _mm256_setzero_pd(), se = _mm256_setzero_pd();
  __m256 maxe = _mm256_setzero_ps();
  int64_t b = 0;
  for (; (b + 1) * blocksize <= n; ++b) {  // whole blocks (a multiple of 8 long)
    const float* xb = x + b * blocksize;
    const __m256 vinv = _mm256_set1_ps(inv[b]), vrec = _mm256_set1_ps(recon[b]);
    // float32 sums over runs of 128 values, double across runs (~6 digits).
    for (int64_t r = 0; r < blocksize; r += 128) {
      __m256 sq32 = _mm256_setzero_ps(), se32 = _mm256_setzero_ps();
      for (int64_t i = r; i < std::min<int64_t>(blocksize, r + 128); i += 8) {
        const __m256 v = _mm256_loadu_ps(xb + i);
        const __m256 s = _mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(v, vinv), minus_one), one);
        __m256i code;
        __m256 value;
        encode8(tb, t, s, &code, &value);
        store_nibbles(packed + (b * blocksize + i) / 2, code);
        const __m256 e = _mm256_sub_ps(v, _mm256_mul_ps(value, vrec));
        sq32 = _mm256_fmadd_ps(v, v, sq32);
        se32 = _mm256_fmadd_ps(e, e, se32);
        maxe = _mm256_max_ps(maxe, _mm256_andnot_ps(sign, e));
      }
      sq = add_widened(sq, sq32);
      se = add_widened(se, se32);
    }
  }
  ErrorStats tail;
  tail.max_abs = std::fmax(err->max_abs, hmax(maxe));
  const int64_t done = b * blocksize;
  portable().quantize(x + done, n - done, blocksize, t, inv + b, recon + b, packed + done / 2, &tail);
  err->count += done;
  err->sum_sq += hsum(sq);
  err->sse += hsum(se);
  err->merge(tail);
}

void dequantize(const uint8_t* packed, int64_t n, Bnb4Type t, float absmax, float* out) {
  const Bnb4Codebook& cb = bnb4_codebook(t);
  const __m256 lo = _mm256_loadu_ps(cb.value), hi = _mm256_loadu_ps(cb.value + 8), a = _mm256_set1_ps(absmax);
  const __m256i shifts = _mm256_setr_epi32(4, 0, 4, 0, 4, 0, 4, 0), nibble = _mm256_set1_epi32(0xf);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    int32_t four;
    std::memcpy(&four, packed + i / 2, 4);
    const __m128i b = _mm_cvtsi32_si128(four);
    const __m256i w = _mm256_cvtepu8_epi32(_mm_unpacklo_epi8(b, b));  // b0 b0 b1 b1 …
    const __m256i code = _mm256_and_si256(_mm256_srlv_epi32(w, shifts), nibble);
    _mm256_storeu_ps(out + i, _mm256_mul_ps(lookup16(lo, hi, code), a));
  }
  portable().dequantize(packed + i / 2, n - i, t, absmax, out + i);
}

const Bnb4Kernels kAvx2 = {absmax, quantize, dequantize};

}  // namespace

const Bnb4Kernels& bnb4_kernels() { return kAvx2; }

}  // namespace mcs::quant::avx2
