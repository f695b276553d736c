// Unstructured magnitude pruning to a target sparsity, per tensor or global
// (one threshold across several tensors). Exact: the ⌊s·N⌋ smallest
// magnitudes are pruned — every weight below the threshold, and of the weights
// equal to it the first ones in order (tensor order, then row-major) until the
// count is reached — found by radix selection over all the tensors' magnitudes
// (quant/order_stats.h), without sorting or copying them.
#pragma once
#include <cstdint>
#include <vector>

#include "core/job.h"
#include "core/tensor.h"
#include "prune/prune_common.h"

namespace mcs::prune {

struct MagnitudeThreshold {
  int64_t total = 0;    // elements over all tensors
  int64_t target = 0;   // ⌊sparsity · total⌋ to prune
  float threshold = 0;  // magnitude of the target-th smallest
  int64_t ties = 0;     // how many elements equal to the threshold to prune (in order)
};

MagnitudeThreshold magnitude_threshold(const std::vector<const TensorView*>& tensors, double sparsity,
                                       const JobContext& ctx);

// Writes t's bytes into out (same dtype and size) with every |w| < threshold
// zeroed and, of the elements equal to it, the first `ties`. Returns how many
// ties it used in `*ties_used` so global pruning can hand the rest to the next
// tensor.
PruneStats apply_magnitude(const TensorView& t, float threshold, int64_t ties, uint8_t* out, int64_t* ties_used,
                           const JobContext& ctx);
PruneStats apply_magnitude_ref(const TensorView& t, float threshold, int64_t ties, uint8_t* out, int64_t* ties_used);

}  // namespace mcs::prune
