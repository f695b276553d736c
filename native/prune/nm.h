// Semi-structured N:M sparsity (2:4, 4:8 …) by magnitude along the input
// dimension: in every group of M consecutive weights of a row the N largest
// magnitudes stay (ties: the earlier weight), the others become zero — the
// pattern sparse tensor cores and compressed-tensors' sparse-24 format expect.
#pragma once
#include "core/job.h"
#include "core/tensor.h"
#include "prune/prune_common.h"

namespace mcs::prune {

struct NmSpec {
  int n = 2, m = 4;
};

// Rows must be a multiple of m long; refused with a message otherwise.
void check_nm(const TensorView& t, const NmSpec& spec);
PruneStats prune_nm(const TensorView& t, const NmSpec& spec, uint8_t* out, const JobContext& ctx);
PruneStats prune_nm_ref(const TensorView& t, const NmSpec& spec, uint8_t* out);

}  // namespace mcs::prune
