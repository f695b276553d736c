#include "engine/matmul.h"

#include <cstring>
#include <vector>

#include "core/fp16.h"
#include "cpu/cpu_features.h"

namespace mcs::engine {
namespace {

inline float load_w(const void* W, WeightType wt, int64_t i) {
  switch (wt) {
    case WeightType::F32: { float f; std::memcpy(&f, static_cast<const uint8_t*>(W) + 4 * i, 4); return f; }
    case WeightType::F16: { uint16_t h; std::memcpy(&h, static_cast<const uint8_t*>(W) + 2 * i, 2); return f16_to_f32(h); }
    case WeightType::BF16: { uint16_t h; std::memcpy(&h, static_cast<const uint8_t*>(W) + 2 * i, 2); return bf16_to_f32(h); }
  }
  return 0.0f;
}

// 8 independent lanes then a fixed pairwise sum (the AVX2 order, minus FMA).
inline float dot8(const float* x, const float* w, int64_t K) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t k = 0;
  for (; k + 8 <= K; k += 8)
    for (int j = 0; j < 8; ++j) acc[j] += x[k + j] * w[k + j];
  float s = ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
  for (; k < K; ++k) s += x[k] * w[k];
  return s;
}

}  // namespace

void matmul_ref(const float* X, int64_t T, int64_t K, const void* W, WeightType wt, int64_t n0, int64_t n1, float* Y,
                int64_t ldy) {
  for (int64_t t = 0; t < T; ++t)
    for (int64_t n = n0; n < n1; ++n) {
      double s = 0;
      for (int64_t k = 0; k < K; ++k) s += double(X[t * K + k]) * double(load_w(W, wt, n * K + k));
      Y[t * ldy + n] = float(s);
    }
}

void widen_rows(const void* W, WeightType wt, int64_t K, int64_t n0, int64_t n1, float* out) {
  if (cpu::use_avx2()) return avx2::widen_rows(W, wt, K, n0, n1, out);
  for (int64_t i = 0; i < (n1 - n0) * K; ++i) out[i] = load_w(W, wt, n0 * K + i);
}

namespace portable {

float dot_f32(const float* a, const float* b, int64_t n) { return dot8(a, b, n); }

void matmul(const float* X, int64_t T, int64_t K, const void* W, WeightType wt, int64_t n0, int64_t n1, float* Y,
            int64_t ldy) {
  // One weight row at a time (widened once when not aligned F32), reused by every token.
  thread_local std::vector<float> row;
  const bool direct = wt == WeightType::F32 && reinterpret_cast<uintptr_t>(W) % alignof(float) == 0;
  if (!direct && int64_t(row.size()) < K) row.resize(size_t(K));
  for (int64_t n = n0; n < n1; ++n) {
    const float* w = direct ? static_cast<const float*>(W) + n * K : row.data();
    if (!direct)
      for (int64_t k = 0; k < K; ++k) row[size_t(k)] = load_w(W, wt, n * K + k);
    for (int64_t t = 0; t < T; ++t) Y[t * ldy + n] = dot8(X + t * K, w, K);
  }
}

}  // namespace portable

void matmul(const float* X, int64_t T, int64_t K, const void* W, WeightType wt, int64_t n0, int64_t n1, float* Y,
            int64_t ldy) {
  if (cpu::use_avx2()) return avx2::matmul(X, T, K, W, wt, n0, n1, Y, ldy);
  portable::matmul(X, T, K, W, wt, n0, n1, Y, ldy);
}

float dot_f32(const float* a, const float* b, int64_t n) {
  if (cpu::use_avx2()) return avx2::dot_f32(a, b, n);
  return dot8(a, b, n);
}

void axpy_f32(float a, const float* x, float* y, int64_t n) {
  if (cpu::use_avx2()) return avx2::axpy_f32(a, x, y, n);
  for (int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}

}  // namespace mcs::engine
