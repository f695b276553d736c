// AVX2 pruning loops: magnitude keys are compared as signed integers (they
// never exceed 0x7fffffff / 0x7fff), 8 F32 or 16 F16/BF16 elements at a time.
// The 2:4 case ranks each element within its group of four with shuffles.
#include <immintrin.h>

#include "prune/prune_kernels.h"

namespace mcs::prune::avx2 {
namespace {

const PruneKernels& portable() { return prune_kernels_portable(); }

inline int popcount(unsigned m) { return __builtin_popcount(m); }

void prune_below(const uint8_t* src, int64_t n, int width, uint32_t kt, uint8_t* dst, int64_t* below, int64_t* equal) {
  int64_t b = 0, e = 0, i = 0;
  if (width == 4) {
    const __m256i abs = _mm256_set1_epi32(0x7fffffff), t = _mm256_set1_epi32(int32_t(kt));
    for (; i + 8 <= n; i += 8) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i * 4));
      const __m256i k = _mm256_and_si256(v, abs);
      const __m256i lt = _mm256_cmpgt_epi32(t, k), eq = _mm256_cmpeq_epi32(k, t);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i * 4), _mm256_andnot_si256(lt, v));
      b += popcount(unsigned(_mm256_movemask_ps(_mm256_castsi256_ps(lt))));
      e += popcount(unsigned(_mm256_movemask_ps(_mm256_castsi256_ps(eq))));
    }
  } else {
    const __m256i abs = _mm256_set1_epi16(0x7fff), t = _mm256_set1_epi16(int16_t(kt));
    for (; i + 16 <= n; i += 16) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i * 2));
      const __m256i k = _mm256_and_si256(v, abs);
      const __m256i lt = _mm256_cmpgt_epi16(t, k), eq = _mm256_cmpeq_epi16(k, t);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i * 2), _mm256_andnot_si256(lt, v));
      b += popcount(unsigned(_mm256_movemask_epi8(lt))) / 2;
      e += popcount(unsigned(_mm256_movemask_epi8(eq))) / 2;
    }
  }
  int64_t tb = 0, te = 0;
  portable().prune_below(src + i * width, n - i, width, kt, dst + i * width, &tb, &te);
  *below = b + tb;
  *equal = e + te;
}

// 2:4 on F32: two groups per vector. For element j, rank = Σ over the other
// three elements i of [k_i > k_j or (k_i == k_j and i < j)], from three
// rotations of each 4-lane group; keep when rank < 2.
void prune_24_f32(const uint8_t* src, int64_t groups, uint8_t* dst, int64_t* zeros) {
  const __m256i abs = _mm256_set1_epi32(0x7fffffff), one = _mm256_set1_epi32(1), two = _mm256_set1_epi32(2);
  const __m256i zero = _mm256_setzero_si256();
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 0, 1, 2, 3);
  int64_t z = 0, g = 0;
  for (; g + 2 <= groups; g += 2) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + g * 16));
    const __m256i k = _mm256_and_si256(v, abs);
    __m256i rank = _mm256_setzero_si256();
    // Rotation r brings element (j + r) mod 4 of the same group next to j.
    const __m256i rot[3] = {_mm256_shuffle_epi32(k, _MM_SHUFFLE(0, 3, 2, 1)), _mm256_shuffle_epi32(k, _MM_SHUFFLE(1, 0, 3, 2)),
                            _mm256_shuffle_epi32(k, _MM_SHUFFLE(2, 1, 0, 3))};
    const __m256i idx[3] = {_mm256_shuffle_epi32(lane, _MM_SHUFFLE(0, 3, 2, 1)), _mm256_shuffle_epi32(lane, _MM_SHUFFLE(1, 0, 3, 2)),
                            _mm256_shuffle_epi32(lane, _MM_SHUFFLE(2, 1, 0, 3))};
    for (int r = 0; r < 3; ++r) {
      const __m256i gt = _mm256_cmpgt_epi32(rot[r], k);
      const __m256i earlier_tie = _mm256_and_si256(_mm256_cmpeq_epi32(rot[r], k), _mm256_cmpgt_epi32(lane, idx[r]));
      rank = _mm256_sub_epi32(rank, _mm256_or_si256(gt, earlier_tie));
    }
    const __m256i drop = _mm256_cmpgt_epi32(_mm256_add_epi32(rank, one), two);  // rank >= 2
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + g * 16), _mm256_andnot_si256(drop, v));
    const __m256i is_zero = _mm256_or_si256(drop, _mm256_cmpeq_epi32(k, zero));
    z += popcount(unsigned(_mm256_movemask_ps(_mm256_castsi256_ps(is_zero))));
  }
  *zeros += z;
  portable().prune_nm(src + g * 16, groups - g, 4, 2, 4, dst + g * 16, zeros);
}

void prune_nm(const uint8_t* src, int64_t groups, int width, int n, int m, uint8_t* dst, int64_t* zeros) {
  if (width == 4 && n == 2 && m == 4) return prune_24_f32(src, groups, dst, zeros);
  portable().prune_nm(src, groups, width, n, m, dst, zeros);
}

const PruneKernels kAvx2 = {prune_below, prune_nm};

}  // namespace

const PruneKernels& prune_kernels() { return kAvx2; }

}  // namespace mcs::prune::avx2
