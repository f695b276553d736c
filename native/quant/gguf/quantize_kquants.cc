// The k-quant super-block quantizers (Q2_K…Q6_K, Q8_K), without and with
// importance weights, in ggml-quants.c's order of operations. The scale
// searches come from a Searches set (scalar or AVX2, same results); what is
// here — scale packing, the requantization with the rounded scales, bit
// packing — is common to both paths.
#include <cmath>
#include <cstring>

#include "core/fp16.h"
#include "quant/gguf/block_fns.h"
#include "quant/gguf/blocks.h"
#include "quant/gguf/kquant_search.h"
#include "quant/gguf/kquants_internal.h"

namespace mcs::gguf::kq {
namespace {

inline float h2f(uint16_t h) { return f16_to_f32(h); }

// Codes 0..3 of elements 128h + 32k + l into bits 2k of qs[32h + l] (Q2_K, Q3_K low bits).
void pack2(const uint8_t* L, uint8_t* qs) {
  for (int j = 0; j < kQKK; j += 128)
    for (int l = 0; l < 32; ++l)
      qs[j / 4 + l] = static_cast<uint8_t>(L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6));
}

// Q2_K: requantize each sub-block of 16 with its rounded scale and min.
void q2_requantize(const float* x, const block_q2_K& y, const Searches& s, uint8_t* L) {
  for (int j = 0; j < 16; ++j) {
    const float d = h2f(y.d) * static_cast<float>(y.scales[j] & 0xF);
    if (!d) continue;
    const float dm = h2f(y.dmin) * static_cast<float>(y.scales[j] >> 4);
    s.round_div(16, x + 16 * j, dm, d, 0, 3, 0, L + 16 * j);
  }
}

void q2_K(const float* x, const float* qw, const Searches& s, uint8_t* out) {
  block_q2_K y;
  uint8_t L[kQKK];
  float weight[kQKK], mins[16], scales[16];
  if (!qw) {
    for (int j = 0; j < kQKK; ++j) weight[j] = std::fabs(x[j]);
    s.with_min(16, 16, 3, x, weight, L, scales, mins, -0.5f, 0.1f, 15, true);
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < 16; ++j) {
      if (scales[j] > max_scale) max_scale = scales[j];
      if (mins[j] > max_min) max_min = mins[j];
    }
    constexpr float q4scale = 15.f;
    if (max_scale > 0) {
      const float iscale = q4scale / max_scale;
      for (int j = 0; j < 16; ++j) y.scales[j] = static_cast<uint8_t>(nearest_int(iscale * scales[j]));
      y.d = f32_to_f16(max_scale / q4scale);
    } else {
      for (int j = 0; j < 16; ++j) y.scales[j] = 0;
      y.d = f32_to_f16(0.f);
    }
    if (max_min > 0) {
      const float iscale = q4scale / max_min;
      for (int j = 0; j < 16; ++j) y.scales[j] = static_cast<uint8_t>(y.scales[j] | (nearest_int(iscale * mins[j]) << 4));
      y.dmin = f32_to_f16(max_min / q4scale);
    } else {
      y.dmin = f32_to_f16(0.f);
    }
  } else {
    float sw[16] = {0};
    float sumx2 = 0;
    for (int j = 0; j < kQKK; ++j) sumx2 += x[j] * x[j];
    const float sigma2 = sumx2 / kQKK;
    for (int j = 0; j < kQKK; ++j) weight[j] = qw[j] * std::sqrt(sigma2 + x[j] * x[j]);
    for (int j = 0; j < 16; ++j)
      for (int l = 0; l < 16; ++l) sw[j] += weight[16 * j + l];
    s.with_min(16, 16, 3, x, weight, L, scales, mins, -0.9f, 0.05f, 36, false);
    uint8_t Ls[16], Lm[16];
    const float dm = positive_search(16, 15, scales, Ls, sw);
    const float mm = positive_search(16, 15, mins, Lm, sw);
    y.d = f32_to_f16(dm);
    y.dmin = f32_to_f16(mm);
    for (int j = 0; j < 16; ++j) y.scales[j] = static_cast<uint8_t>(Ls[j] | (Lm[j] << 4));
  }
  q2_requantize(x, y, s, L);
  pack2(L, y.qs);
  std::memcpy(out, &y, sizeof y);
}

// Q3_K: 16 six-bit scales (stored + 32) into the 12-byte layout k3_scales reads.
void q3_pack_scales(const int8_t* l6, uint8_t* scales) {
  std::memset(scales, 0, 12);
  for (int j = 0; j < 16; ++j) {
    int l = l6[j];
    if (j < 8) scales[j] = static_cast<uint8_t>(l & 0xF);
    else scales[j - 8] = static_cast<uint8_t>(scales[j - 8] | ((l & 0xF) << 4));
    l >>= 4;
    scales[j % 4 + 8] = static_cast<uint8_t>(scales[j % 4 + 8] | (l << (2 * (j / 4))));
  }
}

void q3_K(const float* x, const float* qw, const Searches& s, uint8_t* out) {
  block_q3_K y;
  int8_t L[kQKK];
  float scales[16];
  if (!qw) {
    s.q3(16, 16, 4, x, L, scales);
    float max_scale = 0, amax = 0;
    for (int j = 0; j < 16; ++j) {
      const float scale = std::fabs(scales[j]);
      if (scale > amax) {
        amax = scale;
        max_scale = scales[j];
      }
    }
    if (max_scale) {
      const float iscale = -32.f / max_scale;
      int8_t l6[16];
      for (int j = 0; j < 16; ++j) {
        const int8_t l = static_cast<int8_t>(nearest_int(iscale * scales[j]));
        l6[j] = static_cast<int8_t>(c_max(-32, c_min(31, static_cast<int>(l))) + 32);
      }
      q3_pack_scales(l6, y.scales);
      y.d = f32_to_f16(1 / iscale);
    } else {
      std::memset(y.scales, 0, 12);
      y.d = f32_to_f16(0.f);
    }
  } else {
    float weight[kQKK], sw[16];
    float sumx2 = 0;
    for (int j = 0; j < kQKK; ++j) sumx2 += x[j] * x[j];
    const float sigma2 = 2 * sumx2 / kQKK;
    for (int j = 0; j < kQKK; ++j) weight[j] = qw[j] * std::sqrt(sigma2 + x[j] * x[j]);
    for (int j = 0; j < 16; ++j) {
      float sumw = 0;
      for (int l = 0; l < 16; ++l) sumw += weight[16 * j + l];
      sw[j] = sumw;
    }
    s.symmetric(16, 16, 4, x, weight, L, scales);
    int8_t Ls[16];
    float d_block;
    s.symmetric(1, 16, 32, scales, sw, Ls, &d_block);
    q3_pack_scales(Ls, y.scales);
    y.d = f32_to_f16(d_block);
  }
  int8_t sc[16];
  k3_scales(y.scales, sc);
  for (int j = 0; j < 16; ++j) {
    const float d = h2f(y.d) * static_cast<float>(sc[j]);
    if (!d) continue;
    s.round_div(16, x + 16 * j, 0.0f, d, -4, 3, 4, reinterpret_cast<uint8_t*>(L + 16 * j));
  }
  // High bit of element j (codes 0..7) into bit j/32 of hmask[j % 32]; the low 2 bits stay.
  for (int l = 0; l < 32; ++l) {
    unsigned h = 0;
    for (int k = 0; k < 8; ++k) h |= static_cast<unsigned>((L[32 * k + l] >> 2) & 1) << k;
    y.hmask[l] = static_cast<uint8_t>(h);
  }
  uint8_t low[kQKK];
  for (int j = 0; j < kQKK; ++j) low[j] = static_cast<uint8_t>(L[j] & 3);
  pack2(low, y.qs);
  std::memcpy(out, &y, sizeof y);
}

// Q4_K/Q5_K: 8 six-bit scales and mins into the 12 bytes k4_scale_min reads.
void k4_pack(const uint8_t* ls, const uint8_t* lm, uint8_t* scales) {
  for (int j = 0; j < 8; ++j) {
    if (j < 4) {
      scales[j] = ls[j];
      scales[j + 4] = lm[j];
    } else {
      scales[j + 4] = static_cast<uint8_t>((ls[j] & 0xF) | ((lm[j] & 0xF) << 4));
      scales[j - 4] = static_cast<uint8_t>(scales[j - 4] | ((ls[j] >> 4) << 6));
      scales[j] = static_cast<uint8_t>(scales[j] | ((lm[j] >> 4) << 6));
    }
  }
}

// Q4_K (nmax 15) and Q5_K (nmax 31): sub-blocks of 32 with a 6-bit scale and min.
// Fills d, dmin, scales and the codes L (0..nmax).
template <int kMax>
void k45_scales(const float* x, const float* qw, const Searches& s, uint16_t& d16, uint16_t& dmin16, uint8_t* packed,
                uint8_t* L) {
  uint8_t ls[8], lm[8];
  float weights[kQKK], mins[8], scales[8];
  if (!qw) {
    for (int j = 0; j < 8; ++j) {
      float sum_x2 = 0;
      for (int l = 0; l < 32; ++l) sum_x2 += x[32 * j + l] * x[32 * j + l];
      const float av_x = std::sqrt(sum_x2 / 32);
      for (int l = 0; l < 32; ++l) weights[32 * j + l] = av_x + std::fabs(x[32 * j + l]);
    }
    if (kMax == 15) s.with_min(8, 32, 15, x, weights, L, scales, mins, -1.f, 0.1f, 20, false);
    else s.with_min(8, 32, 31, x, weights, L, scales, mins, -0.5f, 0.1f, 15, false);
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < 8; ++j) {
      if (scales[j] > max_scale) max_scale = scales[j];
      if (mins[j] > max_min) max_min = mins[j];
    }
    const float inv_scale = max_scale > 0 ? 63.f / max_scale : 0.f;
    const float inv_min = max_min > 0 ? 63.f / max_min : 0.f;
    for (int j = 0; j < 8; ++j) {
      ls[j] = c_min<uint8_t>(63, static_cast<uint8_t>(nearest_int(inv_scale * scales[j])));
      lm[j] = c_min<uint8_t>(63, static_cast<uint8_t>(nearest_int(inv_min * mins[j])));
    }
    k4_pack(ls, lm, packed);
    d16 = f32_to_f16(max_scale / 63.f);
    dmin16 = f32_to_f16(max_min / 63.f);
  } else {
    float sum_x2 = 0, sw[8];
    for (int l = 0; l < kQKK; ++l) sum_x2 += x[l] * x[l];
    const float sigma2 = 2 * sum_x2 / kQKK;
    for (int l = 0; l < kQKK; ++l) weights[l] = qw[l] * std::sqrt(sigma2 + x[l] * x[l]);
    for (int j = 0; j < 8; ++j) {
      float sumw = 0;
      for (int l = 0; l < 32; ++l) sumw += weights[32 * j + l];
      sw[j] = sumw;
    }
    s.with_min(8, 32, kMax, x, weights, L, scales, mins, -0.9f, 0.05f, 36, false);
    const float d_block = positive_search(8, 63, scales, ls, sw);
    const float m_block = positive_search(8, 63, mins, lm, sw);
    if (kMax == 31)  // quantize_row_q5_K_impl clamps the codes again; the Q4_K one does not
      for (int j = 0; j < 8; ++j) ls[j] = c_min<uint8_t>(63, ls[j]), lm[j] = c_min<uint8_t>(63, lm[j]);
    k4_pack(ls, lm, packed);
    d16 = f32_to_f16(d_block);
    dmin16 = f32_to_f16(m_block);
  }
  for (int j = 0; j < 8; ++j) {
    uint8_t sc, m;
    k4_scale_min(j, packed, sc, m);
    const float d = h2f(d16) * static_cast<float>(sc);
    if (!d) continue;
    s.round_div(32, x + 32 * j, h2f(dmin16) * static_cast<float>(m), d, 0, kMax, 0, L + 32 * j);
  }
}

void q4_K(const float* x, const float* qw, const Searches& s, uint8_t* out) {
  block_q4_K y;
  uint8_t L[kQKK];
  k45_scales<15>(x, qw, s, y.d, y.dmin, y.scales, L);
  for (int j = 0; j < 4; ++j)
    for (int l = 0; l < 32; ++l) y.qs[32 * j + l] = static_cast<uint8_t>(L[64 * j + l] | (L[64 * j + l + 32] << 4));
  std::memcpy(out, &y, sizeof y);
}

void q5_K(const float* x, const float* qw, const Searches& s, uint8_t* out) {
  block_q5_K y;
  uint8_t L[kQKK];
  k45_scales<31>(x, qw, s, y.d, y.dmin, y.scales, L);
  std::memset(y.qh, 0, sizeof y.qh);
  for (int g = 0; g < 4; ++g) {
    const uint8_t m1 = static_cast<uint8_t>(1u << (2 * g)), m2 = static_cast<uint8_t>(2u << (2 * g));
    for (int j = 0; j < 32; ++j) {
      int l1 = L[64 * g + j], l2 = L[64 * g + j + 32];
      if (l1 > 15) l1 -= 16, y.qh[j] = static_cast<uint8_t>(y.qh[j] | m1);
      if (l2 > 15) l2 -= 16, y.qh[j] = static_cast<uint8_t>(y.qh[j] | m2);
      y.qs[32 * g + j] = static_cast<uint8_t>(l1 | (l2 << 4));
    }
  }
  std::memcpy(out, &y, sizeof y);
}

void q6_K(const float* x, const float* qw, const Searches& s, uint8_t* out) {
  block_q6_K y;
  int8_t L[kQKK];
  float scales[16];
  s.symmetric(16, 16, 32, x, qw, L, scales);
  float max_scale = 0, max_abs_scale = 0;
  for (int ib = 0; ib < 16; ++ib) {
    const float abs_scale = std::fabs(scales[ib]);
    if (abs_scale > max_abs_scale) {
      max_abs_scale = abs_scale;
      max_scale = scales[ib];
    }
  }
  if (max_abs_scale < kGroupMaxEps) {
    std::memset(out, 0, sizeof y);
    return;
  }
  const float iscale = -128.f / max_scale;
  y.d = f32_to_f16(1 / iscale);
  for (int ib = 0; ib < 16; ++ib) y.scales[ib] = static_cast<int8_t>(c_min(127, nearest_int(iscale * scales[ib])));
  for (int j = 0; j < 16; ++j) {
    const float d = h2f(y.d) * static_cast<float>(y.scales[j]);
    if (!d) continue;
    s.round_div(16, x + 16 * j, 0.0f, d, -32, 31, 32, reinterpret_cast<uint8_t*>(L + 16 * j));
  }
  for (int h = 0; h < 2; ++h) {
    const int8_t* Lh = L + 128 * h;
    uint8_t* ql = y.ql + 64 * h;
    uint8_t* qh = y.qh + 32 * h;
    for (int l = 0; l < 32; ++l) {
      const uint8_t q1 = Lh[l] & 0xF, q2 = Lh[l + 32] & 0xF, q3 = Lh[l + 64] & 0xF, q4 = Lh[l + 96] & 0xF;
      ql[l] = static_cast<uint8_t>(q1 | (q3 << 4));
      ql[l + 32] = static_cast<uint8_t>(q2 | (q4 << 4));
      qh[l] = static_cast<uint8_t>((Lh[l] >> 4) | ((Lh[l + 32] >> 4) << 2) | ((Lh[l + 64] >> 4) << 4) | ((Lh[l + 96] >> 4) << 6));
    }
  }
  std::memcpy(out, &y, sizeof y);
}

void q8_K(const float* x, const float*, const Searches& s, uint8_t* out) { s.q8_K(x, out); }

}  // namespace

SuperBlockFn kquant_block_fn(DType type) {
  switch (type) {
    case DType::Q2_K: return q2_K;
    case DType::Q3_K: return q3_K;
    case DType::Q4_K: return q4_K;
    case DType::Q5_K: return q5_K;
    case DType::Q6_K: return q6_K;
    case DType::Q8_K: return q8_K;
    default: return nullptr;
  }
}

}  // namespace mcs::gguf::kq
