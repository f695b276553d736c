// Causal multi-head attention over a KV cache, with grouped-query heads
// (each key/value head serves heads / kv_heads query heads).
#pragma once
#include <cstdint>

namespace mcs::engine {

struct AttentionShape {
  int64_t heads, kv_heads, head_dim;
  // Sliding window: a query sees this many keys counting itself; 0 = all.
  int64_t window = 0;
};

// out[t, h·d …] = softmax(q·Kᵀ/√d) · V for query t at position first + t,
// attending to cache rows 0 … first + t (the last `window` of them when set). q: [T, heads·d]; caches: [ctx, kv_heads·d].
void attention(const float* q, const float* k_cache, const float* v_cache, int64_t first, int64_t T,
               const AttentionShape& s, float* out);

}  // namespace mcs::engine
