// Reads a span of a tensor as float32 for the kernels. F32 data is used in
// place (when 4-byte aligned); other types are converted into a scratch buffer
// segment by segment. A span of at most kSegment elements is converted once
// and every later pass over it reuses the buffer, so range search and
// quantization of a group touch memory once.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace mcs {

class SpanReader {
 public:
  static constexpr int64_t kSegment = int64_t(1) << 14;

  explicit SpanReader(const TensorView& t) : t_(t) {}

  void open(int64_t start, int64_t n) {
    start_ = start;
    n_ = n;
    direct_ = t_.dtype == DType::F32 && reinterpret_cast<uintptr_t>(t_.data) % 4 == 0;
    if (!direct_ && n <= kSegment) {
      buf_.resize(static_cast<size_t>(std::max<int64_t>(n, 1)));
      to_f32(t_, start, n, buf_.data());
    }
  }
  int64_t size() const { return n_; }
  // The whole span as one pointer (F32 data, or a span that fits one segment).
  bool whole() const { return direct_ || n_ <= kSegment; }
  const float* data() const { return direct_ ? f32_at(start_) : buf_.data(); }

  // fn(const float* x, int64_t offset, int64_t len) over consecutive pieces.
  template <class F>
  void for_each(F&& fn) {
    if (whole()) {
      fn(data(), int64_t(0), n_);
      return;
    }
    buf_.resize(static_cast<size_t>(kSegment));
    for (int64_t off = 0; off < n_; off += kSegment) {
      const int64_t len = std::min(kSegment, n_ - off);
      to_f32(t_, start_ + off, len, buf_.data());
      fn(static_cast<const float*>(buf_.data()), off, len);
    }
  }

 private:
  const float* f32_at(int64_t i) const { return reinterpret_cast<const float*>(t_.data) + i; }
  const TensorView& t_;
  int64_t start_ = 0, n_ = 0;
  bool direct_ = false;
  std::vector<float> buf_;
};

// Asks for a span's bytes (the next unit's input) while the current one is
// processed from cache; the next range pass would otherwise wait on memory.
inline void prefetch_span(const TensorView& t, int64_t start, int64_t n) {
  if (n <= 0) return;
  const size_t es = dtype_info(t.dtype).size;
  const uint8_t* p = t.data + size_t(start) * es;
  const size_t bytes = std::min<size_t>(size_t(n) * es, size_t(1) << 16);
  for (size_t off = 0; off < bytes; off += 64) __builtin_prefetch(p + off);
}

}  // namespace mcs
