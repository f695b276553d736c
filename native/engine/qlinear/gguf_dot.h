// GGML block weights (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1) times activations
// quantized to Q8 blocks (q8_act.h), with llama.cpp's arithmetic: per block an
// integer dot product of the codes, then scaled by the two block scales;
// Q4_1/Q5_1 add their min times the activation block's s.
//   reference: ggml-cpu's generic ggml_vec_dot_<type>_q8_<0|1> formulas,
//     e.g. Q4_0: sumf += sumi·d_w·d_x, summed block after block in float;
//   AVX2: ggml's x86 structure — per block 8 int32 lane sums of the byte
//     products (maddubs + madd), converted to float and accumulated with FMA
//     into 8 lanes by d_w·d_x, then one horizontal sum (+ Σ m·s).
#pragma once
#include <cstdint>

#include "core/dtype.h"
#include "engine/qlinear/q8_act.h"

namespace mcs::engine::qlinear {

// Whether `t` has a kernel here, and whether its activations need Q8_1 sums.
bool gguf_dot_type(DType t);
inline bool gguf_needs_sums(DType t) { return t == DType::Q4_1 || t == DType::Q5_1; }

struct GgufCall {
  DType type;
  const uint8_t* w;   // row n at w + n · row_bytes
  int64_t row_bytes;
  const Q8Act* x;
  float* y;           // [T, ldy]
  int64_t ldy;
};

void gguf_rows_ref(const GgufCall& c, int64_t n0, int64_t n1);
// AVX2 when present, else the reference formulas.
void gguf_rows(const GgufCall& c, int64_t n0, int64_t n1);

namespace avx2 {
void gguf_rows(const GgufCall& c, int64_t n0, int64_t n1);
}

}  // namespace mcs::engine::qlinear
