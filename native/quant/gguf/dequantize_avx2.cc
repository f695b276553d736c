// AVX2 dequantizers of the legacy blocks (Q4_0 … Q8_1), bit-identical to
// dequantize_ref.cc: integer codes are rebuilt with byte ops, then each lane
// does the reference's float(code) × d (+ m).
#include <immintrin.h>

#include <cstring>

#include "core/fp16.h"
#include "quant/gguf/block_fns.h"
#include "quant/gguf/blocks.h"
#include "quant/gguf/dequantize_simd_avx2.h"

namespace mcs::gguf::avx2 {

void dequantize_kquant_blocks(DType type, const uint8_t* in, int64_t nblocks, float* out);  // kquants_avx2

namespace {

inline float half_at(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return f16_to_f32(h);
}

void q4_0(const uint8_t* p, float* y) {
  const __m256i c = _mm256_sub_epi8(split_nibbles(load16(p + 2)), _mm256_set1_epi8(8));
  put32(y, c, half_at(p));
}

void q4_1(const uint8_t* p, float* y) {
  put32<Op::MulAdd>(y, split_nibbles(load16(p + 4)), half_at(p), half_at(p + 2));
}

inline __m256i codes5(const uint8_t* qh, const uint8_t* qs) {
  uint32_t bits;
  std::memcpy(&bits, qh, 4);
  return _mm256_or_si256(split_nibbles(load16(qs)), bits_to_16(bits));
}

void q5_0(const uint8_t* p, float* y) {
  put32(y, _mm256_sub_epi8(codes5(p + 2, p + 6), _mm256_set1_epi8(16)), half_at(p));
}

void q5_1(const uint8_t* p, float* y) { put32<Op::MulAdd>(y, codes5(p + 4, p + 8), half_at(p), half_at(p + 2)); }

void q8_0(const uint8_t* p, float* y) { put32(y, load32(p + 2), half_at(p)); }

void q8_1(const uint8_t* p, float* y) { put32(y, load32(p + 4), half_at(p)); }

template <void (*Fn)(const uint8_t*, float*)>
void run(const uint8_t* in, int64_t nblocks, size_t bytes, float* out) {
  for (int64_t i = 0; i < nblocks; ++i) Fn(in + i * bytes, out + i * kQK);
}

}  // namespace

void dequantize_blocks(DType type, const uint8_t* in, int64_t nblocks, float* out) {
  switch (type) {
    case DType::Q4_0: return run<q4_0>(in, nblocks, sizeof(block_q4_0), out);
    case DType::Q4_1: return run<q4_1>(in, nblocks, sizeof(block_q4_1), out);
    case DType::Q5_0: return run<q5_0>(in, nblocks, sizeof(block_q5_0), out);
    case DType::Q5_1: return run<q5_1>(in, nblocks, sizeof(block_q5_1), out);
    case DType::Q8_0: return run<q8_0>(in, nblocks, sizeof(block_q8_0), out);
    case DType::Q8_1: return run<q8_1>(in, nblocks, sizeof(block_q8_1), out);
    default: return dequantize_kquant_blocks(type, in, nblocks, out);
  }
}

}  // namespace mcs::gguf::avx2
