// Range setting for integer quantization: the [lo, hi] a parameter group is
// quantized over (qparams.h turns it into a scale and zero point).
#pragma once
#include <cstdint>
#include <vector>

#include "core/job.h"
#include "core/tensor.h"
#include "quant/int_kernels.h"
#include "quant/int_quant.h"
#include "core/span_reader.h"

namespace mcs::quant {

struct Range {
  float lo = 0, hi = 0;
};

// Clip ratio of MSE candidate i (0 → 1.0, the full range).
inline float mse_ratio(const RangeSpec& r, int i) {
  return r.grid <= 1 ? 1.0f : static_cast<float>(1.0 - double(i) * (1.0 - r.min_ratio) / double(r.grid - 1));
}

// The range of one span opened in `reader` (a group or a row). Throws naming
// the tensor when the span holds NaN or inf. `scratch` is reused between calls.
Range span_range(SpanReader& reader, const TensorView& t, int64_t start, const IntSpec& spec, const RangeSpec& range,
                 const IntKernels& k, std::vector<float>& scratch, const JobContext& ctx);

// The range of the whole tensor (per-tensor granularity), multithreaded.
Range tensor_range(const TensorView& t, const IntSpec& spec, const RangeSpec& range, const IntKernels& k,
                   const JobContext& ctx);

[[noreturn]] void fail_nonfinite(const TensorView& t, int64_t element);

}  // namespace mcs::quant
