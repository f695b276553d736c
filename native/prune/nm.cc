#include "prune/nm.h"

#include <algorithm>
#include <atomic>
#include <vector>

#include "cpu/thread_pool.h"
#include "prune/prune_kernels.h"

namespace mcs::prune {

void check_nm(const TensorView& t, const NmSpec& spec) {
  check_float_tensor(t, "N:M pruning");
  const std::string pattern = std::to_string(spec.n) + ":" + std::to_string(spec.m);
  MCS_CHECK(spec.m >= 1 && spec.m <= 64 && spec.n >= 1 && spec.n <= spec.m,
            "N:M pattern " + pattern + " is not valid: need 1 ≤ N ≤ M ≤ 64");
  MCS_CHECK(t.cols() % spec.m == 0, label(t) + ": " + pattern + " sparsity groups " + std::to_string(spec.m) +
                                        " consecutive input columns, but the row length " + std::to_string(t.cols()) +
                                        " is not a multiple of " + std::to_string(spec.m));
}

PruneStats prune_nm(const TensorView& t, const NmSpec& spec, uint8_t* out, const JobContext& ctx) {
  check_nm(t, spec);
  const int width = elem_bytes(t);
  const PruneKernels& k = prune_kernels();
  const int64_t groups = t.numel() / spec.m, per_chunk = std::max<int64_t>(1, (int64_t(1) << 16) / spec.m);
  const int64_t chunks = (groups + per_chunk - 1) / per_chunk;
  std::vector<int64_t> zeros(static_cast<size_t>(chunks), 0);
  std::atomic<int64_t> done{0};
  cpu::parallel_for(size_t(chunks), 1, [&](size_t lo, size_t hi) {
    for (size_t c = lo; c < hi; ++c) {
      ctx.check_cancel();
      const int64_t g0 = int64_t(c) * per_chunk, ng = std::min(per_chunk, groups - g0);
      const int64_t at = g0 * spec.m * width;
      k.prune_nm(t.data + at, ng, width, spec.n, spec.m, out + at, &zeros[c]);
      ctx.progress(double(done.fetch_add(ng) + ng), double(groups), "prune");
    }
  });
  PruneStats st;
  st.numel = t.numel();
  st.pruned = groups * (spec.m - spec.n);
  for (int64_t z : zeros) st.zeros += z;
  return st;
}

}  // namespace mcs::prune
