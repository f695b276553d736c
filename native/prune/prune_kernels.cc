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

void prune_nm_portable(const uint8_t* src, int64_t groups, int width, int n, int m, uint8_t* dst, int64_t* zeros) {
  std::memcpy(dst, src, size_t(groups * m) * size_t(width));
  uint32_t key[64];
  int64_t z = 0;
  for (int64_t g = 0; g < groups; ++g) {
    const int64_t base = g * m;
    for (int j = 0; j < m; ++j) key[j] = key_at(src, base + j, width);
    for (int j = 0; j < m; ++j) {
      int rank = 0;  // elements that win over j: larger, or equal and earlier
      for (int i = 0; i < m; ++i) rank += key[i] > key[j] || (key[i] == key[j] && i < j);
      if (rank >= n) zero_at(dst, base + j, width);
      z += rank >= n || key[j] == 0;
    }
  }
  *zeros += z;
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
