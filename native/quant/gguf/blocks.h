// GGML block layouts as GGUF files store them (little-endian, no padding).
// Scales marked `fp16` are IEEE half bits. Sizes are pinned against the GGUF
// spec's byte counts, which core/dtype.cc also lists.
#pragma once
#include <cstdint>
#include <cstring>

namespace mcs::gguf {

constexpr int kQK = 32;    // elements per block of the legacy types
constexpr int kQKK = 256;  // elements per k-quant super-block

// x = d * (q - 8), q in 0..15; element j in the low nibble of qs[j], j+16 in the high nibble.
struct block_q4_0 {
  uint16_t d;  // fp16
  uint8_t qs[kQK / 2];
};
// x = d * q + m, q in 0..15.
struct block_q4_1 {
  uint16_t d, m;  // fp16
  uint8_t qs[kQK / 2];
};
// x = d * (q - 16), q in 0..31: low 4 bits as Q4_0, bit 4 of element j in bit j of qh.
struct block_q5_0 {
  uint16_t d;  // fp16
  uint8_t qh[4];
  uint8_t qs[kQK / 2];
};
// x = d * q + m, q in 0..31, bits as Q5_0.
struct block_q5_1 {
  uint16_t d, m;  // fp16
  uint8_t qh[4];
  uint8_t qs[kQK / 2];
};
// x = d * q, q in -127..127.
struct block_q8_0 {
  uint16_t d;  // fp16
  int8_t qs[kQK];
};
// As Q8_0 plus s = d * Σq (used by dot products; ignored when dequantizing).
struct block_q8_1 {
  uint16_t d, s;  // fp16
  int8_t qs[kQK];
};

// 16 sub-blocks of 16: x = d*(sc&15)*q - dmin*(sc>>4), q in 0..3.
struct block_q2_K {
  uint8_t scales[kQKK / 16];
  uint8_t qs[kQKK / 4];
  uint16_t d, dmin;  // fp16
};
// 16 sub-blocks of 16: x = d*(s-32)*(q-4·!hbit), 6-bit scales s packed in 12 bytes.
struct block_q3_K {
  uint8_t hmask[kQKK / 8];
  uint8_t qs[kQKK / 4];
  uint8_t scales[12];
  uint16_t d;  // fp16
};
// 8 sub-blocks of 32: x = d*sc*q - dmin*m, 6-bit sc/m packed in 12 bytes, q in 0..15.
struct block_q4_K {
  uint16_t d, dmin;  // fp16
  uint8_t scales[12];
  uint8_t qs[kQKK / 2];
};
// As Q4_K with a fifth bit per element in qh, q in 0..31.
struct block_q5_K {
  uint16_t d, dmin;  // fp16
  uint8_t scales[12];
  uint8_t qh[kQKK / 8];
  uint8_t qs[kQKK / 2];
};
// 16 sub-blocks of 16: x = d*sc*(q-32), q in 0..63 from 4 low bits (ql) and 2 high bits (qh).
struct block_q6_K {
  uint8_t ql[kQKK / 2];
  uint8_t qh[kQKK / 4];
  int8_t scales[kQKK / 16];
  uint16_t d;  // fp16
};
// x = d * q with an f32 scale; bsums (Σq per 16) only serve dot products.
struct block_q8_K {
  float d;
  int8_t qs[kQKK];
  int16_t bsums[kQKK / 16];
};

// Non-linear 4-bit: x = d * kIQ4Values[q], q in 0..15, nibbles laid out as Q4_0.
struct block_iq4_nl {
  uint16_t d;  // fp16
  uint8_t qs[kQK / 2];
};
// 8 sub-blocks of 32 with 6-bit scales s (stored + 32): x = d*(s-32)*kIQ4Values[q]; low 4
// bits of s in scales_l (sub-block 2i low nibble, 2i+1 high), top 2 bits at 2i of scales_h.
struct block_iq4_xs {
  uint16_t d;  // fp16
  uint16_t scales_h;
  uint8_t scales_l[kQKK / 64];
  uint8_t qs[kQKK / 2];
};
// The 16 levels of IQ4_NL/IQ4_XS (ggml's kvalues_iq4nl), increasing.
constexpr int8_t kIQ4Values[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

static_assert(sizeof(block_q4_0) == 18, "Q4_0 block is 18 bytes");
static_assert(sizeof(block_q4_1) == 20, "Q4_1 block is 20 bytes");
static_assert(sizeof(block_q5_0) == 22, "Q5_0 block is 22 bytes");
static_assert(sizeof(block_q5_1) == 24, "Q5_1 block is 24 bytes");
static_assert(sizeof(block_q8_0) == 34, "Q8_0 block is 34 bytes");
static_assert(sizeof(block_q8_1) == 36, "Q8_1 block is 36 bytes");
static_assert(sizeof(block_q2_K) == 84, "Q2_K block is 84 bytes");
static_assert(sizeof(block_q3_K) == 110, "Q3_K block is 110 bytes");
static_assert(sizeof(block_q4_K) == 144, "Q4_K block is 144 bytes");
static_assert(sizeof(block_q5_K) == 176, "Q5_K block is 176 bytes");
static_assert(sizeof(block_q6_K) == 210, "Q6_K block is 210 bytes");
static_assert(sizeof(block_q8_K) == 292, "Q8_K block is 292 bytes");
static_assert(sizeof(block_iq4_nl) == 18, "IQ4_NL block is 18 bytes");
static_assert(sizeof(block_iq4_xs) == 136, "IQ4_XS block is 136 bytes");

// Blocks in files sit at any byte offset: copy them out instead of casting.
template <typename Block>
inline Block load_block(const uint8_t* p) {
  Block b;
  std::memcpy(&b, p, sizeof(Block));
  return b;
}

// Float → int32 as x86's cvttss2si does it: truncation, and INT32_MIN for NaN
// and values out of range. ggml's reference quantizers convert floats straight
// to (u)int8, which C leaves undefined when the value is NaN/±inf (a block whose
// inverse scale overflowed); x86 builds of llama.cpp then write the low byte
// of INT32_MIN, 0. We pin that behaviour so our bytes match theirs everywhere.
inline int32_t trunc_i32(float x) {
  if (!(x > -2147483904.0f && x < 2147483648.0f)) return INT32_MIN;
  return static_cast<int32_t>(x);
}
// (int8_t)x and (uint8_t)x of a float as those builds compute them.
inline int8_t float_to_i8(float x) { return static_cast<int8_t>(static_cast<uint8_t>(trunc_i32(x) & 0xff)); }
inline uint8_t float_to_u8(float x) { return static_cast<uint8_t>(trunc_i32(x) & 0xff); }

}  // namespace mcs::gguf
