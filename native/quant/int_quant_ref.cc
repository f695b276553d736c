// The plain reference for integer quantization: the whole tensor converted
// with the scalar converter, each parameter group gathered, ranges found by
// straightforward loops and sorting, every element through qparams.h. The
// fast path must agree with it (codes and parameters exactly).
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "quant/int_quant.h"
#include "quant/range.h"

namespace mcs::quant {
namespace {

// numpy's linear-interpolation quantile of a sorted vector.
double sorted_quantile(const std::vector<float>& s, double q) {
  const double h = q * double(s.size() - 1);
  const size_t k = std::min(size_t(std::floor(h)), s.size() - 1);
  const double frac = h - double(k);
  if (frac == 0 || k + 1 >= s.size()) return s[k];
  return double(s[k]) + frac * (double(s[k + 1]) - double(s[k]));
}

Range ref_range(const std::vector<float>& v, const IntSpec& spec, const RangeSpec& range) {
  Range mm{v.empty() ? 0.0f : v[0], v.empty() ? 0.0f : v[0]};
  for (float x : v) {
    mm.lo = std::min(mm.lo, x);
    mm.hi = std::max(mm.hi, x);
  }
  if (range.method == RangeMethod::MinMax || v.empty()) return mm;
  if (range.method == RangeMethod::Percentile) {
    const double q = range.percentile / 100.0;
    std::vector<float> s = v;
    if (spec.symmetric) {
      for (float& x : s) x = std::fabs(x);
      std::sort(s.begin(), s.end());
      const float t = static_cast<float>(sorted_quantile(s, q));
      return {-t, t};
    }
    std::sort(s.begin(), s.end());
    return {static_cast<float>(sorted_quantile(s, 1.0 - q)), static_cast<float>(sorted_quantile(s, q))};
  }
  const IntGrid g = int_grid(spec.bits);
  Range best = mm;
  double best_err = INFINITY;
  for (int i = 0; i < range.grid; ++i) {
    const float p = mse_ratio(range, i);
    const QParams qp = compute_qparams(p * mm.lo, p * mm.hi, spec.bits, spec.symmetric, spec.scale_type);
    double err = 0;
    for (float x : v) {
      const float e = x - dequantize_value(quantize_value(x, qp, g), qp);
      err += double(e) * double(e);
    }
    if (err < best_err) {
      best_err = err;
      best = {p * mm.lo, p * mm.hi};
    }
  }
  return best;
}

}  // namespace

ErrorStats quantize_int_ref(const TensorView& t, const IntSpec& spec, const RangeSpec& range, const IntOutputs& out) {
  t.validate();
  const IntLayout l = int_layout(t, spec);
  validate_range(range);
  std::vector<float> x(static_cast<size_t>(l.numel));
  to_f32_ref(t, 0, l.numel, x.data());
  for (int64_t i = 0; i < l.numel; ++i)
    if (!std::isfinite(x[i])) fail_nonfinite(t, i);
  const IntGrid g = int_grid(spec.bits);
  const int64_t group = l.granularity == Granularity::Tensor ? l.numel : l.group_size;
  ErrorStats err;
  for (int64_t u = 0; u < l.num_params; ++u) {
    const std::vector<float> v(x.begin() + u * group, x.begin() + std::min(l.numel, (u + 1) * group));
    const Range r = ref_range(v, spec, range);
    const QParams p = compute_qparams(r.lo, r.hi, spec.bits, spec.symmetric, spec.scale_type);
    out.scales[u] = p.scale;
    out.zero_points[u] = static_cast<int32_t>(p.zero);
    for (size_t i = 0; i < v.size(); ++i) {
      const float q = quantize_value(v[i], p, g);
      out.codes[u * group + int64_t(i)] = static_cast<int8_t>(q);
      const float e = v[i] - dequantize_value(q, p);
      err.count += 1;
      err.sum_sq += double(v[i]) * double(v[i]);
      err.sse += double(e) * double(e);
      err.max_abs = std::max(err.max_abs, std::fabs(e));
      err.clipped += is_clipped(v[i], p);
    }
  }
  return err;
}

void dequantize_int_ref(const IntCodes& in, const IntLayout& l, float* out) {
  for (int64_t i = 0; i < l.numel; ++i) {
    const int64_t pi = param_index(l, i);
    out[i] = dequantize_value(float(in.codes[i]), QParams{in.scales[pi], float(in.zero_points[pi])});
  }
}

}  // namespace mcs::quant
