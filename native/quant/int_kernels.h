// Inner loops of uniform integer quantization over one contiguous span that
// shares one scale and zero point. The portable and AVX2 versions give
// identical codes (same IEEE operations: divide, add, clamp, round half to
// even); only the order of the double-precision error sums differs.
#pragma once
#include <cstdint>

#include "quant/error_stats.h"
#include "quant/qparams.h"

namespace mcs::quant {

struct IntKernels {
  // min and max of x[0..n); false when any value is NaN or ±inf.
  bool (*minmax)(const float* x, int64_t n, float* lo, float* hi);
  // Codes of x and their error (Σw², Σerr², max |err|, clipped count) added to err.
  void (*quantize)(const float* x, int64_t n, QParams p, IntGrid g, int8_t* codes, ErrorStats* err);
  // Σ (x − fake_quant(x))², for the clipping search.
  double (*sse)(const float* x, int64_t n, QParams p, IntGrid g);
  void (*dequantize)(const int8_t* codes, int64_t n, QParams p, float* out);
  // Error of y against x (both already float): adds to err (no clipped count).
  void (*compare)(const float* x, const float* y, int64_t n, ErrorStats* err);
};

// The AVX2 kernels when the CPU has them and SIMD is enabled, else portable.
const IntKernels& int_kernels();
const IntKernels& int_kernels_portable();

}  // namespace mcs::quant
