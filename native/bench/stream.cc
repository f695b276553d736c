#include "bench/stream.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <vector>

#include "cpu/thread_pool.h"

namespace mcs::bench {
namespace {

constexpr size_t kChunk = size_t(1) << 20;

template <class F>
double best_of(int repeats, F&& pass) {
  double best = 1e30;
  for (int r = 0; r < std::max(1, repeats); ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    pass();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

}  // namespace

double stream_copy_seconds(const uint8_t* src, uint8_t* dst, size_t bytes, int repeats) {
  const size_t chunks = (bytes + kChunk - 1) / kChunk;
  return best_of(repeats, [&] {
    cpu::parallel_for(chunks, 1, [&](size_t lo, size_t hi) {
      const size_t b = lo * kChunk, e = std::min(bytes, hi * kChunk);
      std::memcpy(dst + b, src + b, e - b);
    });
  });
}

double stream_read_seconds(const uint8_t* src, size_t bytes, int repeats, uint64_t* checksum) {
  const size_t chunks = (bytes + kChunk - 1) / kChunk;
  std::vector<uint64_t> sums(chunks);
  const double t = best_of(repeats, [&] {
    cpu::parallel_for(chunks, 1, [&](size_t lo, size_t hi) {
      for (size_t c = lo; c < hi; ++c) {
        const size_t b = c * kChunk, e = std::min(bytes, b + kChunk);
        uint64_t s = 0;
        size_t i = b;
        for (; i + 8 <= e; i += 8) {
          uint64_t w;
          std::memcpy(&w, src + i, 8);
          s += w;
        }
        for (; i < e; ++i) s += src[i];
        sums[c] = s;
      }
    });
  });
  uint64_t total = 0;
  for (uint64_t s : sums) total += s;
  *checksum = total;
  return t;
}

}  // namespace mcs::bench
