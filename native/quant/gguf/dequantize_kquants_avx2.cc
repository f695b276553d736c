// AVX2 dequantizers of the k-quant super-blocks, bit-identical to
// dequantize_kquants_ref.cc: the per-sub-block scale and min are the same
// scalar float products, the codes are rebuilt 32 at a time with byte ops, and
// each lane does float(code) × scale (− min).
#include <immintrin.h>

#include <cstddef>
#include <cstring>
#include <type_traits>

#include "core/error.h"
#include "core/fp16.h"
#include "quant/gguf/block_fns.h"
#include "quant/gguf/blocks.h"
#include "quant/gguf/dequantize_simd_avx2.h"

namespace mcs::gguf::avx2 {
namespace {

inline __m256i low2(__m256i q, int shift) {
  return _mm256_and_si256(_mm256_srli_epi16(q, shift), _mm256_set1_epi8(3));
}

// 0xff in each byte whose `mask` bit is clear.
inline __m256i bit_clear(__m256i bytes, uint8_t mask) {
  const __m256i m = _mm256_set1_epi8(static_cast<char>(mask));
  return _mm256_cmpeq_epi8(_mm256_and_si256(bytes, m), _mm256_setzero_si256());
}

void q2_K(const uint8_t* in, float* y) {
  const auto b = load_block<block_q2_K>(in);
  const float d = f16_to_f32(b.d), dmin = f16_to_f32(b.dmin);
  int is = 0;
  for (int half = 0; half < 2; ++half) {
    const __m256i q = load32(b.qs + 32 * half);
    for (int shift = 0; shift < 8; shift += 2) {
      const __m256i c = low2(q, shift);
      for (int part = 0; part < 2; ++part, ++is) {
        const float dl = d * static_cast<float>(b.scales[is] & 0x0f), ml = dmin * static_cast<float>(b.scales[is] >> 4);
        put16<Op::MulSub>(y, part ? _mm256_extracti128_si256(c, 1) : _mm256_castsi256_si128(c), dl, ml);
        y += 16;
      }
    }
  }
}

void q3_K(const uint8_t* in, float* y) {
  const auto b = load_block<block_q3_K>(in);
  const float d = f16_to_f32(b.d);
  int8_t scales[16];
  k3_scales(b.scales, scales);
  const __m256i hm = load32(b.hmask);
  int is = 0;
  int bit = 0;
  for (int half = 0; half < 2; ++half) {
    const __m256i q = load32(b.qs + 32 * half);
    for (int shift = 0; shift < 8; shift += 2, ++bit) {
      const __m256i minus4 = _mm256_and_si256(bit_clear(hm, static_cast<uint8_t>(1u << bit)), _mm256_set1_epi8(4));
      const __m256i c = _mm256_sub_epi8(low2(q, shift), minus4);
      for (int part = 0; part < 2; ++part, ++is) {
        put16(y, part ? _mm256_extracti128_si256(c, 1) : _mm256_castsi256_si128(c), d * static_cast<float>(scales[is]));
        y += 16;
      }
    }
  }
}

template <bool kFive>
void q45_K(const uint8_t* in, float* y) {
  using B = std::conditional_t<kFive, block_q5_K, block_q4_K>;
  const auto b = load_block<B>(in);
  const float d = f16_to_f32(b.d), dmin = f16_to_f32(b.dmin);
  __m256i qh = _mm256_setzero_si256();
  if constexpr (kFive) qh = load32(b.qh);
  const __m256i nib = _mm256_set1_epi8(0x0f), sixteen = _mm256_set1_epi8(16);
  for (int g = 0; g < 4; ++g) {
    const __m256i q = load32(b.qs + 32 * g);
    __m256i lo = _mm256_and_si256(q, nib), hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), nib);
    if constexpr (kFive) {
      lo = _mm256_or_si256(lo, _mm256_andnot_si256(bit_clear(qh, static_cast<uint8_t>(1u << (2 * g))), sixteen));
      hi = _mm256_or_si256(hi, _mm256_andnot_si256(bit_clear(qh, static_cast<uint8_t>(2u << (2 * g))), sixteen));
    }
    uint8_t sc, m;
    k4_scale_min(2 * g, b.scales, sc, m);
    put32<Op::MulSub>(y, lo, d * static_cast<float>(sc), dmin * static_cast<float>(m));
    k4_scale_min(2 * g + 1, b.scales, sc, m);
    put32<Op::MulSub>(y + 32, hi, d * static_cast<float>(sc), dmin * static_cast<float>(m));
    y += 64;
  }
}

void q6_K(const uint8_t* in, float* y) {
  const auto b = load_block<block_q6_K>(in);
  const float d = f16_to_f32(b.d);
  const __m256i nib = _mm256_set1_epi8(0x0f), three = _mm256_set1_epi8(3), off = _mm256_set1_epi8(32);
  for (int half = 0; half < 2; ++half) {
    const __m256i ql0 = load32(b.ql + 64 * half), ql1 = load32(b.ql + 64 * half + 32);
    const __m256i qh = load32(b.qh + 32 * half);
    const int8_t* sc = b.scales + 8 * half;
    const __m256i lows[4] = {_mm256_and_si256(ql0, nib), _mm256_and_si256(ql1, nib),
                             _mm256_and_si256(_mm256_srli_epi16(ql0, 4), nib),
                             _mm256_and_si256(_mm256_srli_epi16(ql1, 4), nib)};
    for (int k = 0; k < 4; ++k) {  // elements 32k + l of this half
      const __m256i high = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * k), three), 4);
      const __m256i c = _mm256_sub_epi8(_mm256_or_si256(lows[k], high), off);
      float* yk = y + 128 * half + 32 * k;
      put16(yk, _mm256_castsi256_si128(c), d * static_cast<float>(sc[2 * k]));
      put16(yk + 16, _mm256_extracti128_si256(c, 1), d * static_cast<float>(sc[2 * k + 1]));
    }
  }
}

void q8_K(const uint8_t* in, float* y) {
  float d;
  std::memcpy(&d, in, 4);
  for (int k = 0; k < 8; ++k) put32(y + 32 * k, load32(in + 4 + 32 * k), d);
}

// The 16 IQ4 levels as bytes, looked up by pshufb: 16 codes → 16 int8 levels.
inline __m128i iq4_levels(__m128i codes) {
  return _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(kIQ4Values)), codes);
}

// 16 bytes of nibbles at qs → 32 levels (element j: low nibble of byte j; 16 + j: high).
inline __m256i iq4_32(const uint8_t* qs) {
  const __m128i q = load16(qs), m = _mm_set1_epi8(0x0f);
  return _mm256_set_m128i(iq4_levels(_mm_and_si128(_mm_srli_epi16(q, 4), m)), iq4_levels(_mm_and_si128(q, m)));
}

void iq4_nl(const uint8_t* in, float* y) { put32(y, iq4_32(in + 2), f16_to_f32(load_block<block_iq4_nl>(in).d)); }

void iq4_xs(const uint8_t* in, float* y) {
  const auto b = load_block<block_iq4_xs>(in);
  const float d = f16_to_f32(b.d);
  for (int ib = 0; ib < 8; ++ib) {
    const int ls = ((b.scales_l[ib / 2] >> 4 * (ib % 2)) & 0xf) | (((b.scales_h >> 2 * ib) & 3) << 4);
    put32(y + 32 * ib, iq4_32(in + offsetof(block_iq4_xs, qs) + 16 * ib), d * static_cast<float>(ls - 32));
  }
}

template <void (*Fn)(const uint8_t*, float*)>
void run(const uint8_t* in, int64_t nblocks, size_t bytes, float* out, int64_t elements = kQKK) {
  for (int64_t i = 0; i < nblocks; ++i) Fn(in + i * bytes, out + i * elements);
}

}  // namespace

void dequantize_kquant_blocks(DType type, const uint8_t* in, int64_t nblocks, float* out) {
  switch (type) {
    case DType::Q2_K: return run<q2_K>(in, nblocks, sizeof(block_q2_K), out);
    case DType::Q3_K: return run<q3_K>(in, nblocks, sizeof(block_q3_K), out);
    case DType::Q4_K: return run<q45_K<false>>(in, nblocks, sizeof(block_q4_K), out);
    case DType::Q5_K: return run<q45_K<true>>(in, nblocks, sizeof(block_q5_K), out);
    case DType::Q6_K: return run<q6_K>(in, nblocks, sizeof(block_q6_K), out);
    case DType::Q8_K: return run<q8_K>(in, nblocks, sizeof(block_q8_K), out);
    case DType::IQ4_NL: return run<iq4_nl>(in, nblocks, sizeof(block_iq4_nl), out, kQK);
    case DType::IQ4_XS: return run<iq4_xs>(in, nblocks, sizeof(block_iq4_xs), out);
    default: fail(std::string("cannot dequantize ") + dtype_info(type).name);
  }
}

}  // namespace mcs::gguf::avx2
