// Internals shared by the dequantizers: per-block functions and the k-quant
// scale unpacking.
#pragma once
#include <cstdint>

#include "core/dtype.h"

namespace mcs::gguf {

// Decodes one block at `in` (any alignment) into block_size floats.
using BlockFn = void (*)(const uint8_t* in, float* out);
BlockFn scalar_dequantizer(DType type);
// Encodes 32 finite floats into one block at `out` (any alignment); legacy types.
using QuantFn = void (*)(const float* x, uint8_t* out);
QuantFn scalar_quantizer(DType type);

// Q4_K/Q5_K: 8 six-bit scales and 8 six-bit mins packed in 12 bytes. Entries
// 0..3 are the low 6 bits of bytes 0..3 (scales) and 4..7 (mins); entries 4..7
// take their low 4 bits from bytes 8..11 and their top 2 bits from the top
// bits of bytes 0..3 (scales) and 4..7 (mins).
inline void k4_scale_min(int j, const uint8_t* q, uint8_t& sc, uint8_t& m) {
  if (j < 4) {
    sc = q[j] & 63;
    m = q[j + 4] & 63;
  } else {
    sc = static_cast<uint8_t>((q[j + 4] & 0x0f) | ((q[j - 4] >> 6) << 4));
    m = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

// Q3_K: 16 six-bit scales in 12 bytes. Low 4 bits: bytes 0..7, low nibbles for
// scales 0..7 and high nibbles for 8..15; top 2 bits: bytes 8..11, two bits per
// scale (scale i in byte 8 + i%4 at bit 2·(i/4)). Returned with the 32 offset removed.
inline void k3_scales(const uint8_t* q, int8_t out[16]) {
  for (int i = 0; i < 16; ++i) {
    const int low = i < 8 ? (q[i] & 0x0f) : (q[i - 8] >> 4);
    const int high = (q[8 + i % 4] >> (2 * (i / 4))) & 3;
    out[i] = static_cast<int8_t>((low | (high << 4)) - 32);
  }
}

namespace ref {
void q2_K(const uint8_t* in, float* out);
void q3_K(const uint8_t* in, float* out);
void q4_K(const uint8_t* in, float* out);
void q5_K(const uint8_t* in, float* out);
void q6_K(const uint8_t* in, float* out);
void q8_K(const uint8_t* in, float* out);
void iq4_nl(const uint8_t* in, float* out);
void iq4_xs(const uint8_t* in, float* out);
}  // namespace ref

}  // namespace mcs::gguf
