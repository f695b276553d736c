#include "stats/tensor_stats.h"

#include <algorithm>
#include <cmath>
#include <mutex>

#include "core/error.h"
#include "cpu/cpu_features.h"
#include "cpu/thread_pool.h"

namespace mcs::stats {

namespace avx2 {
Moments segment_moments(const float* x, int64_t n);
void segment_tail(const float* x, int64_t n, const TailParams& p, Tail& acc, uint64_t* hist);
}  // namespace avx2

namespace {

constexpr int64_t kSegment = 16384;  // elements converted and processed at a time (64 KiB)

void validate_options(const StatsOptions& opt) {
  MCS_CHECK(opt.bins >= 1 && opt.bins <= (1 << 20), "bins must be between 1 and 1048576");
  MCS_CHECK(opt.outlier_sigma > 0, "outlier sigma must be positive");
  MCS_CHECK(!opt.fixed_range || (std::isfinite(opt.range_lo) && std::isfinite(opt.range_hi) && opt.range_lo < opt.range_hi),
            "histogram range must be two finite numbers, low < high");
}

// The histogram's span: the data's [min, max], or the caller's fixed range.
void histogram_span(const Moments& m, const StatsOptions& opt, double& lo, double& hi) {
  lo = opt.fixed_range ? opt.range_lo : m.min;
  hi = opt.fixed_range ? opt.range_hi : m.max;
}

// Chan et al. (1979): combine the moments of two disjoint sets.
void combine(Moments& a, const Moments& b) {
  a.zeros += b.zeros;
  a.nonfinite += b.nonfinite;
  if (b.count == 0) return;
  if (a.count == 0) {
    const int64_t z = a.zeros, nf = a.nonfinite;
    a = b;
    a.zeros = z;
    a.nonfinite = nf;
    return;
  }
  const double n = double(a.count) + double(b.count);
  const double delta = b.mean - a.mean;
  a.m2 += b.m2 + delta * delta * double(a.count) * double(b.count) / n;
  a.mean += delta * double(b.count) / n;
  a.count += b.count;
  a.min = std::min(a.min, b.min);
  a.max = std::max(a.max, b.max);
  a.absmax = std::max(a.absmax, b.absmax);
}

// A unit of parallel work: elements [begin, end) of one row.
struct Segment {
  int64_t row, begin, end;
};

std::vector<Segment> split_rows(int64_t rows, int64_t cols) {
  std::vector<Segment> segs;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; c += kSegment)
      segs.push_back({r, r * cols + c, r * cols + std::min(cols, c + kSegment)});
  return segs;
}

TailParams tail_params(const Moments& m, const StatsOptions& opt) {
  TailParams p;
  p.mean = static_cast<float>(m.mean);
  p.bins = opt.bins;
  double lo, hi;
  histogram_span(m, opt, lo, hi);
  p.lo = static_cast<float>(lo);
  const double width = hi - lo;
  p.scale = width > 0 ? static_cast<float>(opt.bins / width) : 0.0f;
  const double var = m.count ? m.m2 / double(m.count) : 0.0;
  p.threshold = static_cast<float>(opt.outlier_sigma * std::sqrt(var));
  return p;
}

TensorStats finish(const Moments& m, const Tail& tail, std::vector<uint64_t> hist, const StatsOptions& opt) {
  TensorStats s;
  s.count = m.count;
  s.nonfinite = m.nonfinite;
  s.zeros = m.zeros;
  s.min = m.min;
  s.max = m.max;
  histogram_span(m, opt, s.hist_lo, s.hist_hi);
  s.absmax = m.absmax;
  s.mean = m.mean;
  s.histogram = std::move(hist);
  if (m.count == 0) return s;
  const double var = m.m2 / double(m.count);
  s.std = std::sqrt(var);
  s.kurtosis = var > 0 ? (tail.m4 / double(m.count)) / (var * var) : 0.0;
  s.outlier_share = double(tail.outliers) / double(m.count);
  return s;
}

}  // namespace

Moments segment_moments_scalar(const float* x, int64_t n) {
  Moments m;
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    if (!std::isfinite(v)) { ++m.nonfinite; continue; }
    if (m.count == 0) m.min = m.max = v;
    m.min = std::min(m.min, v);
    m.max = std::max(m.max, v);
    m.absmax = std::max(m.absmax, std::fabs(v));
    m.zeros += v == 0.0f;
    sum += v;
    ++m.count;
  }
  if (m.count == 0) return m;
  m.mean = sum / double(m.count);
  for (int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(x[i])) continue;
    const double d = double(x[i]) - m.mean;
    m.m2 += d * d;
  }
  return m;
}

void segment_tail_scalar(const float* x, int64_t n, const TailParams& p, Tail& acc, uint64_t* hist) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    if (!std::isfinite(v)) continue;
    const float d = v - p.mean;
    const double d2 = double(d) * double(d);
    acc.m4 += d2 * d2;
    acc.outliers += std::fabs(d) > p.threshold;
    ++hist[histogram_bin(v, p)];
  }
}

TensorStats tensor_stats(const TensorView& t, const StatsOptions& opt, const JobContext& ctx) {
  t.validate();
  validate_options(opt);
  const bool simd = cpu::use_avx2();
  const int64_t rows = t.rows(), cols = t.cols();
  const std::vector<Segment> segs = split_rows(rows, cols);
  const bool per_channel = opt.per_channel && t.shape.size() >= 2;

  // Pass 1: per-segment moments, combined in segment order (deterministic).
  std::vector<Moments> seg_moments(segs.size());
  cpu::parallel_for(segs.size(), 1, [&](size_t lo, size_t hi) {
    std::vector<float> buf(static_cast<size_t>(kSegment));
    for (size_t i = lo; i < hi; ++i) {
      ctx.check_cancel();
      const int64_t n = segs[i].end - segs[i].begin;
      to_f32(t, segs[i].begin, n, buf.data());
      seg_moments[i] = simd ? avx2::segment_moments(buf.data(), n) : segment_moments_scalar(buf.data(), n);
    }
  });
  ctx.progress(1, 2, "statistics");
  Moments total;
  std::vector<float> channel_absmax(per_channel ? static_cast<size_t>(rows) : 0, 0.0f);
  for (size_t i = 0; i < segs.size(); ++i) {
    combine(total, seg_moments[i]);
    if (per_channel) channel_absmax[segs[i].row] = std::max(channel_absmax[segs[i].row], seg_moments[i].absmax);
  }

  // Pass 2: fourth moment per segment, summed in segment order (so the result
  // does not depend on how threads split the work); outlier counts and the
  // histogram are integers, summed per thread.
  const TailParams p = tail_params(total, opt);
  Tail tail;
  std::vector<double> seg_m4(segs.size(), 0.0);
  std::vector<uint64_t> hist(static_cast<size_t>(opt.bins), 0);
  std::mutex mu;
  cpu::parallel_for(segs.size(), 1, [&](size_t lo, size_t hi) {
    std::vector<float> buf(static_cast<size_t>(kSegment));
    std::vector<uint64_t> local_hist(static_cast<size_t>(opt.bins), 0);
    int64_t outliers = 0;
    for (size_t i = lo; i < hi; ++i) {
      ctx.check_cancel();
      const int64_t n = segs[i].end - segs[i].begin;
      to_f32(t, segs[i].begin, n, buf.data());
      Tail seg;
      if (simd) avx2::segment_tail(buf.data(), n, p, seg, local_hist.data());
      else segment_tail_scalar(buf.data(), n, p, seg, local_hist.data());
      seg_m4[i] = seg.m4;
      outliers += seg.outliers;
    }
    std::lock_guard<std::mutex> lock(mu);
    tail.outliers += outliers;
    for (size_t b = 0; b < hist.size(); ++b) hist[b] += local_hist[b];
  });
  for (double m4 : seg_m4) tail.m4 += m4;
  ctx.progress(2, 2, "statistics");
  TensorStats s = finish(total, tail, std::move(hist), opt);
  s.channel_absmax = std::move(channel_absmax);
  return s;
}

TensorStats tensor_stats_ref(const TensorView& t, const StatsOptions& opt) {
  t.validate();
  validate_options(opt);
  const int64_t n = t.numel(), cols = t.cols();
  std::vector<float> x(static_cast<size_t>(n));
  to_f32_ref(t, 0, n, x.data());
  TensorStats s;
  bool first = true;
  double sum = 0;
  for (float v : x) {
    if (!std::isfinite(v)) { ++s.nonfinite; continue; }
    if (first) { s.min = s.max = v; first = false; }
    s.min = std::min<double>(s.min, v);
    s.max = std::max<double>(s.max, v);
    s.absmax = std::max<double>(s.absmax, std::fabs(v));
    s.zeros += v == 0.0f;
    sum += v;
    ++s.count;
  }
  s.histogram.assign(static_cast<size_t>(opt.bins), 0);
  if (opt.per_channel && t.shape.size() >= 2) {
    s.channel_absmax.assign(static_cast<size_t>(t.rows()), 0.0f);
    for (int64_t i = 0; i < n; ++i)
      if (std::isfinite(x[i]))
        s.channel_absmax[i / cols] = std::max(s.channel_absmax[i / cols], std::fabs(x[i]));
  }
  if (s.count == 0) return s;
  s.mean = sum / double(s.count);
  double m2 = 0, m4 = 0;
  for (float v : x) {
    if (!std::isfinite(v)) continue;
    const double d = double(v) - s.mean;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  const double var = m2 / double(s.count);
  s.std = std::sqrt(var);
  s.kurtosis = var > 0 ? (m4 / double(s.count)) / (var * var) : 0.0;
  Moments m;
  m.count = s.count;
  m.mean = s.mean;
  m.m2 = m2;
  m.min = static_cast<float>(s.min);
  m.max = static_cast<float>(s.max);
  const TailParams p = tail_params(m, opt);
  histogram_span(m, opt, s.hist_lo, s.hist_hi);
  int64_t outliers = 0;
  for (float v : x) {
    if (!std::isfinite(v)) continue;
    outliers += std::fabs(v - p.mean) > p.threshold;
    ++s.histogram[histogram_bin(v, p)];
  }
  s.outlier_share = double(outliers) / double(s.count);
  return s;
}

}  // namespace mcs::stats
