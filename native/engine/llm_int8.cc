#include "engine/llm_int8.h"

#include <algorithm>
#include <cmath>

#include "cpu/cpu_features.h"

namespace mcs::engine::int8 {

static inline int8_t code(float v, float inv) {
  // nearbyint rounds half to even (the default mode), as torch.round does.
  const float r = std::nearbyint(v * inv);
  return int8_t(std::clamp(r, -127.0f, 127.0f));
}

void quantize_rows(const float* W, int64_t rows, int64_t K, int8_t* q, float* absmax) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* w = W + r * K;
    float m = 0.0f;
    for (int64_t k = 0; k < K; ++k) m = std::max(m, std::fabs(w[k]));
    absmax[r] = m;
    const float inv = m > 0.0f ? 127.0f / m : 0.0f;
    for (int64_t k = 0; k < K; ++k) q[r * K + k] = code(w[k], inv);
  }
}

void quantize_activations(const float* X, int64_t T, int64_t K, const uint8_t* outlier_col, float threshold,
                          int8_t* q, float* absmax) {
  for (int64_t t = 0; t < T; ++t) {
    const float* x = X + t * K;
    float m = 0.0f;
    for (int64_t k = 0; k < K; ++k) {
      const float a = std::fabs(x[k]);
      if (threshold <= 0.0f || a < threshold) m = std::max(m, a);
    }
    absmax[t] = m;
    const float inv = m > 0.0f ? 127.0f / m : 0.0f;
    for (int64_t k = 0; k < K; ++k) q[t * K + k] = outlier_col && outlier_col[k] ? int8_t(0) : code(x[k], inv);
  }
}

void gemm_ref(const int8_t* Xq, const float* sx, int64_t T, int64_t K, const int8_t* Wq, const float* sw, int64_t n0,
              int64_t n1, float* Y, int64_t ldy) {
  for (int64_t t = 0; t < T; ++t)
    for (int64_t n = n0; n < n1; ++n) {
      int32_t acc = 0;
      for (int64_t k = 0; k < K; ++k) acc += int32_t(Xq[t * K + k]) * int32_t(Wq[n * K + k]);
      Y[t * ldy + n] = dequant(acc, sx[t], sw[n]);
    }
}

void gemm(const int8_t* Xq, const float* sx, int64_t T, int64_t K, const int8_t* Wq, const float* sw, int64_t n0,
          int64_t n1, float* Y, int64_t ldy) {
  if (cpu::use_avx2()) return avx2::gemm(Xq, sx, T, K, Wq, sw, n0, n1, Y, ldy);
  gemm_ref(Xq, sx, T, K, Wq, sw, n0, n1, Y, ldy);
}

}  // namespace mcs::engine::int8
