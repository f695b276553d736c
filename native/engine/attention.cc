#include "engine/attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "cpu/thread_pool.h"
#include "engine/matmul.h"
#include "engine/ops.h"

namespace mcs::engine {

void attention(const float* q, const float* k_cache, const float* v_cache, int64_t first, int64_t T,
               const AttentionShape& s, float* out) {
  const int64_t d = s.head_dim, group = s.heads / s.kv_heads;
  const int64_t qdim = s.heads * d, kvdim = s.kv_heads * d;
  const float scale = float(1.0 / std::sqrt(double(d)));
  const int64_t keys = first + T;
  const size_t grain = size_t(std::max<int64_t>(1, 16384 / std::max<int64_t>(keys * d, 1)));
  cpu::parallel_for(size_t(T * s.heads), grain, [&](size_t b, size_t e) {
    thread_local std::vector<float> scores;
    if (int64_t(scores.size()) < keys) scores.resize(size_t(keys));
    for (size_t i = b; i < e; ++i) {
      const int64_t t = int64_t(i) / s.heads, h = int64_t(i) % s.heads, g = h / group;
      const float* qh = q + t * qdim + h * d;
      const int64_t end = first + t + 1;
      const int64_t lo = s.window > 0 ? std::max<int64_t>(0, end - s.window) : 0, n = end - lo;
      const float* kh = k_cache + lo * kvdim + g * d;
      const float* vh = v_cache + lo * kvdim + g * d;
      for (int64_t j = 0; j < n; ++j) scores[size_t(j)] = dot_f32(qh, kh + j * kvdim, d) * scale;
      softmax(scores.data(), n);
      float* o = out + t * qdim + h * d;
      std::fill(o, o + d, 0.0f);
      for (int64_t j = 0; j < n; ++j) axpy_f32(scores[size_t(j)], vh + j * kvdim, o, d);
    }
  });
}

}  // namespace mcs::engine
