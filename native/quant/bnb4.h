// NF4 and FP4 (QLoRA / bitsandbytes 4-bit) quantization in bitsandbytes' own
// layout, so the exporter can write checkpoints transformers loads as
// Linear4bit weights:
//   - blocks of `blocksize` consecutive elements of the flattened tensor (rows
//     are not respected, like bitsandbytes), the last block possibly short;
//   - absmax per block (float32); s = clamp(x · (1/absmax), −1, 1) → 4-bit
//     code (bnb4_codes.h); an all-zero block uses 1/1e−38 as bitsandbytes does;
//   - two codes per byte, the first element in the high nibble; an odd count
//     leaves the code of 0 in the last low nibble;
//   - double quantization (compress_statistics): offset = mean(absmax), then
//     absmax − offset quantized blockwise with block 256 to 8-bit codes of the
//     dynamic map, with one float32 absmax per 256 blocks (nested_absmax).
// Dequantization: ŵ = value[code] · absmax, with absmax = map[q]·nested + offset
// under double quantization — what bitsandbytes computes when it loads.
#pragma once
#include <cstdint>

#include "core/job.h"
#include "core/tensor.h"
#include "quant/bnb4_codes.h"
#include "quant/error_stats.h"

namespace mcs::quant {

constexpr int64_t kBnbNestedBlock = 256;

struct Bnb4Spec {
  Bnb4Type type = Bnb4Type::NF4;
  int64_t blocksize = 64;  // 32, 64, …, 4096 (bitsandbytes' choices)
  bool double_quant = false;
};

struct Bnb4Layout {
  int64_t numel = 0;
  int64_t packed_bytes = 0;   // (numel + 1) / 2
  int64_t blocks = 0;         // ceil(numel / blocksize)
  int64_t nested_blocks = 0;  // ceil(blocks / 256) with double quant, else 0
};

Bnb4Layout bnb4_layout(const TensorView& t, const Bnb4Spec& spec);

struct Bnb4Outputs {
  uint8_t* packed;        // packed_bytes
  float* absmax;          // blocks — without double quant (else unused, may be null)
  uint8_t* absmax_codes;  // blocks — with double quant
  float* nested_absmax;   // nested_blocks — with double quant
  float* offset;          // 1 — with double quant
};

ErrorStats quantize_bnb4(const TensorView& t, const Bnb4Spec& spec, const Bnb4Outputs& out, const JobContext& ctx);
ErrorStats quantize_bnb4_ref(const TensorView& t, const Bnb4Spec& spec, const Bnb4Outputs& out);

// Decodes double-quantized absmax values: map[code] · nested[i / 256] + offset.
void decode_absmax(const uint8_t* codes, const float* nested, float offset, int64_t blocks, float* out);

void dequantize_bnb4(const uint8_t* packed, const float* absmax, int64_t numel, const Bnb4Spec& spec, float* out,
                     const JobContext& ctx);
void dequantize_bnb4_ref(const uint8_t* packed, const float* absmax, int64_t numel, const Bnb4Spec& spec, float* out);

}  // namespace mcs::quant
