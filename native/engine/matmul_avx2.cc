// AVX2/FMA/F16C matmul: register tiles of R weight rows × C tokens, each
// output element in its own 8-lane FMA accumulator (see matmul.h for why).
#include <immintrin.h>

#include <algorithm>
#include <vector>

#include "engine/matmul.h"
#include "cpu/simd_avx2.h"

namespace mcs::engine::avx2 {
namespace {

using cpu::avx2::hsum8;

template <WeightType WT>
inline __m256 load8(const uint8_t* w, int64_t i) {
  if constexpr (WT == WeightType::F32) {
    return _mm256_loadu_ps(reinterpret_cast<const float*>(w) + i);
  } else if constexpr (WT == WeightType::F16) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + 2 * i)));
  } else {
    const __m256i u = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + 2 * i)));
    return _mm256_castsi256_ps(_mm256_slli_epi32(u, 16));
  }
}

template <WeightType WT>
inline float load1(const uint8_t* w, int64_t i) {
  if constexpr (WT == WeightType::F32) {
    float f;
    __builtin_memcpy(&f, w + 4 * i, 4);
    return f;
  } else {
    uint16_t h;
    __builtin_memcpy(&h, w + 2 * i, 2);
    if constexpr (WT == WeightType::F16) return _cvtsh_ss(h);
    const uint32_t u = uint32_t(h) << 16;
    float f;
    __builtin_memcpy(&f, &u, 4);
    return f;
  }
}

// Y[t + c, n + r] for r < R, c < C.
template <WeightType WT, int R, int C>
inline void tile(const float* X, int64_t K, const uint8_t* W, int64_t n, int64_t t, float* Y, int64_t ldy) {
  __m256 acc[R][C];
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) acc[r][c] = _mm256_setzero_ps();
  const int64_t K8 = K & ~int64_t(7);
  for (int64_t k = 0; k < K8; k += 8) {
    __m256 x[C];
    for (int c = 0; c < C; ++c) x[c] = _mm256_loadu_ps(X + (t + c) * K + k);
    for (int r = 0; r < R; ++r) {
      const __m256 w = load8<WT>(W, (n + r) * K + k);
      for (int c = 0; c < C; ++c) acc[r][c] = _mm256_fmadd_ps(x[c], w, acc[r][c]);
    }
  }
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) {
      float s = hsum8(acc[r][c]);
      for (int64_t k = K8; k < K; ++k) s += X[(t + c) * K + k] * load1<WT>(W, (n + r) * K + k);
      Y[(t + c) * ldy + n + r] = s;
    }
}

// Part of a tile over k in [k0, k1) (multiples of 8, k1 ≤ K8): the 8-lane
// partial sums live in `acc` between k blocks, so the per-lane order of the
// FMAs is the one `tile` uses and the results are bit-identical to it.
template <WeightType WT, int R, int C>
inline void tile_part(const float* X, int64_t K, const uint8_t* W, int64_t n, int64_t t, int64_t k0, int64_t k1,
                      float* acc, int64_t acc_ld, bool last, float* Y, int64_t ldy) {
  __m256 a[R][C];
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c)
      a[r][c] = k0 == 0 ? _mm256_setzero_ps() : _mm256_loadu_ps(acc + (c * acc_ld + r) * 8);
  for (int64_t k = k0; k < k1; k += 8) {
    __m256 x[C];
    for (int c = 0; c < C; ++c) x[c] = _mm256_loadu_ps(X + (t + c) * K + k);
    for (int r = 0; r < R; ++r) {
      const __m256 w = load8<WT>(W, (n + r) * K + k);
      for (int c = 0; c < C; ++c) a[r][c] = _mm256_fmadd_ps(x[c], w, a[r][c]);
    }
  }
  const int64_t K8 = K & ~int64_t(7);
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) {
      if (!last) {
        _mm256_storeu_ps(acc + (c * acc_ld + r) * 8, a[r][c]);
        continue;
      }
      float s = hsum8(a[r][c]);
      for (int64_t k = K8; k < K; ++k) s += X[(t + c) * K + k] * load1<WT>(W, (n + r) * K + k);
      Y[(t + c) * ldy + n + r] = s;
    }
}

// Tokens [t0, t1) × rows [nb0, nb1) × k [k0, k1): register tiles of R rows × 3 tokens.
template <WeightType WT, int R>
inline void rows_part(const float* X, int64_t K, const uint8_t* W, int64_t n, int64_t t0, int64_t t1, int64_t k0,
                      int64_t k1, float* acc, int64_t acc_ld, bool last, float* Y, int64_t ldy) {
  int64_t t = t0;
  for (; t + 3 <= t1; t += 3) tile_part<WT, R, 3>(X, K, W, n, t, k0, k1, acc + (t - t0) * acc_ld * 8, acc_ld, last, Y, ldy);
  if (t1 - t == 2) tile_part<WT, R, 2>(X, K, W, n, t, k0, k1, acc + (t - t0) * acc_ld * 8, acc_ld, last, Y, ldy);
  else if (t1 - t == 1) tile_part<WT, R, 1>(X, K, W, n, t, k0, k1, acc + (t - t0) * acc_ld * 8, acc_ld, last, Y, ldy);
}

template <WeightType WT>
void run(const float* X, int64_t T, int64_t K, const void* Wv, int64_t n0, int64_t n1, float* Y, int64_t ldy) {
  const uint8_t* W = static_cast<const uint8_t*>(Wv);
  if (T == 1) {
    // Generation: one token, memory bound; 8 rows give 8 independent FMA chains.
    int64_t n = n0;
    for (; n + 8 <= n1; n += 8) tile<WT, 8, 1>(X, K, W, n, 0, Y, ldy);
    for (; n < n1; ++n) tile<WT, 1, 1>(X, K, W, n, 0, Y, ldy);
    return;
  }
  // Blocks of 48 tokens × 64 rows × 256 k: the tile's rows and tokens stay in
  // L1 over its k block, the block's weights and activations in L2.
  constexpr int64_t kTB = 48, kNB = 64, kKC = 256;
  thread_local std::vector<float> acc_buf;
  if (acc_buf.size() < size_t(kTB * kNB * 8)) acc_buf.resize(size_t(kTB * kNB * 8));
  float* acc = acc_buf.data();
  const int64_t K8 = K & ~int64_t(7);
  for (int64_t t0 = 0; t0 < T; t0 += kTB) {
    const int64_t t1 = std::min(T, t0 + kTB);
    for (int64_t nb0 = n0; nb0 < n1; nb0 += kNB) {
      const int64_t nb1 = std::min(n1, nb0 + kNB);
      int64_t k0 = 0;
      do {
        const int64_t k1 = std::min(K8, k0 + kKC);
        const bool last = k1 == K8;
        int64_t n = nb0;
        for (; n + 4 <= nb1; n += 4) rows_part<WT, 4>(X, K, W, n, t0, t1, k0, k1, acc + (n - nb0) * 8, kNB, last, Y, ldy);
        for (; n < nb1; ++n) rows_part<WT, 1>(X, K, W, n, t0, t1, k0, k1, acc + (n - nb0) * 8, kNB, last, Y, ldy);
        k0 = k1;
      } while (k0 < K8);
    }
  }
}

}  // namespace

void matmul(const float* X, int64_t T, int64_t K, const void* W, WeightType wt, int64_t n0, int64_t n1, float* Y,
            int64_t ldy) {
  switch (wt) {
    case WeightType::F32: return run<WeightType::F32>(X, T, K, W, n0, n1, Y, ldy);
    case WeightType::F16: return run<WeightType::F16>(X, T, K, W, n0, n1, Y, ldy);
    case WeightType::BF16: return run<WeightType::BF16>(X, T, K, W, n0, n1, Y, ldy);
  }
}

void widen_rows(const void* Wv, WeightType wt, int64_t K, int64_t n0, int64_t n1, float* out) {
  const uint8_t* W = static_cast<const uint8_t*>(Wv);
  const int64_t n = (n1 - n0) * K, base = n0 * K;
  int64_t i = 0;
  switch (wt) {
    case WeightType::F32:
      __builtin_memcpy(out, W + 4 * base, size_t(n) * 4);
      return;
    case WeightType::F16:
      for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, load8<WeightType::F16>(W, base + i));
      for (; i < n; ++i) out[i] = load1<WeightType::F16>(W, base + i);
      return;
    case WeightType::BF16:
      for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, load8<WeightType::BF16>(W, base + i));
      for (; i < n; ++i) out[i] = load1<WeightType::BF16>(W, base + i);
      return;
  }
}

float dot_f32(const float* a, const float* b, int64_t n) {
  __m256 acc = _mm256_setzero_ps();
  const int64_t n8 = n & ~int64_t(7);
  for (int64_t k = 0; k < n8; k += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(a + k), _mm256_loadu_ps(b + k), acc);
  float s = hsum8(acc);
  for (int64_t k = n8; k < n; ++k) s += a[k] * b[k];
  return s;
}

void axpy_f32(float a, const float* x, float* y, int64_t n) {
  const __m256 va = _mm256_set1_ps(a);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
  for (; i < n; ++i) y[i] += a * x[i];
}

}  // namespace mcs::engine::avx2
