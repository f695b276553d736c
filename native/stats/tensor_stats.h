// Summary statistics of one tensor for the inspector: moments, outlier share,
// zero share, a histogram and per-output-channel absmax. Two passes over memory:
// the first gives min/max/mean/variance (Chan's parallel combination of
// per-segment moments), the second the fourth moment, outliers and histogram.
// Non-finite values are counted and left out of everything else.
#pragma once
#include <cstdint>
#include <vector>

#include "core/job.h"
#include "core/tensor.h"

namespace mcs::stats {

struct StatsOptions {
  int bins = 256;
  double outlier_sigma = 6.0;  // |x - mean| > sigma * std counts as an outlier
  bool per_channel = true;     // absmax of each row (output channel) when rank >= 2
  // Histogram over [range_lo, range_hi] instead of [min, max], so two tensors
  // (before/after quantization) can be overlaid bin for bin. Values outside
  // land in the edge bins.
  bool fixed_range = false;
  double range_lo = 0, range_hi = 0;
};

struct TensorStats {
  int64_t count = 0;      // finite elements
  int64_t nonfinite = 0;  // NaN and ±inf
  int64_t zeros = 0;
  double min = 0, max = 0, absmax = 0;
  double mean = 0, std = 0;  // population std
  double kurtosis = 0;       // Pearson: m4 / m2², 3 for a Gaussian
  double outlier_share = 0;
  double hist_lo = 0, hist_hi = 0;  // histogram covers [min, max] (or the fixed range) in equal bins
  std::vector<uint64_t> histogram;
  std::vector<float> channel_absmax;
};

// Multithreaded, AVX2 where the CPU has it.
TensorStats tensor_stats(const TensorView& t, const StatsOptions& opt, const JobContext& ctx);
// Plain single-threaded scalar reference with double accumulators, for tests.
TensorStats tensor_stats_ref(const TensorView& t, const StatsOptions& opt);

// ---- segment kernels shared by the scalar and AVX2 fast paths ----
struct Moments {  // of the finite values of one segment
  int64_t count = 0, zeros = 0, nonfinite = 0;
  float min = 0, max = 0, absmax = 0;
  double mean = 0, m2 = 0;  // m2 = Σ (x - mean)²
};
struct TailParams {
  float mean, threshold, lo, scale;
  int bins;
};
struct Tail {
  double m4 = 0;
  int64_t outliers = 0;
};

// Bin index as both paths compute it (same float operations → same bins).
inline int histogram_bin(float x, const TailParams& p) {
  const float t = (x - p.lo) * p.scale;
  const int b = static_cast<int>(t);
  return b < 0 ? 0 : (b >= p.bins ? p.bins - 1 : b);
}

Moments segment_moments_scalar(const float* x, int64_t n);
void segment_tail_scalar(const float* x, int64_t n, const TailParams& p, Tail& acc, uint64_t* hist);

}  // namespace mcs::stats
