#include "engine/qlinear/sparse24_kernels.h"

#include <cstring>

#include "core/fp16.h"
#include "cpu/cpu_features.h"

namespace mcs::engine::qlinear {
namespace {

struct Positions {
  int32_t p[256][4] = {};
  Positions() {
    for (int b = 0; b < 256; ++b) {
      int n = 0;
      for (int j = 0; j < 8 && n < 4; ++j)
        if (b >> j & 1) p[b][n++] = j;
    }
  }
};

// Kept inputs of row n in order: calls f(position, j) for each kept weight j.
template <typename F>
inline void for_kept(const Sparse24& w, int64_t n, F f) {
  const uint8_t* m = w.mask + n * w.mask_stride;
  int64_t j = 0;
  for (int64_t k = 0; k < w.in; ++k)
    if (m[k >> 3] >> (k & 7) & 1) f(k, j++);
}

}  // namespace

const int32_t* sparse24_positions(uint8_t b) {
  static const Positions table;
  return table.p[b];
}

float Sparse24::value(int64_t n, int64_t j) const {
  const int64_t i = n * (in / 2) + j;
  switch (vtype) {
    case WeightType::F32: { float f; std::memcpy(&f, values + 4 * i, 4); return f; }
    case WeightType::F16: { uint16_t h; std::memcpy(&h, values + 2 * i, 2); return f16_to_f32(h); }
    case WeightType::BF16: { uint16_t h; std::memcpy(&h, values + 2 * i, 2); return bf16_to_f32(h); }
  }
  return 0.0f;
}

void sparse24_rows_ref(const Sparse24Call& c, int64_t n0, int64_t n1) {
  const Sparse24& w = *c.w;
  for (int64_t t = 0; t < c.T; ++t)
    for (int64_t n = n0; n < n1; ++n) {
      double s = 0.0;
      for_kept(w, n, [&](int64_t k, int64_t j) { s += double(w.value(n, j)) * double(c.x[t * w.in + k]); });
      c.y[t * c.ldy + n] = float(s);
    }
}

void sparse24_rows(const Sparse24Call& c, int64_t n0, int64_t n1) {
  if (cpu::use_avx2()) return avx2::sparse24_rows(c, n0, n1);
  const Sparse24& w = *c.w;
  for (int64_t n = n0; n < n1; ++n)
    for (int64_t t = 0; t < c.T; ++t) {
      float s = 0.0f;
      for_kept(w, n, [&](int64_t k, int64_t j) { s += w.value(n, j) * c.x[t * w.in + k]; });
      c.y[t * c.ldy + n] = s;
    }
}

}  // namespace mcs::engine::qlinear
