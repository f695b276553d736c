// AVX2 GGML block × Q8 dot products (gguf_dot.h): ggml's x86 arithmetic per
// element. A tile is R weight rows × C tokens; a block of a row is decoded to
// 32 bytes once and used by every token of the tile.
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "engine/qlinear/gguf_dot.h"
#include "engine/qlinear/tile_walk.h"
#include "cpu/simd_avx2.h"
#include "quant/gguf/blocks.h"

namespace mcs::engine::qlinear::avx2 {
namespace {

using namespace mcs::gguf;

inline float h(uint16_t v) { return _cvtsh_ss(v); }

// 16 bytes of nibbles → 32 bytes: low nibbles (elements 0..15), then high (16..31).
inline __m256i nibbles32(const uint8_t* qs) {
  const __m128i t = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
  const __m256i b = _mm256_insertf128_si256(_mm256_castsi128_si256(t), _mm_srli_epi16(t, 4), 1);
  return _mm256_and_si256(b, _mm256_set1_epi8(15));
}

// Byte j = 0xFF where bit j of x is set.
inline __m256i bits32(const uint8_t* p) {
  uint32_t x;
  std::memcpy(&x, p, 4);
  const __m256i shuf = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
  const __m256i sel = _mm256_set1_epi64x(int64_t(0x8040201008040201ULL));
  const __m256i b = _mm256_shuffle_epi8(_mm256_set1_epi32(int32_t(x)), shuf);
  return _mm256_cmpeq_epi8(_mm256_and_si256(b, sel), sel);
}

struct Decoded {
  __m256i q;   // signed codes (Q8_0) or unsigned (the others)
  float d, m;  // scale, min (…_1 types)
};

template <DType D>
inline Decoded decode(const uint8_t* p) {
  Decoded r;
  if constexpr (D == DType::Q8_0) {
    r.d = h(load_block<block_q8_0>(p).d);
    r.q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + offsetof(block_q8_0, qs)));
  } else if constexpr (D == DType::Q4_0) {
    r.d = h(load_block<block_q4_0>(p).d);
    r.q = nibbles32(p + offsetof(block_q4_0, qs));  // unsigned; the 8 comes off per lane (kOffsetShift)
  } else if constexpr (D == DType::Q4_1) {
    const auto b = load_block<block_q4_1>(p);
    r.d = h(b.d), r.m = h(b.m);
    r.q = nibbles32(p + offsetof(block_q4_1, qs));
  } else if constexpr (D == DType::Q5_0) {
    r.d = h(load_block<block_q5_0>(p).d);
    const __m256i hi = _mm256_and_si256(bits32(p + offsetof(block_q5_0, qh)), _mm256_set1_epi8(0x10));
    r.q = _mm256_or_si256(nibbles32(p + offsetof(block_q5_0, qs)), hi);  // unsigned 0..31; the 16 comes off per lane
  } else {
    const auto b = load_block<block_q5_1>(p);
    r.d = h(b.d), r.m = h(b.m);
    const __m256i hi = _mm256_and_si256(bits32(p + offsetof(block_q5_1, qh)), _mm256_set1_epi8(0x10));
    r.q = _mm256_or_si256(nibbles32(p + offsetof(block_q5_1, qs)), hi);
  }
  return r;
}

constexpr bool has_min(DType D) { return D == DType::Q4_1 || D == DType::Q5_1; }
// Q4_0/Q5_0 codes are q − 8 / q − 16: their products are taken unsigned
// (maddubs(q, y)) and 8·Σy / 16·Σy over each int32 lane's 4 bytes subtracted —
// exactly ggml's lane sums of (q − 8)·y, with one op less than the sign trick.
constexpr int kOffsetShift(DType D) { return D == DType::Q4_0 ? 3 : D == DType::Q5_0 ? 4 : 0; }

template <DType D>
constexpr int64_t kBlockBytes = D == DType::Q8_0 ? 34 : D == DType::Q4_0 ? 18 : D == DType::Q4_1 ? 20 : D == DType::Q5_0 ? 22 : 24;

// y[t + c, n + r] for r < R, c < C.
template <DType D, int R, int C>
inline void tile(const GgufCall& call, int64_t n, int64_t t) {
  const Q8Act& a = *call.x;
  const __m256i ones = _mm256_set1_epi16(1);
  __m256 acc[R][C];
  float summs[R][C];
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) acc[r][c] = _mm256_setzero_ps(), summs[r][c] = 0.0f;
  const int8_t* qy[C];
  const float* dy[C];
  const float* sy[C];
  for (int c = 0; c < C; ++c) {
    qy[c] = a.qrow(t + c), dy[c] = a.drow(t + c);
    sy[c] = has_min(D) ? a.srow(t + c) : nullptr;
  }
  const uint8_t* row = call.w + n * call.row_bytes;
  for (int64_t ib = 0; ib < a.blocks; ++ib) {
    __m256i yoff[C];  // offset · Σy per int32 lane (Q4_0, Q5_0)
    if constexpr (kOffsetShift(D) > 0)
      for (int c = 0; c < C; ++c) {
        const __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qy[c] + ib * 32));
        yoff[c] = _mm256_slli_epi32(_mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(1), y), ones), kOffsetShift(D));
      }
    for (int r = 0; r < R; ++r) {
      const Decoded x = decode<D>(row + r * call.row_bytes + ib * kBlockBytes<D>);
      const __m256i ax = D == DType::Q8_0 ? _mm256_sign_epi8(x.q, x.q) : x.q;
      for (int c = 0; c < C; ++c) {
        const __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qy[c] + ib * 32));
        const __m256i sy8 = D == DType::Q8_0 ? _mm256_sign_epi8(y, x.q) : y;
        __m256i lanes = _mm256_madd_epi16(_mm256_maddubs_epi16(ax, sy8), ones);
        if constexpr (kOffsetShift(D) > 0) lanes = _mm256_sub_epi32(lanes, yoff[c]);
        acc[r][c] = _mm256_fmadd_ps(_mm256_set1_ps(x.d * dy[c][ib]), _mm256_cvtepi32_ps(lanes), acc[r][c]);
        if constexpr (has_min(D)) summs[r][c] += x.m * sy[c][ib];
      }
    }
  }
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) call.y[(t + c) * call.ldy + n + r] = cpu::avx2::hsum8(acc[r][c]) + summs[r][c];
}

template <DType D>
void run(const GgufCall& call, int64_t n0, int64_t n1) {
  // Quantized activations: K codes and a scale (+ sum) per block.
  const int64_t block = token_block<4>(call.x->K + call.x->blocks * 8);
  walk_tiles<4>(call.x->T, block, n0, n1, [&](auto r, auto c, int64_t n, int64_t t) {
    tile<D, decltype(r)::value, decltype(c)::value>(call, n, t);
  });
}

}  // namespace

void gguf_rows(const GgufCall& call, int64_t n0, int64_t n1) {
  switch (call.type) {
    case DType::Q8_0: return run<DType::Q8_0>(call, n0, n1);
    case DType::Q4_0: return run<DType::Q4_0>(call, n0, n1);
    case DType::Q4_1: return run<DType::Q4_1>(call, n0, n1);
    case DType::Q5_0: return run<DType::Q5_0>(call, n0, n1);
    case DType::Q5_1: return run<DType::Q5_1>(call, n0, n1);
    default: return;
  }
}

}  // namespace mcs::engine::qlinear::avx2
