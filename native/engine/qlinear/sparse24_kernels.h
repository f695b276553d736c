// 2:4 sparse weights in compressed-tensors' sparse-24-bitmask layout, run
// without densifying: each group of 4 inputs has exactly 2 kept weights,
// stored in order in `values` (cols/2 a row) with their positions in a
// bitmask (bit j of a row's byte i ↔ input 8i + j). An output is the sum over
// kept weights of value · x[position]: half the multiplies of the dense row.
#pragma once
#include <cstdint>

#include "engine/matmul.h"

namespace mcs::engine::qlinear {

struct Sparse24 {
  int64_t in = 0, out = 0;
  const uint8_t* values = nullptr;  // [out, in/2] of `vtype`
  WeightType vtype = WeightType::F32;
  const uint8_t* mask = nullptr;    // [out, mask_stride]
  int64_t mask_stride = 0;          // ceil(in/8)

  float value(int64_t n, int64_t j) const;  // kept weight j of row n
};

struct Sparse24Call {
  const Sparse24* w;
  const float* x;  // [T, in]
  int64_t T;
  float* y;        // [T, ldy]
  int64_t ldy;
};

// The positions (0..7) of the 4 kept inputs a valid mask byte selects.
const int32_t* sparse24_positions(uint8_t mask_byte);

// Rows [n0, n1). Reference: products summed in double; fast: AVX2 when
// present (8 values at a time, inputs gathered by permutes), else float.
void sparse24_rows_ref(const Sparse24Call& c, int64_t n0, int64_t n1);
void sparse24_rows(const Sparse24Call& c, int64_t n0, int64_t n1);

namespace avx2 {
void sparse24_rows(const Sparse24Call& c, int64_t n0, int64_t n1);
}

}  // namespace mcs::engine::qlinear
