// IQ4_NL / IQ4_XS (ggml's quantize_row_iq4_nl_impl), the legacy types with
// importance weights (quantize_row_q4_0_impl …), and the row entry point of
// every searched quantizer (kquants.h).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "core/fp16.h"
#include "quant/gguf/blocks.h"
#include "quant/gguf/kquants.h"
#include "quant/gguf/kquants_internal.h"

namespace mcs::gguf::kq {
namespace {

// IQ4 weights of the `sbs` values at x (σ² from the same values) into w.
void iq4_weights(int sbs, const float* x, const float* qw, float* w) {
  float sigma2 = 0;
  for (int j = 0; j < sbs; ++j) sigma2 += x[j] * x[j];
  sigma2 *= 2.f / static_cast<float>(sbs);
  if (qw)
    for (int j = 0; j < sbs; ++j) w[j] = qw[j] * std::sqrt(sigma2 + x[j] * x[j]);
  else
    for (int j = 0; j < sbs; ++j) w[j] = x[j] * x[j];
}

void pack_iq4(int nb, const uint8_t* L, uint8_t* q4) {
  for (int i = 0; i < nb; ++i)
    for (int j = 0; j < 16; ++j) q4[16 * i + j] = static_cast<uint8_t>(L[32 * i + j] | (L[32 * i + 16 + j] << 4));
}

bool below_eps(const float* x) {
  float amax = 0;
  for (int j = 0; j < kQK; ++j) amax = std::fabs(x[j]) > amax ? std::fabs(x[j]) : amax;
  return amax < kGroupMaxEps;
}

// IQ4_NL: every block of 32 is its own super-block. ntry < 0 is
// quantize_row_iq4_nl_ref, which keeps the first pass's codes; there a block
// below kGroupMaxEps keeps the codes of the block before it (ggml reuses one
// stack array; for a row's first block those are unset in ggml, 0 here).
void iq4_nl_row(const float* x, int64_t n, const float* qw, int ntry, const Searches& s, uint8_t* out) {
  constexpr int64_t kBatch = 64;  // blocks searched together
  std::vector<float> w(kBatch * kQK), scales(kBatch);
  std::vector<uint8_t> L(kBatch * kQK, 0);
  uint8_t prev[kQK] = {0};  // codes of the block before the batch
  for (int64_t b0 = 0; b0 < n / kQK; b0 += kBatch) {
    const int nb = static_cast<int>(std::min<int64_t>(kBatch, n / kQK - b0));
    const float* xb = x + kQK * b0;
    for (int b = 0; b < nb; ++b) iq4_weights(kQK, xb + kQK * b, qw ? qw + kQK * (b0 + b) : nullptr, w.data() + kQK * b);
    s.iq4(nb, xb, w.data(), L.data(), ntry, scales.data());
    for (int b = 0; b < nb; ++b) {
      uint8_t* Lb = L.data() + kQK * b;
      if (ntry > 0) {
        s.iq4_codes(kQK, xb + kQK * b, scales[b] ? 1 / scales[b] : 0, Lb);
      } else if (below_eps(xb + kQK * b)) {
        std::memcpy(Lb, b > 0 ? Lb - kQK : prev, kQK);
      }
      block_iq4_nl blk;
      blk.d = f32_to_f16(scales[b]);
      pack_iq4(1, Lb, blk.qs);
      std::memcpy(out + (b0 + b) * sizeof blk, &blk, sizeof blk);
    }
    std::memcpy(prev, L.data() + kQK * (nb - 1), kQK);
  }
}

void iq4_xs_row(const float* x, int64_t n, const float* qw, const Searches& s, uint8_t* out) {
  uint8_t L[kQKK];
  float w[kQKK], scales[8];
  for (int64_t ib = 0; ib < n / kQKK; ++ib) {
    const float* xs = x + kQKK * ib;
    iq4_weights(kQKK, xs, qw ? qw + kQKK * ib : nullptr, w);
    s.iq4(8, xs, w, L, 7, scales);
    float max_scale = 0, amax_scale = 0;
    for (int j = 0; j < 8; ++j) {
      const float abs_d = std::fabs(scales[j]);
      if (abs_d > amax_scale) {
        amax_scale = abs_d;
        max_scale = scales[j];
      }
    }
    block_iq4_xs b;
    b.scales_h = 0;
    const float d = -max_scale / 32;
    b.d = f32_to_f16(d);
    const float id = d ? 1 / d : 0.f;
    for (int j = 0; j < 8; ++j) {
      int l = nearest_int(id * scales[j]);
      l = c_max(-32, c_min(31, l));
      const float dl = d * static_cast<float>(l);
      s.iq4_codes(32, xs + 32 * j, dl ? 1 / dl : 0.f, L + 32 * j);
      l += 32;
      const uint8_t l_l = static_cast<uint8_t>(l & 0xf), l_h = static_cast<uint8_t>(l >> 4);
      if (j % 2 == 0) b.scales_l[j / 2] = l_l;
      else b.scales_l[j / 2] = static_cast<uint8_t>(b.scales_l[j / 2] | (l_l << 4));
      b.scales_h = static_cast<uint16_t>(b.scales_h | (l_h << 2 * j));
    }
    pack_iq4(8, L, b.qs);
    std::memcpy(out + ib * sizeof b, &b, sizeof b);
  }
}

// 32 codes 0..31: low nibbles as Q4_0, bit 4 of element j into bit j of qh.
void pack5(const uint8_t* L, uint8_t* qh4, uint8_t* qs) {
  uint32_t qh = 0;
  for (int j = 0; j < 16; ++j) {
    const uint8_t lo = L[j], hi = L[j + 16];
    qs[j] = static_cast<uint8_t>((lo & 0x0F) | ((hi & 0x0F) << 4));
    qh |= uint32_t((lo & 0x10u) >> 4) << j;
    qh |= uint32_t((hi & 0x10u) >> 4) << (j + 16);
  }
  std::memcpy(qh4, &qh, 4);
}

// quantize_row_q{4,5}_{0,1}_impl: weights qw·sqrt(σ² + x²) with σ² the row's mean square.
void legacy_weighted_row(DType type, const float* x, int64_t n, const float* qw, const Searches& s, uint8_t* out) {
  float sum_x2 = 0;
  for (int64_t j = 0; j < n; ++j) sum_x2 += x[j] * x[j];
  const float sigma2 = sum_x2 / static_cast<float>(n);
  std::vector<float> weight(static_cast<size_t>(n)), scales(static_cast<size_t>(n / kQK)), mins(scales.size());
  for (int64_t j = 0; j < n; ++j) weight[j] = qw[j] * std::sqrt(sigma2 + x[j] * x[j]);
  const int groups = static_cast<int>(n / kQK);
  std::vector<uint8_t> L(static_cast<size_t>(n));
  const bool symmetric = type == DType::Q4_0 || type == DType::Q5_0;
  if (symmetric)
    s.symmetric(groups, kQK, type == DType::Q4_0 ? 8 : 16, x, weight.data(), reinterpret_cast<int8_t*>(L.data()), scales.data());
  else
    s.with_min(groups, kQK, type == DType::Q4_1 ? 15 : 31, x, weight.data(), L.data(), scales.data(), mins.data(), -0.9f,
               0.05f, 36, false);
  const size_t bytes = dtype_info(type).size;
  for (int ib = 0; ib < groups; ++ib) {
    uint8_t* o = out + ib * bytes;
    const uint8_t* Lb = L.data() + kQK * ib;
    const uint16_t dh = f32_to_f16(scales[ib]);
    std::memcpy(o, &dh, 2);
    if (!symmetric) {
      const uint16_t mh = f32_to_f16(-mins[ib]);
      std::memcpy(o + 2, &mh, 2);
    }
    const int at = symmetric ? 2 : 4;
    if (type == DType::Q4_0 || type == DType::Q4_1) {
      for (int j = 0; j < 16; ++j) o[at + j] = static_cast<uint8_t>(Lb[j] | (Lb[j + 16] << 4));
    } else {
      pack5(Lb, o + at, o + at + 4);
    }
  }
}

bool legacy(DType t) { return t == DType::Q4_0 || t == DType::Q4_1 || t == DType::Q5_0 || t == DType::Q5_1; }

bool half_finite(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return (h & 0x7c00) != 0x7c00;
}

}  // namespace

bool searched_type(DType type) {
  return kquant_block_fn(type) != nullptr || type == DType::IQ4_NL || type == DType::IQ4_XS;
}

bool weighted_type(DType type) { return (searched_type(type) && type != DType::Q8_K) || legacy(type); }

void quantize_row(DType type, const float* x, int64_t n, const RowOptions& opt, const Searches& s, uint8_t* out) {
  if (const SuperBlockFn fn = kquant_block_fn(type)) {
    const size_t bytes = dtype_info(type).size;
    for (int64_t ib = 0; ib < n / kQKK; ++ib) fn(x + kQKK * ib, opt.qw ? opt.qw + kQKK * ib : nullptr, s, out + ib * bytes);
  } else if (type == DType::IQ4_NL) {
    iq4_nl_row(x, n, opt.qw, opt.iq4_nl_row_ref && !opt.qw ? -1 : 7, s, out);
  } else if (type == DType::IQ4_XS) {
    iq4_xs_row(x, n, opt.qw, s, out);
  } else if (legacy(type) && opt.qw) {
    legacy_weighted_row(type, x, n, opt.qw, s, out);
  } else {
    fail(std::string("no searched quantizer for ") + dtype_info(type).name);
  }
}

bool scales_finite(DType type, const uint8_t* blocks, int64_t nblocks) {
  int at[2] = {-1, -1};  // byte offsets of the block's fp16 scales
  switch (type) {
    case DType::Q2_K: at[0] = 80, at[1] = 82; break;
    case DType::Q3_K: at[0] = 108; break;
    case DType::Q4_K: case DType::Q5_K: case DType::Q4_1: case DType::Q5_1: at[0] = 0, at[1] = 2; break;
    case DType::Q6_K: at[0] = 208; break;
    case DType::Q4_0: case DType::Q5_0: case DType::Q8_0: case DType::IQ4_NL: case DType::IQ4_XS: at[0] = 0; break;
    default: return true;
  }
  const size_t bytes = dtype_info(type).size;
  for (int64_t b = 0; b < nblocks; ++b)
    for (int k : at)
      if (k >= 0 && !half_finite(blocks + b * bytes + k)) return false;
  return true;
}

}  // namespace mcs::gguf::kq
