// Exact order statistics of tensor elements without sorting or copying them:
// a two-pass radix selection on the 32-bit keys of the float values (16 high
// bits, then 16 low bits among the candidates). Used for per-tensor percentile
// clipping and for global magnitude-pruning thresholds across many tensors.
#pragma once
#include <cstdint>
#include <vector>

#include "core/job.h"
#include "core/tensor.h"

namespace mcs::stats {

// Value: order of the floats (−0 before +0). Magnitude: order of |x|.
// NaN orders after every number (after +inf).
enum class OrderKey { Value, Magnitude };

struct ElementSpan {
  const TensorView* t;
  int64_t start, n;
};

struct KthResult {
  float value = 0;     // the k-th smallest key, as a float (|x| for Magnitude)
  int64_t less = 0;    // elements with a smaller key
  int64_t equal = 0;   // elements with the same key
};

// k is 0-based and must be < the total number of elements.
KthResult select_kth(const std::vector<ElementSpan>& spans, OrderKey key, int64_t k, const JobContext& ctx);

// Linearly interpolated quantile q ∈ [0, 1] (numpy's default "linear" method).
double quantile_spans(const std::vector<ElementSpan>& spans, OrderKey key, double q, const JobContext& ctx);
// Same on values in memory (may reorder v); the last or first few order
// statistics are found in one pass without reordering.
double quantile_inplace(float* v, int64_t n, double q);

inline uint32_t order_key(float x, OrderKey key) {
  uint32_t u;
  __builtin_memcpy(&u, &x, 4);
  if (key == OrderKey::Magnitude) return u & 0x7fffffffu;
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

inline float key_value(uint32_t k, OrderKey key) {
  const uint32_t u = key == OrderKey::Magnitude ? k : ((k & 0x80000000u) ? (k & 0x7fffffffu) : ~k);
  float x;
  __builtin_memcpy(&x, &u, 4);
  return x;
}

}  // namespace mcs::stats
