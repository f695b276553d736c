// Reference k-quant / IQ4 dot products: ggml-cpu's generic formulas
// (kquant_dot.h), and the Q8_K activations.
#include "engine/qlinear/kquant_dot.h"

#include <cstring>

#include "core/fp16.h"
#include "cpu/cpu_features.h"
#include "quant/gguf/block_fns.h"
#include "quant/gguf/blocks.h"
#include "quant/gguf/kquant_search.h"

namespace mcs::engine::qlinear {

using namespace mcs::gguf;

void Q8KAct::resize(int64_t T_, int64_t K_) {
  T = T_, K = K_, blocks = K_ / kQKK;
  b.resize(static_cast<size_t>(T * blocks) * sizeof(block_q8_K));
}

void quantize_q8k(const float* x, Q8KAct& a, int64_t t0, int64_t t1, bool reference) {
  const kq::Searches& s = reference ? kq::searches_ref() : kq::searches();
  for (int64_t t = t0; t < t1; ++t)
    for (int64_t ib = 0; ib < a.blocks; ++ib)
      s.q8_K(x + t * a.K + ib * kQKK, a.b.data() + static_cast<size_t>(t * a.blocks + ib) * sizeof(block_q8_K));
}

namespace {

inline float h(uint16_t v) { return f16_to_f32(v); }

// Q4_K/Q5_K 6-bit scales and mins.
inline void k4_scales(const uint8_t* packed, uint8_t sc[8], uint8_t m[8]) {
  for (int j = 0; j < 8; ++j) k4_scale_min(j, packed, sc[j], m[j]);
}

// ggml's generic inner step: aux32[l] = Σ_{e ≡ l mod 8} scale(e)·q8(e)·a(e) (scale
// per `per` elements), then sums[l] += d·aux32[l].
inline void add_lane_sums(const int8_t* a, const int8_t* q8, const int* scale, int per, float d, float sums[8]) {
  int32_t aux32[8] = {0};
  for (int e0 = 0; e0 < kQKK; e0 += 8) {
    const int s = scale[e0 / per];
    for (int l = 0; l < 8; ++l) aux32[l] += s * static_cast<int16_t>(q8[e0 + l] * a[e0 + l]);
  }
  for (int l = 0; l < 8; ++l) sums[l] += d * static_cast<float>(aux32[l]);
}

inline float sum8(const float sums[8], float sumf = 0) {
  for (int l = 0; l < 8; ++l) sumf += sums[l];
  return sumf;
}

float dot_q2_K(const uint8_t* w, const uint8_t* yb, int64_t nb) {
  float sumf = 0;
  for (int64_t i = 0; i < nb; ++i) {
    const auto x = load_block<block_q2_K>(w + i * sizeof(block_q2_K));
    const auto y = load_block<block_q8_K>(yb + i * sizeof(block_q8_K));
    int summs = 0;
    for (int j = 0; j < 16; ++j) summs += y.bsums[j] * (x.scales[j] >> 4);
    const float dall = y.d * h(x.d), dmin = y.d * h(x.dmin);
    int isum = 0;
    for (int e = 0; e < kQKK; e += 16) {  // sub-block of 16: chunk e/32 of 2-bit field (e/32)%4 of half e/128
      const uint8_t* q2 = x.qs + 32 * (e / 128) + (e % 32);
      const int shift = 2 * ((e / 32) % 4);
      int isuml = 0;
      for (int l = 0; l < 16; ++l) isuml += y.qs[e + l] * ((q2[l] >> shift) & 3);
      isum += (x.scales[e / 16] & 0xF) * isuml;
    }
    sumf += dall * static_cast<float>(isum) - dmin * static_cast<float>(summs);
  }
  return sumf;
}

float dot_q3_K(const uint8_t* w, const uint8_t* yb, int64_t nb) {
  float sums[8] = {0};
  for (int64_t i = 0; i < nb; ++i) {
    const auto x = load_block<block_q3_K>(w + i * sizeof(block_q3_K));
    const auto y = load_block<block_q8_K>(yb + i * sizeof(block_q8_K));
    int8_t a[kQKK];
    for (int e = 0; e < kQKK; ++e) {
      const int half = e / 128, k = (e / 32) % 4, l = e % 32;
      const int low = (x.qs[32 * half + l] >> (2 * k)) & 3;
      a[e] = static_cast<int8_t>(low - ((x.hmask[l] & (1u << (4 * half + k))) ? 0 : 4));
    }
    int8_t sc8[16];
    k3_scales(x.scales, sc8);
    int sc[16];
    for (int j = 0; j < 16; ++j) sc[j] = sc8[j];
    add_lane_sums(a, y.qs, sc, 16, h(x.d) * y.d, sums);
  }
  return sum8(sums);
}

template <bool kFive>
float dot_q45_K(const uint8_t* w, const uint8_t* yb, int64_t nb) {
  const size_t bytes = kFive ? sizeof(block_q5_K) : sizeof(block_q4_K);
  float sums[8] = {0};
  float sumf = 0;
  for (int64_t i = 0; i < nb; ++i) {
    const uint8_t* p = w + i * bytes;
    const auto y = load_block<block_q8_K>(yb + i * sizeof(block_q8_K));
    uint16_t dw, dminw;
    std::memcpy(&dw, p, 2);
    std::memcpy(&dminw, p + 2, 2);
    const uint8_t* qh = p + 16;
    const uint8_t* qs = p + (kFive ? 48 : 16);
    int8_t a[kQKK];
    for (int e = 0; e < kQKK; ++e) {
      const int g = e / 64, upper = (e / 32) % 2, l = e % 32;
      int q = (qs[32 * g + l] >> (4 * upper)) & 0xF;
      if (kFive && (qh[l] & (1u << (2 * g + upper)))) q += 16;
      a[e] = static_cast<int8_t>(q);
    }
    uint8_t sc[8], mn[8];
    k4_scales(p + 4, sc, mn);
    int sumi = 0;
    for (int j = 0; j < 16; ++j) sumi += y.bsums[j] * mn[j / 2];
    int scale[8];
    for (int j = 0; j < 8; ++j) scale[j] = sc[j];
    add_lane_sums(a, y.qs, scale, 32, h(dw) * y.d, sums);
    const float dmin = h(dminw) * y.d;
    sumf -= dmin * static_cast<float>(sumi);
  }
  return sum8(sums, sumf);
}

float dot_q6_K(const uint8_t* w, const uint8_t* yb, int64_t nb) {
  float sums[8] = {0};
  for (int64_t i = 0; i < nb; ++i) {
    const auto x = load_block<block_q6_K>(w + i * sizeof(block_q6_K));
    const auto y = load_block<block_q8_K>(yb + i * sizeof(block_q8_K));
    int8_t a[kQKK];
    for (int e = 0; e < kQKK; ++e) {
      const int half = e / 128, k = (e / 32) % 4, l = e % 32;
      const int low = (x.ql[64 * half + 32 * (k & 1) + l] >> (4 * (k >> 1))) & 0xF;
      const int high = (x.qh[32 * half + l] >> (2 * k)) & 3;
      a[e] = static_cast<int8_t>((low | (high << 4)) - 32);
    }
    int sc[16];
    for (int j = 0; j < 16; ++j) sc[j] = x.scales[j];
    add_lane_sums(a, y.qs, sc, 16, h(x.d) * y.d, sums);
  }
  return sum8(sums);
}

// Σ over 16 bytes of nibbles: y[j]·level(low nibble j) and y[16+j]·level(high nibble j).
inline int iq4_pair_sum(const uint8_t* qs, const int8_t* y) {
  int sumi1 = 0, sumi2 = 0;
  for (int j = 0; j < 16; ++j) {
    sumi1 += y[j] * kIQ4Values[qs[j] & 0xf];
    sumi2 += y[j + 16] * kIQ4Values[qs[j] >> 4];
  }
  return sumi1 + sumi2;
}

float dot_iq4_xs(const uint8_t* w, const uint8_t* yb, int64_t nb) {
  float sumf = 0;
  for (int64_t i = 0; i < nb; ++i) {
    const auto x = load_block<block_iq4_xs>(w + i * sizeof(block_iq4_xs));
    const auto y = load_block<block_q8_K>(yb + i * sizeof(block_q8_K));
    const float d4d8 = h(x.d) * y.d;
    for (int ib = 0; ib < 8; ++ib) {
      const int ls = ((x.scales_l[ib / 2] >> (4 * (ib % 2))) & 0xf) | (((x.scales_h >> (2 * ib)) & 3) << 4);
      const float dl = d4d8 * static_cast<float>(ls - 32);
      sumf += dl * static_cast<float>(iq4_pair_sum(x.qs + 16 * ib, y.qs + 32 * ib));
    }
  }
  return sumf;
}

float dot_iq4_nl(const uint8_t* w, const int8_t* q, const float* dy, int64_t nb) {
  float sumf = 0;
  for (int64_t ib = 0; ib < nb; ++ib) {
    const auto x = load_block<block_iq4_nl>(w + ib * sizeof(block_iq4_nl));
    const float d = dy[ib] * h(x.d);
    sumf += d * static_cast<float>(iq4_pair_sum(x.qs, q + 32 * ib));
  }
  return sumf;
}

float dot_row(const KQuantCall& c, const uint8_t* w, int64_t t) {
  if (c.type == DType::IQ4_NL) return dot_iq4_nl(w, c.x0->qrow(t), c.x0->drow(t), c.x0->blocks);
  const uint8_t* y = c.xk->row(t);
  const int64_t nb = c.xk->blocks;
  switch (c.type) {
    case DType::Q2_K: return dot_q2_K(w, y, nb);
    case DType::Q3_K: return dot_q3_K(w, y, nb);
    case DType::Q4_K: return dot_q45_K<false>(w, y, nb);
    case DType::Q5_K: return dot_q45_K<true>(w, y, nb);
    case DType::Q6_K: return dot_q6_K(w, y, nb);
    case DType::IQ4_XS: return dot_iq4_xs(w, y, nb);
    default: return 0.0f;
  }
}

}  // namespace

bool kquant_dot_type(DType t) {
  return t == DType::Q2_K || t == DType::Q3_K || t == DType::Q4_K || t == DType::Q5_K || t == DType::Q6_K ||
         t == DType::IQ4_NL || t == DType::IQ4_XS;
}

void kquant_rows_ref(const KQuantCall& c, int64_t n0, int64_t n1) {
  const int64_t T = c.type == DType::IQ4_NL ? c.x0->T : c.xk->T;
  for (int64_t n = n0; n < n1; ++n)
    for (int64_t t = 0; t < T; ++t) c.y[t * c.ldy + n] = dot_row(c, c.w + n * c.row_bytes, t);
}

void kquant_rows(const KQuantCall& c, int64_t n0, int64_t n1) {
  if (cpu::use_avx2()) return avx2::kquant_rows(c, n0, n1);
  kquant_rows_ref(c, n0, n1);
}

}  // namespace mcs::engine::qlinear
