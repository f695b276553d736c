// Error of a quantized tensor against its original, accumulated while
// quantizing so no dequantized copy is needed: Σw², Σ(w − ŵ)², max |w − ŵ| and
// the number of weights outside the clipping range that range setting chose.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace mcs::quant {

struct ErrorStats {
  int64_t count = 0;
  double sum_sq = 0;  // Σ w²
  double sse = 0;     // Σ (w − ŵ)²
  float max_abs = 0;  // max |w − ŵ|
  int64_t clipped = 0;

  void merge(const ErrorStats& o) {
    count += o.count;
    sum_sq += o.sum_sq;
    sse += o.sse;
    max_abs = std::max(max_abs, o.max_abs);
    clipped += o.clipped;
  }
  double mse() const { return count ? sse / double(count) : 0.0; }
  // 10·log10(Σw² / Σ(w − ŵ)²); +inf when the reconstruction is exact.
  double snr_db() const {
    if (sse == 0) return std::numeric_limits<double>::infinity();
    return 10.0 * std::log10(sum_sq / sse);
  }
  double clipped_share() const { return count ? double(clipped) / double(count) : 0.0; }
};

}  // namespace mcs::quant
