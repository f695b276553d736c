// Scalar reference dequantizers of the k-quant super-blocks (256 elements),
// in ggml's element order and float operations: a sub-block scale (and min) is
// formed first as one float product, then each value is scale × code (− min),
// each step rounded on its own (no fused multiply-add).
#include "core/fp16.h"
#include "quant/gguf/blocks.h"
#include "quant/gguf/block_fns.h"

namespace mcs::gguf::ref {

// Codes are 2 bits at bit 2·k of byte l (l = 0..31 within each half of 128):
// elements 32k + l of the half, in sub-blocks of 16 with their own 4-bit scale/min.
void q2_K(const uint8_t* in, float* y) {
  const auto b = load_block<block_q2_K>(in);
  const float d = f16_to_f32(b.d), dmin = f16_to_f32(b.dmin);
  int is = 0;
  for (int half = 0; half < 2; ++half) {
    const uint8_t* q = b.qs + 32 * half;
    for (int shift = 0; shift < 8; shift += 2) {
      for (int part = 0; part < 2; ++part) {
        const uint8_t sc = b.scales[is++];
        const float dl = d * static_cast<float>(sc & 0x0f), ml = dmin * static_cast<float>(sc >> 4);
        for (int l = 0; l < 16; ++l) *y++ = dl * static_cast<float>((q[l + 16 * part] >> shift) & 3) - ml;
      }
    }
  }
}

// As Q2_K for the low 2 bits; the high bit of element 32k + l of half h is bit
// (4h + k) of hmask[l]; a clear high bit subtracts 4.
void q3_K(const uint8_t* in, float* y) {
  const auto b = load_block<block_q3_K>(in);
  const float d = f16_to_f32(b.d);
  int8_t scales[16];
  k3_scales(b.scales, scales);
  int is = 0;
  uint8_t m = 1;
  for (int half = 0; half < 2; ++half) {
    const uint8_t* q = b.qs + 32 * half;
    for (int shift = 0; shift < 8; shift += 2, m = static_cast<uint8_t>(m << 1)) {
      for (int part = 0; part < 2; ++part) {
        const float dl = d * static_cast<float>(scales[is++]);
        for (int l = 16 * part; l < 16 * part + 16; ++l) {
          const int code = ((q[l] >> shift) & 3) - ((b.hmask[l] & m) ? 0 : 4);
          *y++ = dl * static_cast<float>(code);
        }
      }
    }
  }
}

// Four groups of 64: byte l of a group's 32 holds element l (low nibble) and
// element 32 + l (high nibble), with scales/mins 2g and 2g+1.
void q4_K(const uint8_t* in, float* y) {
  const auto b = load_block<block_q4_K>(in);
  const float d = f16_to_f32(b.d), dmin = f16_to_f32(b.dmin);
  for (int g = 0; g < 4; ++g) {
    const uint8_t* q = b.qs + 32 * g;
    uint8_t sc, m;
    k4_scale_min(2 * g, b.scales, sc, m);
    const float d1 = d * static_cast<float>(sc), m1 = dmin * static_cast<float>(m);
    k4_scale_min(2 * g + 1, b.scales, sc, m);
    const float d2 = d * static_cast<float>(sc), m2 = dmin * static_cast<float>(m);
    for (int l = 0; l < 32; ++l) *y++ = d1 * static_cast<float>(q[l] & 0x0f) - m1;
    for (int l = 0; l < 32; ++l) *y++ = d2 * static_cast<float>(q[l] >> 4) - m2;
  }
}

// Q4_K plus a fifth bit: bit 2g of qh[l] for the low nibbles of group g, bit 2g+1 for the high.
void q5_K(const uint8_t* in, float* y) {
  const auto b = load_block<block_q5_K>(in);
  const float d = f16_to_f32(b.d), dmin = f16_to_f32(b.dmin);
  for (int g = 0; g < 4; ++g) {
    const uint8_t* q = b.qs + 32 * g;
    const uint8_t u1 = static_cast<uint8_t>(1u << (2 * g)), u2 = static_cast<uint8_t>(2u << (2 * g));
    uint8_t sc, m;
    k4_scale_min(2 * g, b.scales, sc, m);
    const float d1 = d * static_cast<float>(sc), m1 = dmin * static_cast<float>(m);
    k4_scale_min(2 * g + 1, b.scales, sc, m);
    const float d2 = d * static_cast<float>(sc), m2 = dmin * static_cast<float>(m);
    for (int l = 0; l < 32; ++l) *y++ = d1 * static_cast<float>((q[l] & 0x0f) + ((b.qh[l] & u1) ? 16 : 0)) - m1;
    for (int l = 0; l < 32; ++l) *y++ = d2 * static_cast<float>((q[l] >> 4) + ((b.qh[l] & u2) ? 16 : 0)) - m2;
  }
}

// Two halves of 128; in each, byte l (0..31) of qh gives the top 2 bits of
// elements l, 32+l, 64+l, 96+l (bits 0-1, 2-3, 4-5, 6-7); ql[l] and ql[32+l]
// give their low nibbles. Value = (d × scale) × (code − 32), scale per 16.
void q6_K(const uint8_t* in, float* y) {
  const auto b = load_block<block_q6_K>(in);
  const float d = f16_to_f32(b.d);
  for (int half = 0; half < 2; ++half) {
    const uint8_t* ql = b.ql + 64 * half;
    const uint8_t* qh = b.qh + 32 * half;
    const int8_t* sc = b.scales + 8 * half;
    for (int l = 0; l < 32; ++l) {
      const int is = l / 16;
      const int q1 = ((ql[l] & 0x0f) | (((qh[l] >> 0) & 3) << 4)) - 32;
      const int q2 = ((ql[l + 32] & 0x0f) | (((qh[l] >> 2) & 3) << 4)) - 32;
      const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
      const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
      y[l + 0] = d * static_cast<float>(sc[is + 0]) * static_cast<float>(q1);
      y[l + 32] = d * static_cast<float>(sc[is + 2]) * static_cast<float>(q2);
      y[l + 64] = d * static_cast<float>(sc[is + 4]) * static_cast<float>(q3);
      y[l + 96] = d * static_cast<float>(sc[is + 6]) * static_cast<float>(q4);
    }
    y += 128;
  }
}

// IQ4_NL: y = d · level[code], codes as Q4_0 (element j low nibble, j + 16 high).
void iq4_nl(const uint8_t* in, float* y) {
  const auto b = load_block<block_iq4_nl>(in);
  const float d = f16_to_f32(b.d);
  for (int j = 0; j < 16; ++j) {
    y[j] = d * static_cast<float>(kIQ4Values[b.qs[j] & 0xf]);
    y[j + 16] = d * static_cast<float>(kIQ4Values[b.qs[j] >> 4]);
  }
}

// IQ4_XS: eight IQ4_NL-like sub-blocks of 32 with scale d · (ls − 32).
void iq4_xs(const uint8_t* in, float* y) {
  const auto b = load_block<block_iq4_xs>(in);
  const float d = f16_to_f32(b.d);
  for (int ib = 0; ib < 8; ++ib) {
    const int ls = ((b.scales_l[ib / 2] >> 4 * (ib % 2)) & 0xf) | (((b.scales_h >> 2 * ib) & 3) << 4);
    const float dl = d * static_cast<float>(ls - 32);
    const uint8_t* qs = b.qs + 16 * ib;
    for (int j = 0; j < 16; ++j) {
      y[32 * ib + j] = dl * static_cast<float>(kIQ4Values[qs[j] & 0xf]);
      y[32 * ib + j + 16] = dl * static_cast<float>(kIQ4Values[qs[j] >> 4]);
    }
  }
}

void q8_K(const uint8_t* in, float* y) {
  const auto b = load_block<block_q8_K>(in);
  for (int j = 0; j < kQKK; ++j) y[j] = b.d * static_cast<float>(b.qs[j]);
}

}  // namespace mcs::gguf::ref
