// compressed-tensors' integer weight layouts, read into IntWeights:
//   pack-quantized: weight_packed int32 [rows, ceil(cols·b/32)] (codes + 2^(b−1),
//     a dense little-endian bit stream per row), weight_scale [rows, groups] |
//     [rows, 1] | [1] (float), weight_zero_point (asymmetric) int32 packed
//     along the rows [ceil(rows·b/32), groups] or int8 [1], weight_shape int64
//     [2]; the bit width from `num_bits` (int64 [1], from quantization_config)
//     or, when absent, from the packed width if only one width fits.
//   int-quantized: weight int8 [rows, cols] + weight_scale (+ weight_zero_point
//     int8 [rows, groups] | [1]).
// 8-bit packs are read in place (each byte is code + 128); 4-bit and narrower
// packs are repacked once into the interleaved 4-bit layout, 5–7 bit packs
// into bytes: the weight stays at most 8 bits per value in memory.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/linear.h"
#include "engine/qlinear/int_kernels.h"

namespace mcs::engine::qlinear {

struct IntLayout {
  IntWeights w;
  std::vector<uint8_t> owned;  // repacked codes (w.data points here), or empty
  int bits = 8;                // as stored
  bool symmetric = true;
  bool packed = true;          // pack-quantized (else int-quantized int8)
  std::string granularity;     // "per-tensor", "per-channel", "g<G>"
};

bool is_pack_quantized(const LinearSpec& spec);
bool is_int_quantized(const LinearSpec& spec);
IntLayout read_int_layout(const LinearSpec& spec);

// Code i of a little-endian bit stream of b-bit fields (unsigned value).
inline uint32_t bit_field(const uint8_t* bytes, int64_t nbytes, int64_t i, int b) {
  const int64_t bit = i * b, byte = bit >> 3;
  uint32_t v = bytes[byte];
  if (byte + 1 < nbytes) v |= uint32_t(bytes[byte + 1]) << 8;
  return (v >> (bit & 7)) & ((1u << b) - 1);
}

}  // namespace mcs::engine::qlinear
