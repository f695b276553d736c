// Dense matrix products for linear layers: Y[t, n] = Σ_k X[t, k]·W[n, k] with
// W stored row by row ([out, in]) as F32, F16 or BF16. One call covers the
// rows [n0, n1) for every token; DenseLinear splits rows across threads.
//
// Every fast path accumulates each output element the same way whatever the
// tile it falls in (8 lanes over k, a fixed horizontal sum, then the tail in
// order), so a token's result does not depend on T, the row split or the
// thread count — a prompt processed at once and token by token agree exactly.
#pragma once
#include <cstdint>

namespace mcs::engine {

enum class WeightType { F32, F16, BF16 };

inline int weight_type_size(WeightType wt) { return wt == WeightType::F32 ? 4 : 2; }

// Scalar reference: double accumulation, plain loops.
void matmul_ref(const float* X, int64_t T, int64_t K, const void* W, WeightType wt, int64_t n0, int64_t n1, float* Y,
                int64_t ldy);
// Fast path for this CPU (AVX2/FMA/F16C when present, else a portable blocked
// version). Half-precision weights are widened in registers.
void matmul(const float* X, int64_t T, int64_t K, const void* W, WeightType wt, int64_t n0, int64_t n1, float* Y,
            int64_t ldy);
// Widens rows [n0, n1) of W to F32 (exact), `out` holds (n1 - n0)·K floats.
void widen_rows(const void* W, WeightType wt, int64_t K, int64_t n0, int64_t n1, float* out);

// Dot product of n floats (attention scores): the same order as matmul uses.
float dot_f32(const float* a, const float* b, int64_t n);
// y += a·x over n floats.
void axpy_f32(float a, const float* x, float* y, int64_t n);

namespace portable {
void matmul(const float* X, int64_t T, int64_t K, const void* W, WeightType wt, int64_t n0, int64_t n1, float* Y,
            int64_t ldy);
float dot_f32(const float* a, const float* b, int64_t n);
}  // namespace portable

namespace avx2 {
void matmul(const float* X, int64_t T, int64_t K, const void* W, WeightType wt, int64_t n0, int64_t n1, float* Y,
            int64_t ldy);
void widen_rows(const void* W, WeightType wt, int64_t K, int64_t n0, int64_t n1, float* out);
float dot_f32(const float* a, const float* b, int64_t n);
void axpy_f32(float a, const float* x, float* y, int64_t n);
}  // namespace avx2

}  // namespace mcs::engine
