#include "engine/qlinear/gguf_dot.h"

#include <cstring>

#include "core/fp16.h"
#include "cpu/cpu_features.h"
#include "quant/gguf/blocks.h"

namespace mcs::engine::qlinear {
namespace {

using namespace mcs::gguf;

inline float h(uint16_t v) { return f16_to_f32(v); }

// One weight row against one activation row: ggml's generic formulas.
float dot_row(DType type, const uint8_t* w, const int8_t* q, const float* d, const float* s, int64_t nb) {
  float sumf = 0.0f;
  for (int64_t ib = 0; ib < nb; ++ib) {
    const int8_t* y = q + ib * 32;
    int32_t sumi = 0;
    switch (type) {
      case DType::Q8_0: {
        const auto x = load_block<block_q8_0>(w + ib * sizeof(block_q8_0));
        for (int j = 0; j < 32; ++j) sumi += int32_t(x.qs[j]) * y[j];
        sumf += float(sumi) * (h(x.d) * d[ib]);
        break;
      }
      case DType::Q4_0: {
        const auto x = load_block<block_q4_0>(w + ib * sizeof(block_q4_0));
        for (int j = 0; j < 16; ++j) sumi += ((x.qs[j] & 15) - 8) * y[j] + ((x.qs[j] >> 4) - 8) * y[j + 16];
        sumf += float(sumi) * h(x.d) * d[ib];
        break;
      }
      case DType::Q4_1: {
        const auto x = load_block<block_q4_1>(w + ib * sizeof(block_q4_1));
        for (int j = 0; j < 16; ++j) sumi += (x.qs[j] & 15) * y[j] + (x.qs[j] >> 4) * y[j + 16];
        sumf += (h(x.d) * d[ib]) * float(sumi) + h(x.m) * s[ib];
        break;
      }
      case DType::Q5_0: {
        const auto x = load_block<block_q5_0>(w + ib * sizeof(block_q5_0));
        uint32_t qh;
        std::memcpy(&qh, x.qh, 4);
        for (int j = 0; j < 16; ++j) {
          const int lo = int((x.qs[j] & 15) | (((qh >> j) & 1) << 4)) - 16;
          const int hi = int((x.qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4)) - 16;
          sumi += lo * y[j] + hi * y[j + 16];
        }
        sumf += (h(x.d) * d[ib]) * float(sumi);
        break;
      }
      case DType::Q5_1: {
        const auto x = load_block<block_q5_1>(w + ib * sizeof(block_q5_1));
        uint32_t qh;
        std::memcpy(&qh, x.qh, 4);
        for (int j = 0; j < 16; ++j) {
          const int lo = int((x.qs[j] & 15) | (((qh >> j) & 1) << 4));
          const int hi = int((x.qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4));
          sumi += lo * y[j] + hi * y[j + 16];
        }
        sumf += (h(x.d) * d[ib]) * float(sumi) + h(x.m) * s[ib];
        break;
      }
      default: return 0.0f;
    }
  }
  return sumf;
}

}  // namespace

bool gguf_dot_type(DType t) {
  return t == DType::Q8_0 || t == DType::Q4_0 || t == DType::Q4_1 || t == DType::Q5_0 || t == DType::Q5_1;
}

void gguf_rows_ref(const GgufCall& c, int64_t n0, int64_t n1) {
  const Q8Act& a = *c.x;
  for (int64_t n = n0; n < n1; ++n)
    for (int64_t t = 0; t < a.T; ++t)
      c.y[t * c.ldy + n] = dot_row(c.type, c.w + n * c.row_bytes, a.qrow(t), a.drow(t), a.with_sums ? a.srow(t) : nullptr, a.blocks);
}

void gguf_rows(const GgufCall& c, int64_t n0, int64_t n1) {
  if (cpu::use_avx2()) return avx2::gguf_rows(c, n0, n1);
  gguf_rows_ref(c, n0, n1);
}

}  // namespace mcs::engine::qlinear
