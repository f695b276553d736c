// Scalar reference dequantizers of the legacy GGML blocks (Q4_0 … Q8_1), in
// ggml's float operations: int code × float scale, then + min where there is
// one, as two roundings (ggml-base is built without FMA contraction on x86, so a
// fused multiply-add would change bits). The k-quants are in dequantize_kquants_ref.cc.
#include "core/error.h"
#include "core/fp16.h"
#include "quant/gguf/blocks.h"
#include "quant/gguf/gguf_blocks.h"
#include "quant/gguf/block_fns.h"

namespace mcs::gguf {
namespace {

void q4_0(const uint8_t* p, float* y) {
  const auto b = load_block<block_q4_0>(p);
  const float d = f16_to_f32(b.d);
  for (int j = 0; j < kQK / 2; ++j) {
    y[j] = static_cast<float>((b.qs[j] & 0x0f) - 8) * d;
    y[j + kQK / 2] = static_cast<float>((b.qs[j] >> 4) - 8) * d;
  }
}

void q4_1(const uint8_t* p, float* y) {
  const auto b = load_block<block_q4_1>(p);
  const float d = f16_to_f32(b.d), m = f16_to_f32(b.m);
  for (int j = 0; j < kQK / 2; ++j) {
    y[j] = static_cast<float>(b.qs[j] & 0x0f) * d + m;
    y[j + kQK / 2] = static_cast<float>(b.qs[j] >> 4) * d + m;
  }
}

// 5-bit code of element j (0..31) from its nibble and bit j of qh.
template <typename Block>
int code5(const Block& b, uint32_t qh, int j) {
  const int nib = j < kQK / 2 ? (b.qs[j] & 0x0f) : (b.qs[j - kQK / 2] >> 4);
  return nib | int((qh >> j) & 1u) << 4;
}

void q5_0(const uint8_t* p, float* y) {
  const auto b = load_block<block_q5_0>(p);
  const float d = f16_to_f32(b.d);
  uint32_t qh;
  std::memcpy(&qh, b.qh, 4);
  for (int j = 0; j < kQK; ++j) y[j] = static_cast<float>(code5(b, qh, j) - 16) * d;
}

void q5_1(const uint8_t* p, float* y) {
  const auto b = load_block<block_q5_1>(p);
  const float d = f16_to_f32(b.d), m = f16_to_f32(b.m);
  uint32_t qh;
  std::memcpy(&qh, b.qh, 4);
  for (int j = 0; j < kQK; ++j) y[j] = static_cast<float>(code5(b, qh, j)) * d + m;
}

void q8_0(const uint8_t* p, float* y) {
  const auto b = load_block<block_q8_0>(p);
  const float d = f16_to_f32(b.d);
  for (int j = 0; j < kQK; ++j) y[j] = static_cast<float>(b.qs[j]) * d;
}

void q8_1(const uint8_t* p, float* y) {
  const auto b = load_block<block_q8_1>(p);
  const float d = f16_to_f32(b.d);
  for (int j = 0; j < kQK; ++j) y[j] = static_cast<float>(b.qs[j]) * d;
}

}  // namespace

BlockFn scalar_dequantizer(DType type) {
  switch (type) {
    case DType::Q4_0: return q4_0;
    case DType::Q4_1: return q4_1;
    case DType::Q5_0: return q5_0;
    case DType::Q5_1: return q5_1;
    case DType::Q8_0: return q8_0;
    case DType::Q8_1: return q8_1;
    case DType::Q2_K: return ref::q2_K;
    case DType::Q3_K: return ref::q3_K;
    case DType::Q4_K: return ref::q4_K;
    case DType::Q5_K: return ref::q5_K;
    case DType::Q6_K: return ref::q6_K;
    case DType::Q8_K: return ref::q8_K;
    case DType::IQ4_NL: return ref::iq4_nl;
    case DType::IQ4_XS: return ref::iq4_xs;
    default: fail(std::string("cannot dequantize ") + dtype_info(type).name);
  }
}

void dequantize_blocks_ref(DType type, const uint8_t* in, int64_t nblocks, float* out) {
  const BlockFn fn = scalar_dequantizer(type);
  const DTypeInfo& info = dtype_info(type);
  for (int64_t i = 0; i < nblocks; ++i) fn(in + i * info.size, out + i * info.block);
}

}  // namespace mcs::gguf
