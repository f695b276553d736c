#include "stats/order_stats.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cmath>
#include <cstdint>
#include <mutex>

#include "core/error.h"
#include "cpu/thread_pool.h"
#include "core/span_reader.h"

namespace mcs::stats {
namespace {

constexpr int64_t kChunk = int64_t(1) << 18;  // elements per parallel work item
constexpr size_t kBins = size_t(1) << 16;

std::vector<ElementSpan> split(const std::vector<ElementSpan>& spans) {
  std::vector<ElementSpan> out;
  for (const ElementSpan& s : spans)
    for (int64_t off = 0; off < s.n; off += kChunk) out.push_back({s.t, s.start + off, std::min(kChunk, s.n - off)});
  return out;
}

// Histogram of (key >> shift) & 0xffff over elements whose key >> 16 == prefix
// (every element when prefix < 0). Counts are integers: the sum does not depend
// on how the work was split, so the result is deterministic.
std::vector<uint64_t> histogram(const std::vector<ElementSpan>& chunks, OrderKey key, int shift, int64_t prefix,
                                const JobContext& ctx, const char* stage) {
  std::vector<uint64_t> hist(kBins, 0);
  std::mutex mu;
  std::atomic<size_t> done{0};
  cpu::parallel_for(chunks.size(), 1, [&](size_t lo, size_t hi) {
    // 32-bit local counts (half the cache footprint), flushed before they could overflow.
    std::vector<uint32_t> local(kBins, 0);
    std::vector<uint64_t> wide(kBins, 0);
    int64_t pending = 0;
    auto flush = [&] {
      for (size_t b = 0; b < kBins; ++b) wide[b] += local[b];
      std::fill(local.begin(), local.end(), 0u);
      pending = 0;
    };
    for (size_t c = lo; c < hi; ++c) {
      ctx.check_cancel();
      ctx.progress(double(done.fetch_add(1)), double(chunks.size()), stage);
      if (pending + chunks[c].n > int64_t(UINT32_MAX)) flush();
      pending += chunks[c].n;
      SpanReader r(*chunks[c].t);
      r.open(chunks[c].start, chunks[c].n);
      r.for_each([&](const float* x, int64_t, int64_t len) {
        if (prefix < 0) {
          for (int64_t i = 0; i < len; ++i) ++local[order_key(x[i], key) >> shift];
        } else {
          const uint32_t want = static_cast<uint32_t>(prefix);
          for (int64_t i = 0; i < len; ++i) {
            const uint32_t k = order_key(x[i], key);
            local[k & 0xffffu] += (k >> 16) == want;  // branch-free: most elements miss
          }
        }
      });
    }
    flush();
    std::lock_guard<std::mutex> lock(mu);
    for (size_t b = 0; b < kBins; ++b) hist[b] += wide[b];
  });
  return hist;
}

// Bin holding rank k; *below = elements in earlier bins.
size_t find_bin(const std::vector<uint64_t>& hist, int64_t k, int64_t* below) {
  int64_t acc = 0;
  for (size_t b = 0; b < hist.size(); ++b) {
    if (acc + int64_t(hist[b]) > k) {
      *below = acc;
      return b;
    }
    acc += int64_t(hist[b]);
  }
  throw Error(ErrorCode::Internal, "order statistic: rank beyond the element count");
}

}  // namespace

KthResult select_kth(const std::vector<ElementSpan>& spans, OrderKey key, int64_t k, const JobContext& ctx) {
  int64_t total = 0;
  for (const ElementSpan& s : spans) total += s.n;
  MCS_CHECK(k >= 0 && k < total, "order statistic: rank " + std::to_string(k) + " outside 0.." + std::to_string(total - 1));
  const std::vector<ElementSpan> chunks = split(spans);
  int64_t below_hi = 0, below_lo = 0;
  const size_t hi_bin = find_bin(histogram(chunks, key, 16, -1, ctx, "select 1/2"), k, &below_hi);
  const std::vector<uint64_t> low = histogram(chunks, key, 0, int64_t(hi_bin), ctx, "select 2/2");
  const size_t lo_bin = find_bin(low, k - below_hi, &below_lo);
  KthResult r;
  r.value = key_value(uint32_t(hi_bin << 16 | lo_bin), key);
  r.less = below_hi + below_lo;
  r.equal = int64_t(low[lo_bin]);
  return r;
}

double quantile_spans(const std::vector<ElementSpan>& spans, OrderKey key, double q, const JobContext& ctx) {
  int64_t total = 0;
  for (const ElementSpan& s : spans) total += s.n;
  MCS_CHECK(total > 0, "quantile of an empty tensor");
  const double h = q * double(total - 1);
  const int64_t k = std::min<int64_t>(int64_t(std::floor(h)), total - 1);
  const double frac = h - double(k);
  const KthResult a = select_kth(spans, key, k, ctx);
  if (frac == 0.0 || k + 1 >= total) return a.value;
  const double b = (k + 1 < a.less + a.equal) ? a.value : select_kth(spans, key, k + 1, ctx).value;
  return double(a.value) + frac * (b - double(a.value));
}

namespace {

// The m largest values of v, ascending (one pass; m small). Percentiles near
// 100 (or, mirrored, near 0) only need the last few order statistics.
void largest(const float* v, int64_t n, int m, float* top) {
  int have = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float x = v[i];
    if (have < m) {
      int j = have++;
      for (; j > 0 && top[j - 1] > x; --j) top[j] = top[j - 1];
      top[j] = x;
    } else if (x > top[0]) {
      int j = 0;
      for (; j + 1 < m && top[j + 1] < x; ++j) top[j] = top[j + 1];
      top[j] = x;
    }
  }
}

void smallest(const float* v, int64_t n, int m, float* low) {
  int have = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float x = v[i];
    if (have < m) {
      int j = have++;
      for (; j > 0 && low[j - 1] > x; --j) low[j] = low[j - 1];
      low[j] = x;
    } else if (x < low[m - 1]) {
      int j = m - 1;
      for (; j > 0 && low[j - 1] > x; --j) low[j] = low[j - 1];
      low[j] = x;
    }
  }
}

constexpr int kTail = 32;

}  // namespace

double quantile_inplace(float* v, int64_t n, double q) {
  MCS_CHECK(n > 0, "quantile of an empty span");
  const double h = q * double(n - 1);
  const int64_t k = std::min<int64_t>(int64_t(std::floor(h)), n - 1);
  const double frac = h - double(k);
  const bool need_next = frac != 0.0 && k + 1 < n;
  double a, b;
  float tail[kTail];
  if (n - k <= kTail) {  // ranks k, k + 1 are among the n − k largest
    const int m = int(n - k);
    largest(v, n, m, tail);
    a = tail[0];
    b = m > 1 ? tail[1] : a;
  } else if (k + 2 <= kTail) {  // among the k + 2 smallest
    const int m = int(std::min<int64_t>(n, k + 2));
    smallest(v, n, m, tail);
    a = tail[k];
    b = k + 1 < m ? tail[k + 1] : a;
  } else {
    std::nth_element(v, v + k, v + n);
    a = v[k];
    b = need_next ? *std::min_element(v + k + 1, v + n) : a;
  }
  return need_next ? a + frac * (b - a) : a;
}

}  // namespace mcs::stats
