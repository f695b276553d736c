// LLM.int8() (Dettmers et al. 2022, "8-bit Matrix Multiplication for
// Transformers at Scale", §3): vector-wise int8 quantization with a mixed-
// precision decomposition. Per call, every input feature (column of X) holding
// a value with |x| ≥ threshold in any token is an outlier column: those columns
// are multiplied in floating point with the original weights; the rest go
// through int8: X rows quantized by their absmax, W rows (output channels) by
// theirs, an int8×int8→int32 product, then scaled back by sx·sw/127².
//
// Like bitsandbytes, a token's absmax skips only its own values at or above the
// threshold; rounding is to nearest even; codes are in [-127, 127].
#pragma once
#include <cstdint>

namespace mcs::engine::int8 {

constexpr float kInvScale2 = 1.0f / (127.0f * 127.0f);

// q = round(w·127/absmax) per row; absmax[r] = max |w| of row r (0 → all zero).
void quantize_rows(const float* W, int64_t rows, int64_t K, int8_t* q, float* absmax);
// Activations: values in outlier columns become 0; a token's absmax is the
// largest |x| below `threshold` (all of them when threshold ≤ 0).
void quantize_activations(const float* X, int64_t T, int64_t K, const uint8_t* outlier_col, float threshold,
                          int8_t* q, float* absmax);

// Y[t·ldy + n] = float(Σ_k Xq[t,k]·Wq[n,k]) · (sx[t]·sw[n]·kInvScale2) for n in [n0, n1).
void gemm_ref(const int8_t* Xq, const float* sx, int64_t T, int64_t K, const int8_t* Wq, const float* sw, int64_t n0,
              int64_t n1, float* Y, int64_t ldy);
// Fast path for this CPU; integer sums are exact, so it matches gemm_ref bit for bit.
void gemm(const int8_t* Xq, const float* sx, int64_t T, int64_t K, const int8_t* Wq, const float* sw, int64_t n0,
          int64_t n1, float* Y, int64_t ldy);

namespace avx2 {
void gemm(const int8_t* Xq, const float* sx, int64_t T, int64_t K, const int8_t* Wq, const float* sw, int64_t n0,
          int64_t n1, float* Y, int64_t ldy);
}

// The epilogue both paths share.
inline float dequant(int32_t acc, float sx, float sw) { return float(acc) * (sx * sw * kInvScale2); }

}  // namespace mcs::engine::int8
