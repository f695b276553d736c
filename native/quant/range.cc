#include "quant/range.h"

#include <algorithm>
#include <cmath>

#include "cpu/thread_pool.h"
#include "stats/order_stats.h"

namespace mcs::quant {
namespace {

using stats::ElementSpan;
using stats::OrderKey;
using stats::quantile_inplace;
using stats::quantile_spans;

constexpr int64_t kSelectInline = int64_t(1) << 16;  // larger spans use radix selection

Range percentile_range(const std::vector<ElementSpan>& spans, bool symmetric, double pct, const JobContext& ctx) {
  const double q = pct / 100.0;
  if (symmetric) {
    const float t = static_cast<float>(quantile_spans(spans, OrderKey::Magnitude, q, ctx));
    return {-t, t};
  }
  return {static_cast<float>(quantile_spans(spans, OrderKey::Value, 1.0 - q, ctx)),
          static_cast<float>(quantile_spans(spans, OrderKey::Value, q, ctx))};
}

Range percentile_inline(const float* x, int64_t n, bool symmetric, double pct, std::vector<float>& scratch) {
  const double q = pct / 100.0;
  scratch.resize(static_cast<size_t>(n));
  if (symmetric) {
    for (int64_t i = 0; i < n; ++i) scratch[i] = std::fabs(x[i]);
    const float t = static_cast<float>(quantile_inplace(scratch.data(), n, q));
    return {-t, t};
  }
  std::copy(x, x + n, scratch.begin());
  const float lo = static_cast<float>(quantile_inplace(scratch.data(), n, 1.0 - q));
  const float hi = static_cast<float>(quantile_inplace(scratch.data(), n, q));
  return {lo, hi};
}

}  // namespace

void fail_nonfinite(const TensorView& t, int64_t from) {
  // Error path: find the exact element for the message.
  const int64_t n = t.numel(), cols = std::max<int64_t>(t.cols(), 1);
  std::vector<float> buf(static_cast<size_t>(SpanReader::kSegment));
  int64_t at = -1;
  for (int64_t off = from; off < n && at < 0; off += SpanReader::kSegment) {
    const int64_t len = std::min(SpanReader::kSegment, n - off);
    to_f32(t, off, len, buf.data());
    for (int64_t i = 0; i < len && at < 0; ++i)
      if (!std::isfinite(buf[i])) at = off + i;
  }
  if (at < 0) at = from;
  fail(tensor_label(t) + ": element " + std::to_string(at % cols) + " of row " + std::to_string(at / cols) +
       " is NaN or infinite; quantization needs finite weights");
}

Range span_range(SpanReader& reader, const TensorView& t, int64_t start, const IntSpec& spec, const RangeSpec& range,
                 const IntKernels& k, std::vector<float>& scratch, const JobContext& ctx) {
  Range mm{0, 0};
  bool first = true;
  reader.for_each([&](const float* x, int64_t, int64_t len) {
    float lo, hi;
    if (!k.minmax(x, len, &lo, &hi)) fail_nonfinite(t, start);
    mm.lo = first ? lo : std::min(mm.lo, lo);
    mm.hi = first ? hi : std::max(mm.hi, hi);
    first = false;
  });
  switch (range.method) {
    case RangeMethod::MinMax: return mm;
    case RangeMethod::Percentile:
      if (reader.whole() && reader.size() <= kSelectInline)
        return percentile_inline(reader.data(), reader.size(), spec.symmetric, range.percentile, scratch);
      return percentile_range({{&t, start, reader.size()}}, spec.symmetric, range.percentile, ctx.without_progress());
    case RangeMethod::Mse: break;
  }
  const IntGrid g = int_grid(spec.bits);
  Range best = mm;
  double best_err = INFINITY;
  for (int i = 0; i < range.grid; ++i) {
    const float p = mse_ratio(range, i);
    const Range cand{p * mm.lo, p * mm.hi};
    const QParams qp = compute_qparams(cand.lo, cand.hi, spec.bits, spec.symmetric, spec.scale_type);
    double err = 0;
    reader.for_each([&](const float* x, int64_t, int64_t len) { err += k.sse(x, len, qp, g); });
    if (err < best_err) {
      best_err = err;
      best = cand;
    }
  }
  return best;
}

Range tensor_range(const TensorView& t, const IntSpec& spec, const RangeSpec& range, const IntKernels& k,
                   const JobContext& ctx) {
  const int64_t n = t.numel(), seg = SpanReader::kSegment;
  const size_t nseg = static_cast<size_t>((n + seg - 1) / seg);
  const bool mse = range.method == RangeMethod::Mse;
  // Per segment: min, max, finiteness and (MSE pass) the error of every candidate.
  std::vector<Range> mm(nseg);
  std::vector<char> finite(nseg, 1);
  cpu::parallel_for(nseg, 1, [&](size_t lo, size_t hi) {
    SpanReader r(t);
    for (size_t s = lo; s < hi; ++s) {
      ctx.check_cancel();
      r.open(int64_t(s) * seg, std::min(seg, n - int64_t(s) * seg));
      finite[s] = k.minmax(r.data(), r.size(), &mm[s].lo, &mm[s].hi);
    }
  });
  Range all = nseg ? mm[0] : Range{};
  for (size_t s = 0; s < nseg; ++s) {
    if (!finite[s]) fail_nonfinite(t, int64_t(s) * seg);
    all.lo = std::min(all.lo, mm[s].lo);
    all.hi = std::max(all.hi, mm[s].hi);
  }
  if (range.method == RangeMethod::Percentile && n > 0)
    return percentile_range({{&t, 0, n}}, spec.symmetric, range.percentile, ctx);
  if (!mse || n == 0) return all;

  const IntGrid g = int_grid(spec.bits);
  std::vector<QParams> cands(static_cast<size_t>(range.grid));
  for (int i = 0; i < range.grid; ++i) {
    const float p = mse_ratio(range, i);
    cands[i] = compute_qparams(p * all.lo, p * all.hi, spec.bits, spec.symmetric, spec.scale_type);
  }
  std::vector<double> err(nseg * cands.size(), 0.0);
  cpu::parallel_for(nseg, 1, [&](size_t lo, size_t hi) {
    SpanReader r(t);
    for (size_t s = lo; s < hi; ++s) {
      ctx.check_cancel();
      r.open(int64_t(s) * seg, std::min(seg, n - int64_t(s) * seg));
      for (size_t i = 0; i < cands.size(); ++i) err[s * cands.size() + i] = k.sse(r.data(), r.size(), cands[i], g);
    }
  });
  int best = 0;
  double best_err = INFINITY;
  for (size_t i = 0; i < cands.size(); ++i) {
    double e = 0;
    for (size_t s = 0; s < nseg; ++s) e += err[s * cands.size() + i];  // segment order: deterministic
    if (e < best_err) {
      best_err = e;
      best = int(i);
    }
  }
  const float p = mse_ratio(range, best);
  return {p * all.lo, p * all.hi};
}

}  // namespace mcs::quant
