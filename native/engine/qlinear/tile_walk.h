// The order in which the AVX2 kernels of the stored formats visit output
// rows × tokens. A generated token takes rows 4 at a time (one activation
// vector against four streaming weight rows). A prompt is cut into token
// blocks small enough that their activations stay in L2 while each pair of
// rows is reused across the block, tokens taken MaxC at a time, the rest
// one tile of what is left. Each output element is computed the same way in
// any tile, so the walk changes speed only, never the bits.
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>

namespace mcs::engine::qlinear {

template <int N>
using TileDim = std::integral_constant<int, N>;

/// Tokens per L2 block when one token's activations take `bytes_per_token`.
template <int MaxC>
inline int64_t token_block(int64_t bytes_per_token) {
  return std::max<int64_t>(MaxC, (192 * 1024 / std::max<int64_t>(bytes_per_token, 1)) / MaxC * MaxC);
}

namespace detail {
template <int C, class R, class Tile>
inline void token_tail(R r, int64_t n, int64_t t, int64_t left, Tile& tile) {
  if constexpr (C > 0) {
    if (left == C) tile(r, TileDim<C>{}, n, t);
    else token_tail<C - 1>(r, n, t, left, tile);
  }
}

template <int MaxC, class R, class Tile>
inline void token_tiles(R r, int64_t n, int64_t t0, int64_t t1, Tile& tile) {
  int64_t t = t0;
  for (; t + MaxC <= t1; t += MaxC) tile(r, TileDim<MaxC>{}, n, t);
  token_tail<MaxC - 1>(r, n, t, t1 - t, tile);
}
}  // namespace detail

/// Calls tile(TileDim<R>, TileDim<C>, n, t) for rows [n, n+R) × tokens
/// [t, t+C) until rows [n0, n1) × tokens [0, T) are covered.
template <int MaxC, class Tile>
inline void walk_tiles(int64_t T, int64_t block, int64_t n0, int64_t n1, Tile&& tile) {
  if (T == 1) {
    int64_t n = n0;
    for (; n + 4 <= n1; n += 4) tile(TileDim<4>{}, TileDim<1>{}, n, 0);
    for (; n < n1; ++n) tile(TileDim<1>{}, TileDim<1>{}, n, 0);
    return;
  }
  for (int64_t t0 = 0; t0 < T; t0 += block) {
    const int64_t t1 = std::min(T, t0 + block);
    int64_t n = n0;
    for (; n + 2 <= n1; n += 2) detail::token_tiles<MaxC>(TileDim<2>{}, n, t0, t1, tile);
    for (; n < n1; ++n) detail::token_tiles<MaxC>(TileDim<1>{}, n, t0, t1, tile);
  }
}

}  // namespace mcs::engine::qlinear
