// AVX2 k-quant / IQ4 dot products (kquant_dot.h) with ggml's x86 arithmetic.
// Each int32 lane k of a super-block's sum holds, for every 32 elements, the
// 4 products at 4k..4k+3 times their sub-block scale — ggml's maddubs + madd
// partition; how the codes get there (decoded once per weight block, reused
// by every token of the tile) does not change the integers. The float steps
// are ggml's: FMA by d_w·d_x into 8 lanes per super-block, the min terms in
// ggml's places, one horizontal sum.
#include <immintrin.h>

#include <cstring>

#include "core/fp16.h"
#include "cpu/simd_avx2.h"
#include "engine/qlinear/kquant_dot.h"
#include "engine/qlinear/tile_walk.h"
#include "quant/gguf/block_fns.h"
#include "quant/gguf/blocks.h"

namespace mcs::engine::qlinear::avx2 {
namespace {

using namespace mcs::gguf;

inline float h(uint16_t v) { return _cvtsh_ss(v); }
inline __m256i load32(const uint8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
inline __m128i load16(const uint8_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
inline float q8k_d(const uint8_t* yb) {
  float d;
  std::memcpy(&d, yb, 4);
  return d;
}
inline const uint8_t* q8k_qs(const uint8_t* yb) { return yb + 4; }
inline const uint8_t* q8k_bsums(const uint8_t* yb) { return yb + 4 + kQKK; }

// Scales of chunk c's two halves (elements 0..15, 16..31) as 16 int16.
inline __m256i halves(int lo, int hi) { return _mm256_set_m128i(_mm_set1_epi16(int16_t(hi)), _mm_set1_epi16(int16_t(lo))); }

// IQ4 levels of 16 bytes of nibbles: element j low nibble of byte j, 16 + j high.
inline __m256i iq4_levels(const uint8_t* qs) {
  const __m128i values = _mm_loadu_si128(reinterpret_cast<const __m128i*>(kIQ4Values)), m4 = _mm_set1_epi8(0x0f);
  const __m128i q = load16(qs);
  return _mm256_set_m128i(_mm_shuffle_epi8(values, _mm_and_si128(_mm_srli_epi16(q, 4), m4)),
                          _mm_shuffle_epi8(values, _mm_and_si128(q, m4)));
}

// One weight super-block ready for the integer products.
struct Decoded {
  __m256i q[8];      // per 32 elements: unsigned codes, or |code| for signed types
  __m256i sgn[8];    // signed types: the codes (their signs go onto the activations)
  __m256i scale[8];  // per 32 elements: its sub-block scales as 16 int16
  __m256i mins;      // Q2_K: 16 mins (int16); Q4_K/Q5_K: 8 mins in the low 128 bits
  float d, dmin;     // the block's FP16 scales
};

constexpr bool is_signed(DType T) { return T == DType::Q3_K || T == DType::Q6_K || T == DType::IQ4_XS; }

template <DType T>
constexpr size_t kBytes = T == DType::Q2_K ? sizeof(block_q2_K) : T == DType::Q3_K ? sizeof(block_q3_K)
                          : T == DType::Q4_K ? sizeof(block_q4_K) : T == DType::Q5_K ? sizeof(block_q5_K)
                          : T == DType::Q6_K ? sizeof(block_q6_K) : sizeof(block_iq4_xs);

inline void set_signed(Decoded& r, int c, __m256i codes) {
  r.sgn[c] = codes;
  r.q[c] = _mm256_sign_epi8(codes, codes);
}

template <DType T>
void decode(const uint8_t* p, Decoded& r) {
  const __m256i m3 = _mm256_set1_epi8(3), m4 = _mm256_set1_epi8(0x0f);
  if constexpr (T == DType::Q2_K) {
    const auto b = load_block<block_q2_K>(p);
    r.d = h(b.d), r.dmin = h(b.dmin);
    for (int half = 0; half < 2; ++half) {
      const __m256i bits = load32(b.qs + 32 * half);
      for (int k = 0; k < 4; ++k) r.q[4 * half + k] = _mm256_and_si256(_mm256_srli_epi16(bits, 2 * k), m3);
    }
    for (int c = 0; c < 8; ++c) r.scale[c] = halves(b.scales[2 * c] & 0xF, b.scales[2 * c + 1] & 0xF);
    r.mins = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(load16(b.scales), 4), _mm_set1_epi8(0x0f)));
  } else if constexpr (T == DType::Q3_K) {
    const auto b = load_block<block_q3_K>(p);
    r.d = h(b.d);
    const __m256i hbits = load32(b.hmask);
    for (int half = 0; half < 2; ++half) {
      const __m256i bits = load32(b.qs + 32 * half);
      for (int k = 0; k < 4; ++k) {
        const int c = 4 * half + k;
        const __m256i low = _mm256_and_si256(_mm256_srli_epi16(bits, 2 * k), m3);
        const __m256i bit = _mm256_set1_epi8(static_cast<char>(1u << c));
        const __m256i minus4 = _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(hbits, bit), _mm256_setzero_si256()),
                                                _mm256_set1_epi8(4));
        set_signed(r, c, _mm256_sub_epi8(low, minus4));
      }
    }
    int8_t sc[16];
    k3_scales(b.scales, sc);
    for (int c = 0; c < 8; ++c) r.scale[c] = halves(sc[2 * c], sc[2 * c + 1]);
  } else if constexpr (T == DType::Q4_K || T == DType::Q5_K) {
    constexpr bool kFive = T == DType::Q5_K;
    uint16_t d16, dmin16;
    std::memcpy(&d16, p, 2);
    std::memcpy(&dmin16, p + 2, 2);
    r.d = h(d16), r.dmin = h(dmin16);
    const uint8_t* qs = p + (kFive ? 48 : 16);
    __m256i hb = _mm256_setzero_si256();
    if constexpr (kFive) hb = load32(p + 16);
    alignas(16) uint8_t sc[8], mn[8];
    for (int j = 0; j < 8; ++j) k4_scale_min(j, p + 4, sc[j], mn[j]);
    for (int g = 0; g < 4; ++g) {
      const __m256i bits = load32(qs + 32 * g);
      __m256i lo = _mm256_and_si256(bits, m4), hi = _mm256_and_si256(_mm256_srli_epi16(bits, 4), m4);
      if constexpr (kFive) {
        const __m256i b1 = _mm256_set1_epi8(static_cast<char>(1u << (2 * g))), b2 = _mm256_set1_epi8(static_cast<char>(2u << (2 * g)));
        const __m256i sixteen = _mm256_set1_epi8(16);
        lo = _mm256_or_si256(lo, _mm256_andnot_si256(_mm256_cmpeq_epi8(_mm256_and_si256(hb, b1), _mm256_setzero_si256()), sixteen));
        hi = _mm256_or_si256(hi, _mm256_andnot_si256(_mm256_cmpeq_epi8(_mm256_and_si256(hb, b2), _mm256_setzero_si256()), sixteen));
      }
      r.q[2 * g] = lo, r.q[2 * g + 1] = hi;
    }
    for (int c = 0; c < 8; ++c) r.scale[c] = _mm256_set1_epi16(sc[c]);
    r.mins = _mm256_castsi128_si256(_mm_cvtepu8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(mn))));
  } else if constexpr (T == DType::Q6_K) {
    const auto b = load_block<block_q6_K>(p);
    r.d = h(b.d);
    const __m256i m32 = _mm256_set1_epi8(32);
    for (int half = 0; half < 2; ++half) {
      const __m256i ql0 = load32(b.ql + 64 * half), ql1 = load32(b.ql + 64 * half + 32), qh = load32(b.qh + 32 * half);
      const __m256i lows[4] = {_mm256_and_si256(ql0, m4), _mm256_and_si256(ql1, m4),
                               _mm256_and_si256(_mm256_srli_epi16(ql0, 4), m4), _mm256_and_si256(_mm256_srli_epi16(ql1, 4), m4)};
      for (int k = 0; k < 4; ++k) {
        const __m256i high = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * k), m3), 4);
        set_signed(r, 4 * half + k, _mm256_sub_epi8(_mm256_or_si256(lows[k], high), m32));
      }
    }
    for (int c = 0; c < 8; ++c) r.scale[c] = halves(b.scales[2 * c], b.scales[2 * c + 1]);
  } else {  // IQ4_XS
    const auto b = load_block<block_iq4_xs>(p);
    r.d = h(b.d);
    for (int c = 0; c < 8; ++c) {
      set_signed(r, c, iq4_levels(b.qs + 16 * c));
      const int ls = ((b.scales_l[c / 2] >> (4 * (c % 2))) & 0xf) | (((b.scales_h >> (2 * c)) & 3) << 4);
      r.scale[c] = _mm256_set1_epi16(int16_t(ls - 32));
    }
  }
}

// What one output accumulates over its super-blocks.
struct Acc {
  __m256 acc;
  __m128 acc_m;  // Q4_K's min terms
  float summs;   // Q5_K's min terms
};

template <DType T>
inline void accumulate(const Decoded& w, const uint8_t* yb, Acc& a) {
  const uint8_t* q8 = q8k_qs(yb);
  __m256i sumi = _mm256_setzero_si256();
  for (int c = 0; c < 8; ++c) {
    const __m256i y = load32(q8 + 32 * c);
    const __m256i p = _mm256_maddubs_epi16(w.q[c], is_signed(T) ? _mm256_sign_epi8(y, w.sgn[c]) : y);
    sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(w.scale[c], p));
  }
  const float yd = q8k_d(yb);
  if constexpr (T == DType::IQ4_XS) {
    a.acc = _mm256_fmadd_ps(_mm256_set1_ps(w.d * yd), _mm256_cvtepi32_ps(sumi), a.acc);
    return;
  }
  const float d = yd * w.d;
  if constexpr (T == DType::Q2_K) {
    const __m256i prod = _mm256_madd_epi16(w.mins, load32(q8k_bsums(yb)));
    a.acc = _mm256_fmadd_ps(_mm256_set1_ps(-yd * w.dmin), _mm256_cvtepi32_ps(prod), a.acc);
  } else if constexpr (T == DType::Q4_K || T == DType::Q5_K) {
    const __m256i bs = load32(q8k_bsums(yb));
    const __m128i q8s = _mm_hadd_epi16(_mm256_castsi256_si128(bs), _mm256_extracti128_si256(bs, 1));
    const __m128i prod = _mm_madd_epi16(_mm256_castsi256_si128(w.mins), q8s);
    const float dmin = -yd * w.dmin;
    if constexpr (T == DType::Q4_K) {
      a.acc_m = _mm_fmadd_ps(_mm_set1_ps(dmin), _mm_cvtepi32_ps(prod), a.acc_m);
    } else {
      const __m128i z = _mm_setzero_si128();
      const int total = _mm_cvtsi128_si32(_mm_hadd_epi32(_mm_hadd_epi32(prod, z), z));
      a.summs = _mm_cvtss_f32(_mm_fmadd_ss(_mm_set_ss(dmin), _mm_set_ss(static_cast<float>(total)), _mm_set_ss(a.summs)));
    }
  }
  a.acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), a.acc);
}

template <DType T>
inline float finish(const Acc& a) {
  float s = cpu::avx2::hsum8(a.acc);
  if constexpr (T == DType::Q4_K) {
    __m128 m = _mm_add_ps(a.acc_m, _mm_movehl_ps(a.acc_m, a.acc_m));
    m = _mm_add_ss(m, _mm_movehdup_ps(m));
    s += _mm_cvtss_f32(m);
  } else if constexpr (T == DType::Q5_K) {
    s += a.summs;
  }
  return s;
}

// y[t + c, n + r] for r < R, c < C.
template <DType T, int R, int C>
void tile(const KQuantCall& call, int64_t n, int64_t t) {
  const Q8KAct& x = *call.xk;
  Acc acc[R][C];
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) acc[r][c] = {_mm256_setzero_ps(), _mm_setzero_ps(), 0.0f};
  Decoded w;
  for (int64_t ib = 0; ib < x.blocks; ++ib)
    for (int r = 0; r < R; ++r) {
      decode<T>(call.w + (n + r) * call.row_bytes + ib * kBytes<T>, w);
      for (int c = 0; c < C; ++c) accumulate<T>(w, x.row(t + c) + ib * sizeof(block_q8_K), acc[r][c]);
    }
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) call.y[(t + c) * call.ldy + n + r] = finish<T>(acc[r][c]);
}

template <DType T>
void run(const KQuantCall& call, int64_t n0, int64_t n1) {
  const int64_t block = token_block<4>(call.xk->blocks * static_cast<int64_t>(sizeof(block_q8_K)));
  walk_tiles<4>(call.xk->T, block, n0, n1, [&](auto r, auto c, int64_t n, int64_t t) {
    tile<T, decltype(r)::value, decltype(c)::value>(call, n, t);
  });
}

// IQ4_NL × Q8_0: ggml pairs blocks into two accumulators; an odd last block
// is added by its scalar tail.
template <int R, int C>
void tile_iq4_nl(const KQuantCall& call, int64_t n, int64_t t) {
  const Q8Act& x = *call.x0;
  const int64_t nb = x.blocks;
  const __m256i ones = _mm256_set1_epi16(1);
  __m256 acc[R][C][2];
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) acc[r][c][0] = acc[r][c][1] = _mm256_setzero_ps();
  auto lanes = [&](__m256i codes, int64_t tc, int64_t ib) {
    const __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.qrow(tc) + 32 * ib));
    return _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_sign_epi8(codes, codes), _mm256_sign_epi8(y, codes)), ones);
  };
  const int64_t paired = nb - nb % 2;  // ggml's loop takes blocks two at a time while two are left
  for (int64_t ib = 0; ib < paired; ++ib) {
    for (int r = 0; r < R; ++r) {
      const uint8_t* p = call.w + (n + r) * call.row_bytes + ib * sizeof(block_iq4_nl);
      const float dw = h(load_block<block_iq4_nl>(p).d);
      const __m256i codes = iq4_levels(p + 2);
      for (int c = 0; c < C; ++c)
        acc[r][c][ib & 1] = _mm256_fmadd_ps(_mm256_set1_ps(x.drow(t + c)[ib] * dw), _mm256_cvtepi32_ps(lanes(codes, t + c, ib)), acc[r][c][ib & 1]);
    }
  }
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) {
      float s = cpu::avx2::hsum8(_mm256_add_ps(acc[r][c][0], acc[r][c][1]));
      if (nb % 2 == 1) {
        const uint8_t* p = call.w + (n + r) * call.row_bytes + (nb - 1) * sizeof(block_iq4_nl);
        const float d = x.drow(t + c)[nb - 1] * h(load_block<block_iq4_nl>(p).d);
        const int sumi = cpu::avx2::hsum8_epi32(lanes(iq4_levels(p + 2), t + c, nb - 1));
        s += d * static_cast<float>(sumi);  // multiply, then add: llama.cpp's build does not fuse this one
      }
      call.y[(t + c) * call.ldy + n + r] = s;
    }
}

void run_iq4_nl(const KQuantCall& call, int64_t n0, int64_t n1) {
  const int64_t block = token_block<4>(call.x0->K + call.x0->blocks * 8);
  walk_tiles<4>(call.x0->T, block, n0, n1, [&](auto r, auto c, int64_t n, int64_t t) {
    tile_iq4_nl<decltype(r)::value, decltype(c)::value>(call, n, t);
  });
}

}  // namespace

void kquant_rows(const KQuantCall& call, int64_t n0, int64_t n1) {
  switch (call.type) {
    case DType::Q2_K: return run<DType::Q2_K>(call, n0, n1);
    case DType::Q3_K: return run<DType::Q3_K>(call, n0, n1);
    case DType::Q4_K: return run<DType::Q4_K>(call, n0, n1);
    case DType::Q5_K: return run<DType::Q5_K>(call, n0, n1);
    case DType::Q6_K: return run<DType::Q6_K>(call, n0, n1);
    case DType::IQ4_XS: return run<DType::IQ4_XS>(call, n0, n1);
    case DType::IQ4_NL: return run_iq4_nl(call, n0, n1);
    default: return;
  }
}

}  // namespace mcs::engine::qlinear::avx2
