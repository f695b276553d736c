#include "prune/prune_kernels.h"

#include <cstring>

#include "cpu/cpu_features.h"
#include "prune/prune_common.h"

namespace mcs::prune {

namespace avx2 {
const PruneKernels& prune_kernels();
}

namespace {

void prune_below_portable(const uint8_t* src, int64_t n, int width, uint32_t kt, uint8_t* dst, int64_t* below,
                          int64_t* equal) {
  std::memcpy(dst, src, size_t(n) * size_t(width));
  int64_t b = 0, e = 0;
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t k = key_at(src, i, width);
    if (k < kt) {
      zero_at(dst, i, width);
      ++b;
    }
    e += k == kt;
  }
  *below = b;
  *equal = e;
}

// Elements as unsigned integers of their width; the magnitude key masks the sign.
template <typename U>
void prune_nm_typed(const uint8_t* src, int64_t groups, int n, int m, uint8_t* dst, int64_t* zeros) {
  constexpr U kAbs = U(~U(0)) >> 1;
  U key[64], v[64];
  int64_t z = 0;
  for (int64_t g = 0; g < groups; ++g) {
    std::memcpy(v, src + size_t(g * m) * sizeof(U), size_t(m) * sizeof(U));
    for (int j = 0; j < m; ++j) key[j] = v[j] & kAbs;
    // Branch-free: random weights make every comparison unpredictable.
    for (int j = 0; j < m; ++j) {
      int rank = 0;  // elements that win over j: larger, or equal and earlier
      for (int i = 0; i < m; ++i) rank += int(key[i] > key[j]) | (int(key[i] == key[j]) & int(i < j));
      const U drop = U(rank >= n);
      z += int64_t(drop | U(key[j] == 0));
      v[j] &= U(drop - 1);  // all ones when kept, zero when dropped
    }
    std::memcpy(dst + size_t(g * m) * sizeof(U), v, size_t(m) * sizeof(U));
  }
  *zeros += z;
}

void prune_nm_portable(const uint8_t* src, int64_t groups, int width, int n, int m, uint8_t* dst, int64_t* zeros) {
  if (width == 4) prune_nm_typed<uint32_t>(src, groups, n, m, dst, zeros);
  else prune_nm_typed<uint16_t>(src, groups, n, m, dst, zeros);
}

const PruneKernels kPortable = {prune_below_portable, prune_nm_portable};

}  // namespace

const PruneKernels& prune_kernels_portable() { return kPortable; }

const PruneKernels& prune_kernels() {
#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
  if (cpu::use_avx2()) return avx2::prune_kernels();
#endif
  return kPortable;
}

}  // namespace mcs::prune
