// Inner loops of pruning on raw 2- or 4-byte elements (see prune_common.h).
// The AVX2 versions write the same bytes and counts as the portable ones.
#pragma once
#include <cstdint>

namespace mcs::prune {

struct PruneKernels {
  // dst = src with every element whose magnitude key is < kt zeroed; counts
  // the elements below kt and equal to it.
  void (*prune_below)(const uint8_t* src, int64_t n, int width, uint32_t kt, uint8_t* dst, int64_t* below,
                      int64_t* equal);
  // N:M over `groups` consecutive groups of m elements: keeps the n largest
  // magnitudes of each group (ties: the earlier element), zeroes the rest;
  // adds the zeros of the output to *zeros.
  void (*prune_nm)(const uint8_t* src, int64_t groups, int width, int n, int m, uint8_t* dst, int64_t* zeros);
};

const PruneKernels& prune_kernels();
const PruneKernels& prune_kernels_portable();

}  // namespace mcs::prune
