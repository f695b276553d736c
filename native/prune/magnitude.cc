#include "prune/magnitude.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "cpu/thread_pool.h"
#include "prune/prune_kernels.h"
#include "stats/order_stats.h"

namespace mcs::prune {
namespace {
constexpr int64_t kChunk = int64_t(1) << 16;
}

MagnitudeThreshold magnitude_threshold(const std::vector<const TensorView*>& tensors, double sparsity,
                                       const JobContext& ctx) {
  MCS_CHECK(sparsity >= 0 && sparsity <= 1, "sparsity must be between 0 and 1, got " + std::to_string(sparsity));
  std::vector<stats::ElementSpan> spans;
  MagnitudeThreshold r;
  for (const TensorView* t : tensors) {
    check_float_tensor(*t, "magnitude pruning");
    spans.push_back({t, 0, t->numel()});
    r.total += t->numel();
  }
  r.target = static_cast<int64_t>(std::floor(sparsity * double(r.total)));
  if (r.target == 0) return r;  // threshold 0, no ties: nothing is below it
  const stats::KthResult k = stats::select_kth(spans, stats::OrderKey::Magnitude, r.target - 1, ctx);
  r.threshold = k.value;
  r.ties = r.target - k.less;
  return r;
}

PruneStats apply_magnitude(const TensorView& t, float threshold, int64_t ties, uint8_t* out, int64_t* ties_used,
                           const JobContext& ctx) {
  check_float_tensor(t, "magnitude pruning");
  MCS_CHECK(ties >= 0, "ties must not be negative");
  const int width = elem_bytes(t);
  const ThresholdKey tk = threshold_key(threshold, t.dtype);
  const uint32_t kt = tk.key;
  if (!tk.exact) ties = 0;  // nothing in this tensor equals the threshold
  const PruneKernels& k = prune_kernels();
  const int64_t n = t.numel(), chunks = (n + kChunk - 1) / kChunk;
  std::vector<int64_t> below(static_cast<size_t>(chunks)), equal(static_cast<size_t>(chunks));
  // Pass 1: copy, zero everything below the threshold, count what equals it.
  cpu::parallel_for(size_t(chunks), 1, [&](size_t lo, size_t hi) {
    for (size_t c = lo; c < hi; ++c) {
      ctx.check_cancel();
      const int64_t s = int64_t(c) * kChunk, len = std::min(kChunk, n - s);
      k.prune_below(t.data + s * width, len, width, kt, out + s * width, &below[c], &equal[c]);
    }
  });
  ctx.progress(1, 2, "prune");
  // Pass 2: the ties, in order, in the few chunks that hold them.
  int64_t left = ties, eq_total = 0, less = 0;
  for (int64_t c = 0; c < chunks; ++c) {
    less += below[c];
    eq_total += equal[c];
    if (left == 0 || equal[c] == 0) continue;
    const int64_t s = c * kChunk, len = std::min(kChunk, n - s), take = std::min(left, equal[c]);
    int64_t taken = 0;
    for (int64_t i = 0; i < len && taken < take; ++i)
      if (key_at(t.data + s * width, i, width) == kt) {
        zero_at(out + s * width, i, width);
        ++taken;
      }
    left -= take;
  }
  ctx.progress(2, 2, "prune");
  PruneStats st;
  st.numel = n;
  *ties_used = ties - left;
  st.pruned = less + *ties_used;
  // Below a positive threshold lie all the zeros, pruned with the rest (and the
  // pruned ties are not zero); with threshold 0 the elements equal to it are the zeros.
  st.zeros = kt > 0 ? st.pruned : eq_total;
  return st;
}

}  // namespace mcs::prune
