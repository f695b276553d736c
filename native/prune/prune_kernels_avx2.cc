// AVX2 pruning loops: magnitude keys are compared as signed integers (they
// never exceed 0x7fffffff / 0x7fff), 8 F32 or 16 F16/BF16 elements at a time.
// 2:4 and N:8 rank each element within its group with shuffles / permutes.
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

// N:8 on F32, one group per vector: the same rank with the 7 rotations of the
// group (permutes), the "earlier element" masks being constants per rotation.
void prune_n8_f32(const uint8_t* src, int64_t groups, int n, uint8_t* dst, int64_t* zeros) {
  const __m256i abs = _mm256_set1_epi32(0x7fffffff), zero = _mm256_setzero_si256();
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), keep_below = _mm256_set1_epi32(n);
  __m256i rot[7], earlier[7];
  for (int r = 0; r < 7; ++r) {
    rot[r] = _mm256_and_si256(_mm256_add_epi32(lane, _mm256_set1_epi32(r + 1)), _mm256_set1_epi32(7));
    earlier[r] = _mm256_cmpgt_epi32(lane, rot[r]);  // the rotated element comes first
  }
  int64_t z = 0;
  for (int64_t g = 0; g < groups; ++g) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + g * 32));
    const __m256i k = _mm256_and_si256(v, abs);
    __m256i rank = _mm256_setzero_si256();
    for (int r = 0; r < 7; ++r) {
      const __m256i kr = _mm256_permutevar8x32_epi32(k, rot[r]);
      const __m256i wins = _mm256_or_si256(_mm256_cmpgt_epi32(kr, k), _mm256_and_si256(_mm256_cmpeq_epi32(kr, k), earlier[r]));
      rank = _mm256_sub_epi32(rank, wins);
    }
    const __m256i drop = _mm256_cmpgt_epi32(_mm256_add_epi32(rank, _mm256_set1_epi32(1)), keep_below);  // rank >= n
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + g * 32), _mm256_andnot_si256(drop, v));
    z += popcount(unsigned(_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_or_si256(drop, _mm256_cmpeq_epi32(k, zero))))));
  }
  *zeros += z;
}

void prune_nm(const uint8_t* src, int64_t groups, int width, int n, int m, uint8_t* dst, int64_t* zeros) {
  if (width == 4 && n == 2 && m == 4) return prune_24_f32(src, groups, dst, zeros);
  if (width == 4 && m == 8) return prune_n8_f32(src, groups, n, dst, zeros);
  portable().prune_nm(src, groups, width, n, m, dst, zeros);
}

const PruneKernels kAvx2 = {prune_below, prune_nm};

}  // namespace

const PruneKernels& prune_kernels() { return kAvx2; }

}  // namespace mcs::prune::avx2
