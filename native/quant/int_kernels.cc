#include "quant/int_kernels.h"

#include <algorithm>
#include <cmath>

#include "cpu/cpu_features.h"

namespace mcs::quant {

namespace avx2 {
const IntKernels& int_kernels();
}

namespace {

// Plain comparisons instead of fmin/fmax (library calls): callers check
// finiteness, so NaN semantics do not matter here.
inline float min_f(float a, float b) { return b < a ? b : a; }
inline float max_f(float a, float b) { return b > a ? b : a; }
inline float clamp_f(float v, float lo, float hi) { return min_f(max_f(v, lo), hi); }

bool minmax_portable(const float* x, int64_t n, float* lo, float* hi) {
  float a = n ? x[0] : 0.0f, b = a;
  bool finite = true;
  for (int64_t i = 0; i < n; ++i) {
    finite &= std::isfinite(x[i]);
    a = min_f(a, x[i]);
    b = max_f(b, x[i]);
  }
  *lo = a;
  *hi = b;
  return finite;
}

void quantize_portable(const float* x, int64_t n, QParams p, IntGrid g, int8_t* codes, ErrorStats* err) {
  const float qmin = float(g.qmin), qmax = float(g.qmax);
  double sum_sq = 0, sse = 0;
  float max_abs = err->max_abs;
  int64_t clipped = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i] / p.scale + p.zero;
    clipped += is_clipped(x[i], p);
    const float q = round_even(clamp_f(v, qmin, qmax));
    codes[i] = static_cast<int8_t>(q);
    const float e = x[i] - (q - p.zero) * p.scale;
    sum_sq += double(x[i]) * double(x[i]);
    sse += double(e) * double(e);
    max_abs = max_f(max_abs, std::fabs(e));
  }
  err->count += n;
  err->sum_sq += sum_sq;
  err->sse += sse;
  err->max_abs = max_abs;
  err->clipped += clipped;
}

double sse_portable(const float* x, int64_t n, QParams p, IntGrid g) {
  const float qmin = float(g.qmin), qmax = float(g.qmax);
  double sse = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float q = round_even(clamp_f(x[i] / p.scale + p.zero, qmin, qmax));
    const float e = x[i] - (q - p.zero) * p.scale;
    sse += double(e) * double(e);
  }
  return sse;
}

void dequantize_portable(const int8_t* codes, int64_t n, QParams p, float* out) {
  for (int64_t i = 0; i < n; ++i) out[i] = (float(codes[i]) - p.zero) * p.scale;
}

void compare_portable(const float* x, const float* y, int64_t n, ErrorStats* err) {
  double sum_sq = 0, sse = 0;
  float max_abs = err->max_abs;
  for (int64_t i = 0; i < n; ++i) {
    const float e = x[i] - y[i];
    sum_sq += double(x[i]) * double(x[i]);
    sse += double(e) * double(e);
    max_abs = max_f(max_abs, std::fabs(e));
  }
  err->count += n;
  err->sum_sq += sum_sq;
  err->sse += sse;
  err->max_abs = max_abs;
}

const IntKernels kPortable = {minmax_portable, quantize_portable, sse_portable, dequantize_portable, compare_portable};

}  // namespace

const IntKernels& int_kernels_portable() { return kPortable; }

const IntKernels& int_kernels() {
#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
  if (cpu::use_avx2()) return avx2::int_kernels();
#endif
  return kPortable;
}

}  // namespace mcs::quant
