// Scalar reference quantizers for the legacy GGML block types. They follow
// ggml's quantize_row_*_ref (the path llama-quantize takes without an
// importance matrix) operation for operation: the same float expressions in the
// same order, the same tie rules, the same FP32→FP16 rounding (core/fp16.h,
// checked against ggml's conversion on all 2^32 inputs), so the bytes agree.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "core/fp16.h"
#include "quant/gguf/block_fns.h"
#include "quant/gguf/blocks.h"
#include "quant/gguf/gguf_blocks.h"

namespace mcs::gguf {
namespace {

bool finite_block(const float* x) {
  for (int j = 0; j < kQK; ++j)
    if (!std::isfinite(x[j])) return false;
  return true;
}

// The value of largest magnitude, sign kept; the first one wins a tie (so +m
// before -m gives +m), and an all-zero block gives +0.
float signed_absmax(const float* x) {
  float amax = 0.0f, max = 0.0f;
  for (int j = 0; j < kQK; ++j) {
    if (amax < std::fabs(x[j])) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  }
  return max;
}

// Minimum and maximum where the first of equal values wins (-0 vs +0 matters:
// it is stored in the FP16 min).
void min_max(const float* x, float& min, float& max) {
  min = FLT_MAX;
  max = -FLT_MAX;
  for (int j = 0; j < kQK; ++j) {
    if (x[j] < min) min = x[j];
    if (x[j] > max) max = x[j];
  }
}

// Element j into qs[j] and element j+16 over it shifted by 4, as ggml ORs the
// (uint8_t) codes: a code above 15 (never seen with a finite scale) keeps its bits.
template <typename Block>
void pack4(const uint8_t* codes, Block& b) {
  for (int j = 0; j < kQK / 2; ++j) b.qs[j] = static_cast<uint8_t>(codes[j] | (codes[j + kQK / 2] << 4));
}

// Low nibbles into qs (element j low, j+16 high), bit 4 of element k into bit k of qh.
template <typename Block>
void pack5(const uint8_t* codes, Block& b) {
  uint32_t qh = 0;
  for (int j = 0; j < kQK / 2; ++j) {
    const uint8_t lo = codes[j], hi = codes[j + kQK / 2];
    b.qs[j] = static_cast<uint8_t>((lo & 0x0f) | ((hi & 0x0f) << 4));
    qh |= uint32_t((lo & 0x10u) >> 4) << j;
    qh |= uint32_t((hi & 0x10u) >> 4) << (j + kQK / 2);
  }
  std::memcpy(b.qh, &qh, 4);  // little-endian, as ggml's memcpy of a uint32_t on x86/ARM
}

void q4_0(const float* x, uint8_t* out) {
  block_q4_0 b;
  const float d = signed_absmax(x) / -8;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  b.d = f32_to_f16(d);
  uint8_t codes[kQK];
  for (int j = 0; j < kQK; ++j) codes[j] = static_cast<uint8_t>(std::min<int>(15, float_to_i8(x[j] * id + 8.5f)));
  pack4(codes, b);
  std::memcpy(out, &b, sizeof b);
}

void q4_1(const float* x, uint8_t* out) {
  block_q4_1 b;
  float min, max;
  min_max(x, min, max);
  const float d = (max - min) / 15;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  b.d = f32_to_f16(d);
  b.m = f32_to_f16(min);
  uint8_t codes[kQK];
  for (int j = 0; j < kQK; ++j) codes[j] = static_cast<uint8_t>(std::min<int>(15, float_to_i8((x[j] - min) * id + 0.5f)));
  pack4(codes, b);
  std::memcpy(out, &b, sizeof b);
}

void q5_0(const float* x, uint8_t* out) {
  block_q5_0 b;
  const float d = signed_absmax(x) / -16;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  b.d = f32_to_f16(d);
  uint8_t codes[kQK];
  for (int j = 0; j < kQK; ++j) codes[j] = static_cast<uint8_t>(std::min<int>(31, float_to_i8(x[j] * id + 16.5f)));
  pack5(codes, b);
  std::memcpy(out, &b, sizeof b);
}

void q5_1(const float* x, uint8_t* out) {
  block_q5_1 b;
  float min, max;
  min_max(x, min, max);
  const float d = (max - min) / 31;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  b.d = f32_to_f16(d);
  b.m = f32_to_f16(min);
  uint8_t codes[kQK];
  for (int j = 0; j < kQK; ++j) codes[j] = float_to_u8((x[j] - min) * id + 0.5f);  // no clamp, as ggml
  pack5(codes, b);
  std::memcpy(out, &b, sizeof b);
}

void q8_0(const float* x, uint8_t* out) {
  block_q8_0 b;
  float amax = 0.0f;
  for (int j = 0; j < kQK; ++j) amax = std::max(amax, std::fabs(x[j]));
  const float d = amax / 127;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  b.d = f32_to_f16(d);
  for (int j = 0; j < kQK; ++j) b.qs[j] = float_to_i8(std::round(x[j] * id));  // half away from zero, as roundf
  std::memcpy(out, &b, sizeof b);
}

}  // namespace

QuantFn scalar_quantizer(DType type) {
  switch (type) {
    case DType::Q4_0: return q4_0;
    case DType::Q4_1: return q4_1;
    case DType::Q5_0: return q5_0;
    case DType::Q5_1: return q5_1;
    case DType::Q8_0: return q8_0;
    default: fail(std::string("cannot quantize to ") + dtype_info(type).name);
  }
}

bool quantize_blocks_ref(DType type, const float* x, int64_t nblocks, uint8_t* out) {
  const QuantFn fn = scalar_quantizer(type);
  const size_t bytes = dtype_info(type).size;
  for (int64_t i = 0; i < nblocks; ++i) {
    if (!finite_block(x + i * kQK)) return false;
    fn(x + i * kQK, out + i * bytes);
  }
  return true;
}

}  // namespace mcs::gguf
