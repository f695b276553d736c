#include "quant/compare.h"

#include <algorithm>
#include <vector>

#include "core/error.h"
#include "cpu/thread_pool.h"
#include "quant/int_kernels.h"
#include "quant/int_quant.h"
#include "core/span_reader.h"

namespace mcs::quant {

static bool is_float(DType d) { return d == DType::F32 || d == DType::F16 || d == DType::BF16; }

void check_comparable(const TensorView& a, const TensorView& b) {
  a.validate();
  b.validate();
  MCS_CHECK(is_float(a.dtype) && is_float(b.dtype), "quantization error compares F32, F16 or BF16 tensors");
  MCS_CHECK(a.numel() == b.numel(), tensor_label(a) + " has " + std::to_string(a.numel()) + " elements but " +
                                        tensor_label(b) + " has " + std::to_string(b.numel()));
}

ErrorStats compare_tensors(const TensorView& a, const TensorView& b, const JobContext& ctx) {
  check_comparable(a, b);
  const IntKernels& k = int_kernels();
  const int64_t n = a.numel(), seg = SpanReader::kSegment;
  const size_t nseg = static_cast<size_t>((n + seg - 1) / seg);
  std::vector<ErrorStats> parts(nseg);
  cpu::parallel_for(nseg, 4, [&](size_t lo, size_t hi) {
    SpanReader ra(a), rb(b);
    for (size_t s = lo; s < hi; ++s) {
      ctx.check_cancel();
      const int64_t start = int64_t(s) * seg, len = std::min(seg, n - start);
      ra.open(start, len);
      rb.open(start, len);
      k.compare(ra.data(), rb.data(), len, &parts[s]);
    }
  });
  ErrorStats total;
  for (const ErrorStats& p : parts) total.merge(p);
  return total;
}

}  // namespace mcs::quant
