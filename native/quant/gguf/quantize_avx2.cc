// AVX2 quantizers for Q8_0, Q4_0, Q4_1, Q5_0, Q5_1 that write the same bytes as
// the scalar references (quantize_ref.cc). Per block: the same scalar scale
// arithmetic, the same vector float ops per element (IEEE mul/add/sub are exact
// per lane, so lanes equal the scalar expressions), and the reference's tie
// rules restored where a vector min/max would lose them (which element of equal
// magnitude, which sign of zero). A block whose scale or inverse scale is not
// finite (values near FLT_MIN, or a range that overflows) is rare and has
// conversions the vector path cannot mirror: it goes to the scalar reference.
#include <immintrin.h>

#include <cfloat>
#include <cmath>
#include <cstring>

#include "cpu/simd_avx2.h"
#include "quant/gguf/block_fns.h"
#include "quant/gguf/blocks.h"

namespace mcs::gguf::avx2 {
namespace {

using ::mcs::cpu::avx2::hmax;
using ::mcs::cpu::avx2::hmin;

struct Block {
  __m256 v[4];
};

inline Block load(const float* x) {
  return {{_mm256_loadu_ps(x), _mm256_loadu_ps(x + 8), _mm256_loadu_ps(x + 16), _mm256_loadu_ps(x + 24)}};
}

// Lanes whose exponent is all ones (NaN or ±inf), OR-ed into `acc`.
inline __m256i nonfinite(const Block& b, __m256i acc) {
  const __m256i exp = _mm256_set1_epi32(0x7f800000);
  for (const __m256& v : b.v)
    acc = _mm256_or_si256(acc, _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_castps_si256(v), exp), exp));
  return acc;
}

inline __m256 absv(__m256 v) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v); }

// Bit j set where element j of the block compares equal to `value`.
inline uint32_t eq_mask(const Block& b, __m256 value, bool magnitude) {
  uint32_t m = 0;
  for (int k = 0; k < 4; ++k) {
    const __m256 v = magnitude ? absv(b.v[k]) : b.v[k];
    m |= uint32_t(_mm256_movemask_ps(_mm256_cmp_ps(v, value, _CMP_EQ_OQ))) << (8 * k);
  }
  return m;
}

// Index of the lowest set bit; 0 for an empty mask (only a block holding NaN,
// whose output is discarded, can give one).
inline int first(uint32_t mask) { return mask ? __builtin_ctz(mask) : 0; }

// The reference's signed_absmax: first element of largest magnitude, +0 if none.
inline float signed_absmax(const Block& b, const float* x) {
  const __m256 a = _mm256_max_ps(_mm256_max_ps(absv(b.v[0]), absv(b.v[1])), _mm256_max_ps(absv(b.v[2]), absv(b.v[3])));
  const float amax = hmax(a);
  if (amax == 0.0f) return 0.0f;
  return x[first(eq_mask(b, _mm256_set1_ps(amax), true))];
}

// The reference's min_max: where the extreme is zero, the first zero's sign.
inline void min_max(const Block& b, const float* x, float& min, float& max) {
  min = hmin(_mm256_min_ps(_mm256_min_ps(b.v[0], b.v[1]), _mm256_min_ps(b.v[2], b.v[3])));
  max = hmax(_mm256_max_ps(_mm256_max_ps(b.v[0], b.v[1]), _mm256_max_ps(b.v[2], b.v[3])));
  if (min == 0.0f || max == 0.0f) {
    const float zero = x[first(eq_mask(b, _mm256_setzero_ps(), false))];
    if (min == 0.0f) min = zero;
    if (max == 0.0f) max = zero;
  }
}

// 4×8 int32 (each in −128..127) → 32 int8 in element order.
inline __m256i pack_i8(const __m256i q[4]) {
  const __m256i ab = _mm256_packs_epi32(q[0], q[1]);
  const __m256i cd = _mm256_packs_epi32(q[2], q[3]);
  return _mm256_permutevar8x32_epi32(_mm256_packs_epi16(ab, cd), _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

// Truncated codes of v·mul + add (or (v − sub)·mul + add), clamped above at `hi`.
inline __m256i codes(const Block& b, __m256 sub, bool use_sub, float mul, float add, int hi) {
  const __m256 m = _mm256_set1_ps(mul), a = _mm256_set1_ps(add);
  __m256i q[4];
  for (int k = 0; k < 4; ++k) {
    const __m256 v = use_sub ? _mm256_sub_ps(b.v[k], sub) : b.v[k];
    q[k] = _mm256_min_epi32(_mm256_cvttps_epi32(_mm256_add_ps(_mm256_mul_ps(v, m), a)), _mm256_set1_epi32(hi));
  }
  return pack_i8(q);
}

// Codes 0..15 of elements j and j+16 into qs[j] (low, high nibble).
inline void store_nibbles(__m256i c, uint8_t* qs) {
  const __m128i lo = _mm_and_si128(_mm256_castsi256_si128(c), _mm_set1_epi8(0x0f));
  const __m128i hi = _mm_and_si128(_mm256_extracti128_si256(c, 1), _mm_set1_epi8(0x0f));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(qs), _mm_or_si128(lo, _mm_slli_epi16(hi, 4)));
}

// Bit 4 of each code into bit j of a little-endian uint32.
inline void store_high_bits(__m256i c, uint8_t* qh) {
  const uint32_t bits = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_slli_epi16(c, 3)));
  std::memcpy(qh, &bits, 4);
}

// F16C rounds to nearest even like core/fp16.h's f32_to_f16 (equal on every
// non-NaN float, checked exhaustively; scales here are never NaN).
inline void store_half(uint8_t* p, float x) {
  const uint16_t h = static_cast<uint16_t>(_cvtss_sh(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  std::memcpy(p, &h, 2);
}

inline bool finite_scale(float d, float id) { return std::isfinite(d) && std::isfinite(id); }

void q8_0(const float* x, const Block& b, uint8_t* out) {
  const __m256 a = _mm256_max_ps(_mm256_max_ps(absv(b.v[0]), absv(b.v[1])), _mm256_max_ps(absv(b.v[2]), absv(b.v[3])));
  const float d = hmax(a) / 127;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  if (!finite_scale(d, id)) return scalar_quantizer(DType::Q8_0)(x, out);
  store_half(out, d);
  // roundf(v) == trunc(v + copysign(0.5 - 2^-25, v)) for every |v| < 2^23 (checked
  // on all floats): the sum rounds up to the next integer exactly when v ≥ k + 0.5.
  const __m256 m = _mm256_set1_ps(id), sign = _mm256_set1_ps(-0.0f), nearly_half = _mm256_set1_ps(0.49999997f);
  __m256i q[4];
  for (int k = 0; k < 4; ++k) {
    const __m256 v = _mm256_mul_ps(b.v[k], m);
    q[k] = _mm256_cvttps_epi32(_mm256_add_ps(v, _mm256_or_ps(_mm256_and_ps(v, sign), nearly_half)));
  }
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 2), pack_i8(q));
}

template <int kBits>  // 4: Q4_0, 5: Q5_0
void q_0(const float* x, const Block& b, uint8_t* out) {
  constexpr float kMid = kBits == 4 ? 8.0f : 16.0f;
  const float d = signed_absmax(b, x) / -kMid;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  if (!finite_scale(d, id)) return scalar_quantizer(kBits == 4 ? DType::Q4_0 : DType::Q5_0)(x, out);
  store_half(out, d);
  const __m256i c = codes(b, _mm256_setzero_ps(), false, id, kMid + 0.5f, (1 << kBits) - 1);
  if (kBits == 5) store_high_bits(c, out + 2);
  store_nibbles(c, out + (kBits == 4 ? 2 : 6));
}

template <int kBits>  // 4: Q4_1, 5: Q5_1
void q_1(const float* x, const Block& b, uint8_t* out) {
  float min, max;
  min_max(b, x, min, max);
  const float d = (max - min) / float((1 << kBits) - 1);
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  if (!finite_scale(d, id)) return scalar_quantizer(kBits == 4 ? DType::Q4_1 : DType::Q5_1)(x, out);
  store_half(out, d);
  store_half(out + 2, min);
  // Q5_1 has no clamp in the reference; its codes never exceed 31 with a finite scale.
  const __m256i c = codes(b, _mm256_set1_ps(min), true, id, 0.5f, kBits == 4 ? 15 : 255);
  if (kBits == 5) store_high_bits(c, out + 4);
  store_nibbles(c, out + (kBits == 4 ? 4 : 8));
}

template <void (*Fn)(const float*, const Block&, uint8_t*)>
bool run(const float* x, int64_t nblocks, size_t bytes, uint8_t* out) {
  __m256i bad = _mm256_setzero_si256();
  for (int64_t i = 0; i < nblocks; ++i) {
    const Block b = load(x + i * kQK);
    bad = nonfinite(b, bad);
    Fn(x + i * kQK, b, out + i * bytes);
  }
  return _mm256_testz_si256(bad, bad);
}

}  // namespace

bool quantize_blocks(DType type, const float* x, int64_t nblocks, uint8_t* out) {
  switch (type) {
    case DType::Q8_0: return run<q8_0>(x, nblocks, sizeof(block_q8_0), out);
    case DType::Q4_0: return run<q_0<4>>(x, nblocks, sizeof(block_q4_0), out);
    case DType::Q5_0: return run<q_0<5>>(x, nblocks, sizeof(block_q5_0), out);
    case DType::Q4_1: return run<q_1<4>>(x, nblocks, sizeof(block_q4_1), out);
    case DType::Q5_1: return run<q_1<5>>(x, nblocks, sizeof(block_q5_1), out);
    default: return false;
  }
}

}  // namespace mcs::gguf::avx2
