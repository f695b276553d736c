// k-quant and IQ4 weights (Q2_K…Q6_K, IQ4_XS against Q8_K activations; IQ4_NL
// against Q8_0) with llama.cpp's arithmetic: per super-block integer dot
// products of the codes with the 8-bit activations, each scaled by its
// sub-block scale, then by the two super-block scales in float.
//   reference: ggml-cpu's generic ggml_vec_dot_<type>_q8_K (the `#else`
//     branch): 8 int32 partial sums by element index mod 8, 8 float sums
//     (Q3_K…Q6_K), or one float sum per (sub-)block (Q2_K, IQ4_*);
//   AVX2: ggml's x86 kernels — per super-block 8 int32 lane sums of 4
//     consecutive products per 32 (maddubs + madd with the sub-block
//     scale), accumulated with FMA by d_w·d_x into 8 float lanes, the min
//     terms as ggml adds them (Q2_K in the lanes, Q4_K in 4 lanes, Q5_K in
//     a scalar FMA), one horizontal sum at the end. Bit-identical to
//     llama.cpp's x86 build (tests/fixtures/gguf-blocks/ggml-kquant-dots.*).
#pragma once
#include <cstdint>
#include <vector>

#include "core/dtype.h"
#include "engine/qlinear/q8_act.h"

namespace mcs::engine::qlinear {

// Activations as Q8_K super-blocks (ggml's block_q8_K: f32 d, 256 int8, 16
// int16 sums), one row of K/256 blocks per token: quantize_row_q8_K_ref.
struct Q8KAct {
  int64_t T = 0, K = 0, blocks = 0;
  std::vector<uint8_t> b;  // [T, blocks] blocks of 292 bytes
  void resize(int64_t T_, int64_t K_);
  const uint8_t* row(int64_t t) const { return b.data() + static_cast<size_t>(t * blocks) * 292; }
};
// Tokens [t0, t1) of x[T, K] into a (sized by resize); the reference uses
// the scalar quantizer, the other AVX2 when present (same bytes).
void quantize_q8k(const float* x, Q8KAct& a, int64_t t0, int64_t t1, bool reference);

// Whether `t` has a kernel here, and which activations it takes.
bool kquant_dot_type(DType t);
inline bool kquant_uses_q8_0(DType t) { return t == DType::IQ4_NL; }

struct KQuantCall {
  DType type;
  const uint8_t* w;  // row n at w + n · row_bytes
  int64_t row_bytes;
  const Q8KAct* xk;  // Q8_K activations (all types but IQ4_NL)
  const Q8Act* x0;   // Q8_0 activations (IQ4_NL)
  float* y;          // [T, ldy]
  int64_t ldy;
};

void kquant_rows_ref(const KQuantCall& c, int64_t n0, int64_t n1);
// AVX2 when present, else the reference formulas.
void kquant_rows(const KQuantCall& c, int64_t n0, int64_t n1);

namespace avx2 {
void kquant_rows(const KQuantCall& c, int64_t n0, int64_t n1);
}

}  // namespace mcs::engine::qlinear
